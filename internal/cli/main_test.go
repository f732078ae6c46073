package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain gives the tests a cache folder of their own: actions keep their
// site index and create locks in the user's cache folder, which tests must
// neither read (another run's index) nor fill.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "ipassan-cli-test-cache-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		os.Setenv("XDG_CACHE_HOME", dir)
		return m.Run()
	}())
}
