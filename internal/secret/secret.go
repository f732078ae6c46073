// Package secret keeps credentials out of every output: a Secret prints as
// [redacted] however it is formatted, and a Redactor scrubs known secret values
// from anything written through it (logs, audit messages, error text).
package secret

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
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

// minLength is the shortest value, in characters, the Redactor scrubs:
// replacing every "a" in a log because someone chose a one-letter secret would
// destroy the log without protecting anything. A secret cut short (see
// Redact) is masked from this many characters on as well.
const minLength = 3

// Redactor replaces registered secret values with Mask, in every spelling a
// server or an encoder may give them (see Redact). It is safe for concurrent
// use.
type Redactor struct {
	mu  sync.RWMutex
	set *secretSet // replaced whole by Add, so Redact reads it without holding the lock
}

type secretSet struct {
	secrets []string  // longest first, so a secret containing another is masked whole
	first   [256]bool // bytes a spelling of some secret may begin with
}

// NewRedactor returns a Redactor that knows no secrets yet.
func NewRedactor() *Redactor { return &Redactor{} }

// Add registers a secret value (a client secret, a bearer token). A value
// with surrounding white space is also registered trimmed: an admin pastes a
// space with the secret, and a server echoes what it kept.
func (r *Redactor) Add(value string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	next := &secretSet{}
	if r.set != nil {
		next.secrets = slices.Clone(r.set.secrets)
	}
	for _, v := range []string{value, strings.TrimSpace(value)} {
		if utf8.RuneCountInString(v) >= minLength && !slices.Contains(next.secrets, v) {
			next.secrets = append(next.secrets, v)
		}
	}
	slices.SortStableFunc(next.secrets, func(a, b string) int { return len(b) - len(a) })
	for _, c := range []byte{'\\', '%', '&', '+'} { // where an escaped character may begin
		next.first[c] = true
	}
	for _, v := range next.secrets {
		next.first[v[0]] = true
	}
	r.set = next
}

