//go:build unix

package siteindex

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// unsafeFile says why an open index file cannot be trusted as private to this
// account, or "". A file another account owns, or one others may read or
// write, may hold what someone else put there; it is ignored and the next
// full read replaces it with a private one.
func unsafeFile(path string, info fs.FileInfo) string {
	if l, err := os.Lstat(path); err == nil && l.Mode()&fs.ModeSymlink != 0 {
		return "it is a symbolic link"
	}
	if !info.Mode().IsRegular() {
		return "it is not a regular file"
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Sprintf("its permissions are %04o, not 0600", perm)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Sprintf("it belongs to the account %d, not to this one (%d)", st.Uid, os.Geteuid())
	}
	return ""
}
