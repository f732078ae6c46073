package ipassan

import (
	"net"
	"strings"
)

// maxIDLength is far above a GUID's 36 characters and far below anything hostile.
const maxIDLength = 128

// SafeID reports whether s can stand as one segment of an IPassan URL path: a
// GUID or a similar identifier, never "..", "/" or "?".
func SafeID(s string) bool {
	if s == "" || len(s) > maxIDLength || strings.Trim(s, ".") == "" {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.~{}", r)
		if !ok {
			return false
		}
	}
	return true
}

// IsLoopback reports whether host (a name or an address) is this machine: the
// only place plain http may go.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
