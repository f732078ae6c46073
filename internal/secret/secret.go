// Package secret keeps credentials out of every output: a Secret prints as
// [redacted] however it is formatted, and a Redactor scrubs known secret values
// from anything written through it (logs, audit messages, error text).
package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Mask is what a secret looks like in any output.
const Mask = "[redacted]"

// Secret is a credential. Only Reveal gives its value; fmt, JSON and logs see Mask.
type Secret struct{ value string }

// New wraps a credential.
func New(value string) Secret { return Secret{value: value} }

// Reveal returns the credential, for the one place that must send it.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string   { return Mask }
func (s Secret) GoString() string { return Mask }

// Format makes every verb (%v, %s, %q, %x, %#v) print the mask.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, Mask) }

// MarshalJSON writes the mask.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(Mask) }

// minLength is the shortest value the Redactor scrubs: replacing every "a" in a
// log because someone chose a one-letter secret would destroy the log without
// protecting anything.
const minLength = 3

// Redactor replaces registered secret values, also in their JSON-escaped and
// URL-encoded spellings, with Mask. It is safe for concurrent use.
type Redactor struct {
	mu       sync.RWMutex
	replacer *strings.Replacer
	values   map[string]bool
}

// NewRedactor returns a Redactor that knows no secrets yet.
func NewRedactor() *Redactor { return &Redactor{values: map[string]bool{}} }

// Add registers a secret value (a client secret, a bearer token).
func (r *Redactor) Add(value string) {
	if r == nil || len(value) < minLength {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range spellings(value) {
		r.values[v] = true
	}
	pairs := make([]string, 0, 2*len(r.values))
	// Longer values first, so a value containing another is replaced whole.
	for _, v := range sortedByLength(r.values) {
		pairs = append(pairs, v, Mask)
	}
	r.replacer = strings.NewReplacer(pairs...)
}

func spellings(value string) []string {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(value)
	htmlSafe, _ := json.Marshal(value)
	unquote := func(s string) string { s = strings.TrimSpace(s); return s[1 : len(s)-1] }
	return []string{value, unquote(plain.String()), unquote(string(htmlSafe)), unquote(strconv.Quote(value)),
		url.QueryEscape(value), url.PathEscape(value)}
}

func sortedByLength(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	for i := 1; i < len(out); i++ { // insertion sort: a handful of values
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Redact returns s with every registered secret masked.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// Writer returns a writer that masks secrets before passing text on to w. Each
// Write is scrubbed on its own, which suits zerolog (one Write per event) and
// the single Write of an outputContext. Writes are serialised, so concurrent
// page fetches may log through it to any writer.
func (r *Redactor) Writer(w io.Writer) io.Writer { return &redactingWriter{r: r, w: w} }

type redactingWriter struct {
	r  *Redactor
	mu sync.Mutex
	w  io.Writer
}

func (rw *redactingWriter) Write(p []byte) (int, error) {
	clean := rw.r.Redact(string(p))
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if _, err := io.WriteString(rw.w, clean); err != nil {
		return 0, err
	}
	return len(p), nil
}
