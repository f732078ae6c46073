package repotest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures under testdata/fixtures are copies of the workspace's shared
// originals; they must stay byte-identical so that "works with the customer's
// files" means the real files.
func TestFixturesEqualSharedOriginals(t *testing.T) {
	shared := filepath.Join(Root(), "..", "shared", "fixtures")
	if _, err := os.Stat(shared); err != nil {
		t.Skip("the shared fixtures are not next to this checkout")
	}
	n := 0
	err := filepath.WalkDir(shared, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "README.md" {
			return err
		}
		rel, _ := filepath.Rel(shared, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(Path("testdata", "fixtures", rel))
		if err != nil {
			t.Errorf("%s is missing from testdata/fixtures", rel)
			return nil
		}
		if !bytes.Equal(want, got) {
			t.Errorf("testdata/fixtures/%s differs from the shared original", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no shared fixture found")
	}
}
