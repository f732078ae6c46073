package object

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner is the one JSON grammar of this project: Decode, DecodeEach and
// Reader all walk their input with it, so every JSON the binary reads (a
// HelloID context, an IPassan page or person) is checked by the same code,
// which never panics and names the byte and the place of what is wrong.
//
// It validates as it goes and allocates nothing of its own for valid input
// without escapes; a value is only ever looked at through members, elements
// and the scalar readers below.
type scanner struct {
	b       []byte
	i       int
	frames  []frame // the containers open around s.i, for depth and messages
	rawKeys bool    // hand keys to members' fn as written, escapes and all
}

// frame is one open object or array: where its current key is, or which
// element is being read.
type frame struct {
	array    bool
	index    int // element being read (arrays)
	keyStart int // span of the current key, quotes included; keyEnd 0 before the first key
	keyEnd   int
}

// Error is a JSON input that cannot be read: broken syntax, an unexpected
// type, nesting beyond MaxDepth, a key given twice. Offset is the byte where
// the problem is; Path names the value ("actionContext.Data.x[3]"), "" for
// the top level.
type Error struct {
	Offset int
	// Line and Column (1-based, the column in characters) are where Offset
	// lies, as an editor shows it: what an admin looks for in a file.
	Line, Column int
	Path         string
	Msg          string
	Syntax       bool // the bytes are not JSON at all
}

func (e *Error) Error() string {
	where := fmt.Sprintf("at line %d, column %d", e.Line, e.Column)
	if e.Path != "" {
		where += " (in " + e.Path + ")"
	}
	if e.Syntax {
		return "invalid JSON " + where + ": " + e.Msg
	}
	return e.Msg + " " + where
}

// errorAt is an *Error at s.i, naming where the scanner is.
func (s *scanner) errorAt(format string, args ...any) *Error {
	return s.errorOf(s.i, s.path(), fmt.Sprintf(format, args...))
}

// errorOf is an *Error at offset of the input.
func (s *scanner) errorOf(offset int, path, msg string) *Error {
	line, col := Position(s.b, offset)
	return &Error{Offset: offset, Line: line, Column: col, Path: path, Msg: msg}
}

// Position is the line and column (1-based; the column counted in
// characters, a tab as one) of the byte at offset in text.
func Position(text []byte, offset int) (line, column int) {
	offset = max(0, min(offset, len(text)))
	before := text[:offset]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[start:]) + 1
}

// truncated reports input that stops inside a value.
func (s *scanner) truncated() *Error {
	return s.errorAt("the JSON ends too early (truncated input?)")
}

// unexpected reports the byte at s.i, or truncation at the end.
func (s *scanner) unexpected(want string) *Error {
	if s.i >= len(s.b) {
		return s.truncated()
	}
	e := s.errorAt("unexpected %s, expected %s", quoteByte(s.b[s.i]), want)
	e.Syntax = true
	return e
}

func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// path renders the open frames as a.b[3].c. It runs only for messages.
func (s *scanner) path() string {
	var b strings.Builder
	for _, f := range s.frames {
		switch {
		case f.array:
			fmt.Fprintf(&b, "[%d]", f.index)
		case f.keyEnd > 0:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(validUTF8Text(s.b[f.keyStart:f.keyEnd]))
		}
	}
	return b.String()
}

// where names the container being read, for the duplicate-key message.
func (s *scanner) where() string {
	if p := s.pathOfContainer(); p != "" {
		return p
	}
	return "the top-level object"
}

// pathOfContainer is path() without the innermost frame's own key.
func (s *scanner) pathOfContainer() string {
	top := s.frames[len(s.frames)-1]
	s.frames[len(s.frames)-1].keyEnd = 0
	p := s.path()
	s.frames[len(s.frames)-1] = top
	return p
}

func (s *scanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// push opens a container, refusing nesting beyond MaxDepth.
func (s *scanner) push(array bool) error {
	if len(s.frames) >= MaxDepth {
		return s.errorAt("the JSON nests deeper than %d levels", MaxDepth)
	}
	s.frames = append(s.frames, frame{array: array})
	return nil
}

func (s *scanner) pop() { s.frames = s.frames[:len(s.frames)-1] }

// members reads the object at s.i (s.b[s.i] == '{'). For each member it calls
// fn with the key, unescaped (a subslice of the input when it holds no
// escape, so fn must copy what it keeps), and s.i at the value. fn reads the
// value through the scanner, or leaves it to be skipped (validated all the
// same).
func (s *scanner) members(fn func(key []byte) error) error {
	if err := s.push(false); err != nil {
		return err
	}
	s.i++ // {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.pop()
		return nil
	}
	top := len(s.frames) - 1
	for {
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.unexpected("a key in quotes")
		}
		start := s.i
		end, escaped, err := s.stringEnd()
		if err != nil {
			return err
		}
		s.frames[top].keyStart, s.frames[top].keyEnd = start, end
		key := s.b[start+1 : end-1]
		if escaped && !s.rawKeys {
			key = unquoteBytes(s.b[start:end])
		}
		s.i = end
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.unexpected("':' after the key")
		}
		s.i++
		if err := s.value(fn, key); err != nil {
			return err
		}
		if done, err := s.after('}'); done || err != nil {
			return err
		}
	}
}

