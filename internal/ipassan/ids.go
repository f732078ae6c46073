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

// sameUUID compares uuids as IPassan does: without regard to case.
func sameUUID(a, b string) bool { return strings.EqualFold(a, b) }

// uuidSet is a set of uuids compared without regard to case. A GUID is kept
// as its 16 bytes (a read of 100,000 persons holds about 2.5 MB of them);
// anything else as lower-case text.
type uuidSet struct {
	guids map[[16]byte]struct{}
	other map[string]struct{}
}

// add puts id in the set and reports whether it was new.
func (s *uuidSet) add(id string) bool {
	if g, ok := parseGUID(id); ok {
		if s.guids == nil {
			s.guids = map[[16]byte]struct{}{}
		}
		n := len(s.guids)
		s.guids[g] = struct{}{}
		return len(s.guids) > n
	}
	if s.other == nil {
		s.other = map[string]struct{}{}
	}
	key := strings.ToLower(id)
	if _, ok := s.other[key]; ok {
		return false
	}
	s.other[key] = struct{}{}
	return true
}

func (s *uuidSet) has(id string) bool {
	if g, ok := parseGUID(id); ok {
		_, found := s.guids[g]
		return found
	}
	_, found := s.other[strings.ToLower(id)]
	return found
}

// merge adds every uuid of o.
func (s *uuidSet) merge(o *uuidSet) {
	for g := range o.guids {
		if s.guids == nil {
			s.guids = map[[16]byte]struct{}{}
		}
		s.guids[g] = struct{}{}
	}
	for k := range o.other {
		if s.other == nil {
			s.other = map[string]struct{}{}
		}
		s.other[k] = struct{}{}
	}
}

// parseGUID reads xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in either case.
func parseGUID(s string) (g [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	n := 0
	for i := 0; i < 36; i += 2 {
		if s[i] == '-' {
			i--
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return g, false
		}
		g[n] = hi<<4 | lo
		n++
	}
	return g, n == 16
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
