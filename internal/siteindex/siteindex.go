// Package siteindex keeps, per IPassan site, a small file shared between the
// actions of one machine: each person's uuid and the values of the few fields
// correlation and the uniqueness check look up. No names, no profiles.
//
// IPassan cannot filter persons, so every correlating create reads the whole
// site; at go-live HelloID runs one for every existing employee. A whole-site
// read leaves the index behind, and the next action may ask it for a
// candidate, which the connector then verifies by reading that one person. The
// index only ever proposes: a miss, several hits or a failed verification send
// the action back to a full read.
//
// The file is trustworthy or ignored, never wrong: it is private to the
// account (0600 in a 0700 directory), written atomically under a lock shared
// by every process of the machine, and closed by a SHA-256 of its content. A
// file that is missing, too old, built for another site or other fields,
// corrupt, half-written or in another format version is not used, and the
// error says why (an *Error whose Kind is one of the Err… values), so the
// caller can log it and read the site.
package siteindex

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Why an index is not used. Every error this package returns is an *Error
// whose Kind is one of these, so callers ask errors.Is(err, siteindex.ErrStale).
// Each one means the same to the caller: read the whole site instead.
var (
	ErrOff          = errors.New("switched off (the maximum age is 0)")
	ErrMissing      = errors.New("not built yet")
	ErrStale        = errors.New("too old")
	ErrForeign      = errors.New("built for another site or other fields")
	ErrTruncated    = errors.New("half-written or cut short")
	ErrCorrupt      = errors.New("corrupt")
	ErrNewerFormat  = errors.New("written in a newer format")
	ErrOlderFormat  = errors.New("written in an older format")
	ErrUnsafe       = errors.New("not private to this account")
	ErrBusy         = errors.New("held by another action for too long")
	ErrUnreadable   = errors.New("cannot be read")
	ErrUnwritable   = errors.New("cannot be written")
	ErrInvalidKey   = errors.New("invalid key")
	ErrNotIndexed   = errors.New("field not indexed")
	ErrInvalidEntry = errors.New("invalid entry")
)

// Error says why an index was not used or not written.
type Error struct {
	Kind   error  // one of the Err… values above
	Path   string // the index file, when there is one
	Detail string // what exactly, e.g. "built 12m0s ago; the maximum age is 10m0s"
	Err    error  // the operating system's error, when there was one
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("site index")
	if e.Path != "" {
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrStale) and friends work.
func (e *Error) Is(target error) bool { return target == e.Kind }

func (e *Error) Unwrap() error { return e.Err }

// Key says what an index is for. An index serves a key only when the base URL
// (scheme, host, port and path, without regard to case, the default port
// filled in, user information and a trailing slash dropped), the site (without
// regard to case) and the set of fields (lower case) all match.
type Key struct {
	BaseURL string   // IPassan's address, e.g. https://ipassan.example.com
	SiteID  string   // the site the persons belong to
	Fields  []string // the fields whose values are kept, e.g. number and mail
}

// normKey is a Key in the one spelling that is compared and written down.
type normKey struct {
	baseURL string
	site    string
	fields  []string // lower case, sorted, each once
}

// maxFields bounds the fields of a key (and what a file may claim to hold).
const maxFields = 64

// normalize checks a key and spells it the one way it is compared.
func (k Key) normalize() (normKey, error) {
	invalid := func(format string, args ...any) (normKey, error) {
		return normKey{}, &Error{Kind: ErrInvalidKey, Detail: fmt.Sprintf(format, args...)}
	}
	u, err := url.Parse(strings.TrimSpace(k.BaseURL))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return invalid("the base URL is not an http(s) address with a host")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	base := strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(host, port) +
		strings.ToLower(strings.TrimRight(u.EscapedPath(), "/"))
	site := strings.ToLower(strings.TrimSpace(k.SiteID))
	if site == "" {
		return invalid("the site is empty")
	}
	var fields []string
	for _, f := range k.Fields {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			return invalid("a field name is empty")
		}
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	switch {
	case len(fields) == 0:
		return invalid("no fields")
	case len(fields) > maxFields:
		return invalid("%d fields; at most %d", len(fields), maxFields)
	}
	slices.Sort(fields)
	return normKey{baseURL: base, site: site, fields: fields}, nil
}

func (k normKey) equal(o normKey) bool {
	return k.baseURL == o.baseURL && k.site == o.site && slices.Equal(k.fields, o.fields)
}

// differs names what sets two keys apart, for the log of a foreign index.
func (k normKey) differs(o normKey) string {
	switch {
	case k.baseURL != o.baseURL:
		return "another IPassan address"
	case k.site != o.site:
		return "another site"
	default:
		return fmt.Sprintf("the fields %s, not %s", strings.Join(k.fields, ", "), strings.Join(o.fields, ", "))
	}
}

// column is the position of field in an entry, or -1.
func (k normKey) column(field string) int {
	return slices.Index(k.fields, strings.ToLower(strings.TrimSpace(field)))
}

// fileName is the index's file name: a hash, so no address, site or field
// reaches a path.
func (k Key) fileName() string {
	parts := []string{strings.ToLower(strings.TrimSpace(k.BaseURL)), strings.ToLower(strings.TrimSpace(k.SiteID))}
	parts = append(parts, k.Fields...)
	if n, err := k.normalize(); err == nil {
		parts = append([]string{n.baseURL, n.site}, n.fields...)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16]) + ".idx"
}

// DefaultDir is where indexes live unless told otherwise: the user's cache
// directory (the agent's service account has one), else the temp directory.
func DefaultDir() string {
	if dir, err := os.UserCacheDir(); err == nil && dir != "" {
		return filepath.Join(dir, "ipassan-connector", "site-index")
	}
	return filepath.Join(os.TempDir(), "ipassan-connector-site-index")
}

// PathIn is the index file for key in dir. Equal keys (in the sense of Key)
// get the same file; the key's values never appear in its name.
func PathIn(dir string, key Key) string { return filepath.Join(dir, key.fileName()) }

// DefaultPath is PathIn(DefaultDir(), key).
func DefaultPath(key Key) string { return PathIn(DefaultDir(), key) }

// Index is one index file and the rules for using it.
type Index struct {
	Path   string        // the file; DefaultPath(Key) unless configured
	Key    Key           // what it must have been built for
	MaxAge time.Duration // how old (since its full read began) it may be; 0 or less: never use or write it
}

// futureSlack is how far in the future a build time may lie (processes take
// "now" at slightly different moments) before the clock is suspected of having
// moved back and the index is treated as too old.
const futureSlack = time.Minute

// fresh reports, as an *Error, why an index built at built is too old at now.
func (ix Index) fresh(built, now time.Time) error {
	age := now.Sub(built)
	switch {
	case age > ix.MaxAge:
		return &Error{Kind: ErrStale, Path: ix.Path, Detail: fmt.Sprintf("built %s ago; the maximum age is %s",
			age.Round(time.Second), ix.MaxAge)}
	case age < -futureSlack:
		return &Error{Kind: ErrStale, Path: ix.Path, Detail: fmt.Sprintf("built %s in the future; the clock moved back",
			(-age).Round(time.Second))}
	}
	return nil
}