// after moves past what follows a member or an element: a ',' (done false)
// or closing, which ends the container (done true).
func (s *scanner) after(closing byte) (done bool, err error) {
	s.skipSpace()
	if s.i >= len(s.b) {
		return false, s.truncated()
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return false, nil
	case closing:
		s.i++
		s.pop()
		return true, nil
	}
	return false, s.unexpected("',' or '" + string(closing) + "'")
}

// value lets fn read the value at s.i, and skips it when fn did not.
func (s *scanner) value(fn func(key []byte) error, key []byte) error {
	s.skipSpace()
	if s.i >= len(s.b) {
		return s.truncated()
	}
	start := s.i
	if err := fn(key); err != nil {
		return err
	}
	if s.i == start {
		return s.skip()
	}
	return nil
}

// elements reads the array at s.i (s.b[s.i] == '['), calling fn with each
// element's index and s.i at the element, as members does.
func (s *scanner) elements(fn func(index int) error) error {
	if err := s.push(true); err != nil {
		return err
	}
	s.i++ // [
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.pop()
		return nil
	}
	top := len(s.frames) - 1
	for n := 0; ; n++ {
		s.frames[top].index = n
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.truncated()
		}
		start := s.i
		if err := fn(n); err != nil {
			return err
		}
		if s.i == start {
			if err := s.skip(); err != nil {
				return err
			}
		}
		if done, err := s.after(']'); done || err != nil {
			return err
		}
	}
}

// skip validates the value at s.i and moves past it.
func (s *scanner) skip() error {
	s.skipSpace()
	if s.i >= len(s.b) {
		return s.truncated()
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.members(func([]byte) error { return s.skip() })
	case c == '[':
		return s.elements(func(int) error { return s.skip() })
	case c == '"':
		end, _, err := s.stringEnd()
		s.i = end
		return err
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.number()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.unexpected("a value")
}

func (s *scanner) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if s.i >= len(s.b) {
			return s.truncated()
		}
		if s.b[s.i] != word[k] {
			return s.unexpected(strconv.Quote(word))
		}
		s.i++
	}
	return nil
}

// stringEnd validates the string at s.i (s.b[s.i] == '"') and returns the
// index just past its closing quote, and whether it holds escapes. s.i is
// left at the string's start unless there is an error, which it points at.
func (s *scanner) stringEnd() (end int, escaped bool, err error) {
	start := s.i
	for j := start + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			return j + 1, escaped, nil
		case c < 0x20:
			s.i = j
			return 0, false, s.unexpected("no control character inside a string")
		case c == '\\':
			escaped = true
			if j+1 >= len(s.b) {
				s.i = len(s.b)
				return 0, false, s.truncated()
			}
			switch s.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+6 > len(s.b) {
					s.i = len(s.b)
					return 0, false, s.truncated()
				}
				for k := j + 2; k < j+6; k++ {
					if !isHex(s.b[k]) {
						s.i = k
						return 0, false, s.unexpected("four hex digits after \\u")
					}
				}
				j += 5
			default:
				s.i = j + 1
				return 0, false, s.unexpected("a valid escape")
			}
		}
	}
	s.i = len(s.b)
	return 0, false, s.truncated()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number validates -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? at s.i and
// returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.i
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return nil, s.unexpected("a digit")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return nil, s.unexpected("a digit after '.'")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return nil, s.unexpected("a digit in the exponent")
		}
	}
	return s.b[start:s.i], nil
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// unquoteBytes decodes a validated JSON string with escapes into new bytes:
// \uXXXX surrogate pairs become one rune, a lone surrogate U+FFFD, as
// encoding/json reads them.
func unquoteBytes(raw []byte) []byte {
	body := raw[1 : len(raw)-1]
	out := make([]byte, 0, len(body))
	for j := 0; j < len(body); {
		c := body[j]
		if c != '\\' {
			out = append(out, c)
			j++
			continue
		}
		switch e := body[j+1]; e {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(body[j+2 : j+6])
			n := 6
			if utf16.IsSurrogate(r) {
				if j+12 <= len(body) && body[j+6] == '\\' && body[j+7] == 'u' {
					if dec := utf16.DecodeRune(r, hex4(body[j+8:j+12])); dec != utf8.RuneError {
						r, n = dec, 12
					}
				}
				if n == 6 {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
			j += n
			continue
		default: // " \ /
			out = append(out, e)
		}
		j += 2
	}
	return out
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// validUTF8 makes text of string bytes, replacing bytes that are not UTF-8
// with U+FFFD as encoding/json does (callers that must refuse such input check
// it before decoding, as package helloid does).
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