// Redact returns s with every registered secret masked, in each spelling:
//   - as it is, or trimmed of surrounding white space (see Add);
//   - JSON- or Go-escaped, wholly or in part: \/ (as PHP writes it), \" \\ \n
//     and friends, \uXXXX in either case (surrogate pairs too), \xHH;
//   - percent-encoded in upper or lower case, with + for a space;
//   - HTML-escaped: &amp; &lt; &gt; &quot; &#39; &#NN; &#xHH;.
//
// Each character of the secret may be spelled any of these ways, so a mix
// (an encoder escaping only some characters) is masked too. A secret cut
// short, at least minLength characters of its beginning followed directly by
// "…" or "...", is masked as well: a message cut in the middle of an echoed
// secret must not show its first characters.
func (r *Redactor) Redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	set := r.set
	r.mu.RUnlock()
	if set == nil {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is written to b
	for i := 0; i < len(s); i++ {
		if !set.first[s[i]] {
			continue
		}
		end := -1
		for _, v := range set.secrets {
			if e := matchAt(s, i, v); e > end {
				end = e
			}
		}
		if end < 0 {
			continue
		}
		if done == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(Mask)
		done = end
		i = end - 1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// matchAt returns where a spelling of secret v that begins at s[i] ends, or
// -1. Where a character can be read both as itself and as the start of an
// escape (a secret holding \, % or &), both readings are tried; failed states
// are remembered, so the search stays linear in the secret's length.
func matchAt(s string, i int, v string) int {
	m := matcher{s: s, v: v}
	return m.from(i, 0, -1, -1)
}

type matcher struct {
	s, v   string
	failed map[[2]int]bool // (position in s, position in v) known not to match
}

// from matches v[k:] against s[j:]. prev and prevK are where the character
// before began in s and v, for a cut that went through an escape read as
// plain characters (the % of a cut %2F reads as a %).
func (m *matcher) from(j, k, prev, prevK int) int {
	for k < len(m.v) {
		var dec string
		var n int
		literal := false
		if j < len(m.s) {
			dec, n = decodeUnit(m.s[j:], m.v[k])
			literal = m.s[j] == m.v[k]
		}
		escaped := n > 0 && strings.HasPrefix(m.v[k:], dec)
		switch {
		case escaped && literal:
			// Two readings: follow the escape, then the literal.
			if m.failed[[2]int{j, k}] {
				return -1
			}
			if end := m.from(j+n, k+len(dec), j, k); end >= 0 {
				return end
			}
			if end := m.from(j+1, k+1, j, k); end >= 0 {
				return end
			}
			if m.failed == nil {
				m.failed = map[[2]int]bool{}
			}
			m.failed[[2]int{j, k}] = true
			return m.cutEither(j, k, prev, prevK)
		case escaped:
			prev, prevK = j, k
			j, k = j+n, k+len(dec)
		case literal:
			prev, prevK = j, k
			j, k = j+1, k+1
		default:
			return m.cutEither(j, k, prev, prevK)
		}
	}
	return j
}

// cutEither looks for a cut at s[j], then at the character before.
func (m *matcher) cutEither(j, k, prev, prevK int) int {
	if end := m.cutAt(j, k); end >= 0 {
		return end
	}
	if prev >= 0 && prevK >= 0 {
		return m.cutAt(prev, prevK)
	}
	return -1
}

// cutAt returns where a secret cut short at s[j] ends, or -1: at least
// minLength characters of it matched and an ellipsis follows, perhaps after
// the first bytes of an escape the cut went through (masked with the rest).
func (m *matcher) cutAt(j, k int) int {
	if k == 0 || utf8.RuneCountInString(m.v[:k]) < minLength {
		return -1
	}
	rest := m.s[j:]
	for p := 0; p <= len(rest) && p <= maxEscape; p++ {
		if p > 0 && !escapeStart(rest[0]) {
			return -1
		}
		if strings.HasPrefix(rest[p:], "…") || strings.HasPrefix(rest[p:], "...") {
			return j + p
		}
		if p < len(rest) && (rest[p] == ' ' || rest[p] == '"') {
			return -1
		}
	}
	return -1
}

// maxEscape is the longest escape decodeUnit reads: a surrogate pair.
const maxEscape = len(`\uD83D\uDE80`)

func escapeStart(c byte) bool { return c == '\\' || c == '%' || c == '&' }

// decodeUnit reads one escaped character at the start of s and returns the
// bytes it stands for and its length; n is 0 when s does not start with an
// escape. want is the byte the secret holds here, for the one spelling that
// depends on it: + stands for a space only in a form-encoded text.
func decodeUnit(s string, want byte) (dec string, n int) {
	if s == "" {
		return "", 0
	}
	switch s[0] {
	case '+':
		if want == ' ' {
			return " ", 1
		}
	case '%':
		if len(s) >= 3 {
			if h, ok := hexValue(s[1:3]); ok {
				return string([]byte{byte(h)}), 3
			}
		}
	case '\\':
		return decodeBackslash(s)
	case '&':
		return decodeEntity(s)
	}
	return "", 0
}

func decodeBackslash(s string) (string, int) {
	if len(s) < 2 {
		return "", 0
	}
	switch s[1] {
	case '"', '\\', '/', '\'':
		return s[1:2], 2
	case 'n':
		return "\n", 2
	case 'r':
		return "\r", 2
	case 't':
		return "\t", 2
	case 'b':
		return "\b", 2
	case 'f':
		return "\f", 2
	case 'a':
		return "\a", 2
	case 'v':
		return "\v", 2
	case 'x':
		if len(s) >= 4 {
			if h, ok := hexValue(s[2:4]); ok {
				return string([]byte{byte(h)}), 4
			}
		}
	case 'U': // Go's \UXXXXXXXX
		if len(s) >= 10 {
			if r, ok := hexValue(s[2:10]); ok && utf8.ValidRune(rune(r)) {
				return string(rune(r)), 10
			}
		}
	case 'u':
		if len(s) < 6 {
			return "", 0
		}
		r, ok := hexValue(s[2:6])
		if !ok {
			return "", 0
		}
		if r >= 0xD800 && r < 0xDC00 { // a high surrogate: its pair follows
			if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
				if lo, ok := hexValue(s[8:12]); ok && lo >= 0xDC00 && lo < 0xE000 {
					return string(rune((r-0xD800)<<10 + (lo - 0xDC00) + 0x10000)), 12
				}
			}
			return "", 0
		}
		return string(rune(r)), 6
	}
	return "", 0
}

var entities = map[string]string{"amp": "&", "lt": "<", "gt": ">", "quot": `"`, "apos": "'"}

func decodeEntity(s string) (string, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return "", 0
	}
	name := s[1:end]
	if v, ok := entities[name]; ok {
		return v, end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return "", 0
	}
	var r int
	var ok bool
	if name[1] == 'x' || name[1] == 'X' {
		r, ok = hexValue(name[2:])
	} else {
		r, ok = decimalValue(name[1:])
	}
	if !ok || !utf8.ValidRune(rune(r)) {
		return "", 0
	}
	return string(rune(r)), end + 1
}

func hexValue(h string) (int, bool) {
	if h == "" || len(h) > 8 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}

func decimalValue(d string) (int, bool) {
	if d == "" || len(d) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
		n = n*10 + int(d[i]-'0')
	}
	return n, true
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
