// Package repotest helps tests find the repository's own files (testdata,
// fixtures, wrappers) wherever the test binary runs.
package repotest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root is the repository's top folder (where go.mod is).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Path joins parts onto the repository root.
func Path(parts ...string) string {
	return filepath.Join(append([]string{Root()}, parts...)...)
}

// Read returns a repository file's bytes, failing the test when it is missing.
func Read(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(parts...))
	if err != nil {
		t.Fatalf("reading %s: %v", filepath.Join(parts...), err)
	}
	return b
}

// Seeds returns the files of testdata/fuzz/<name>, the seed corpus of a fuzz
// target, kept as plain files so people can read and add to them.
func Seeds(t testing.TB, name string) [][]byte {
	t.Helper()
	dir := Path("testdata", "fuzz", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("seed corpus %s: %v", name, err)
	}
	var out [][]byte
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, Read(t, "testdata", "fuzz", name, e.Name()))
		}
	}
	return out
}
