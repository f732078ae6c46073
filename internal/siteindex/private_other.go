//go:build !unix

package siteindex

import (
	"io/fs"
	"os"
)

// unsafeFile says why an open index file cannot be trusted, or "". On
// Windows access is decided by ACLs, which the user's cache directory
// (%LocalAppData%) keeps private to the account; only the kind of file is
// checked here.
func unsafeFile(path string, info fs.FileInfo) string {
	if l, err := os.Lstat(path); err == nil && l.Mode()&fs.ModeSymlink != 0 {
		return "it is a symbolic link"
	}
	if !info.Mode().IsRegular() {
		return "it is not a regular file"
	}
	return ""
}
