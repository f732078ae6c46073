package object

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply objects and arrays may nest. HelloID's persons nest
// about eight levels; anything far deeper is hostile or broken input.
const MaxDepth = 100

// Decode parses one JSON value. Objects become *Object, arrays []any, numbers
// json.Number (so "500" and 500 keep their text), strings, bools and nil stay
// themselves. Two keys of one object that differ only in case are an error, as
// they are for PowerShell's ConvertFrom-Json: the binary cannot know which one
// HelloID meant.
//
// It is a small recursive-descent parser rather than encoding/json's token
// stream: a plan reads tens of thousands of persons, and this is about ten
// times faster while checking the same grammar.
func Decode(data []byte) (any, error) {
	p := parser{b: data}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if p.skipSpace(); p.i < len(p.b) {
		return nil, fmt.Errorf("unexpected data after the JSON value at byte %d", p.i)
	}
	return v, nil
}

// DecodeObject parses data that must hold one JSON object.
func DecodeObject(data []byte) (*Object, error) {
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("expected a JSON object, got %s", Kind(v))
	}
	return o, nil
}

var errTruncated = errors.New("the JSON ends too early (truncated input?)")

type parser struct {
	b    []byte
	i    int
	path []string          // keys and indexes down to the value being parsed, for messages
	keys map[string]string // keys seen, so that repeated keys share one string
}

// key reads an object key, reusing the string of an earlier equal key.
func (p *parser) key() (string, error) {
	start := p.i + 1
	for j := start; j < len(p.b) && j-start < 64; j++ {
		if c := p.b[j]; c == '"' {
			if k, ok := p.keys[string(p.b[start:j])]; ok {
				p.i = j + 1
				return k, nil
			}
			break
		} else if c == '\\' || c < 0x20 {
			break
		}
	}
	k, err := p.string()
	if err == nil && len(k) <= 64 {
		if p.keys == nil {
			p.keys = map[string]string{}
		}
		p.keys[k] = k
	}
	return k, err
}

func (p *parser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// unexpected reports the byte at p.i, or truncation at the end.
func (p *parser) unexpected(want string) error {
	if p.i >= len(p.b) {
		return errTruncated
	}
	return fmt.Errorf("invalid JSON at byte %d: unexpected %q, expected %s", p.i, p.b[p.i], want)
}

func (p *parser) where() string {
	if len(p.path) == 0 {
		return "the top-level object"
	}
	var b strings.Builder
	for i, part := range p.path {
		if i > 0 && !strings.HasPrefix(part, "[") {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

func (p *parser) value(depth int) (any, error) {
	p.skipSpace()
	if p.i >= len(p.b) {
		return nil, errTruncated
	}
	switch c := p.b[p.i]; {
	case c == '{' || c == '[':
		if depth >= MaxDepth {
			return nil, fmt.Errorf("the JSON nests deeper than %d levels at %s", MaxDepth, p.where())
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.unexpected("a value")
}

func (p *parser) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.b) {
			return errTruncated
		}
		if p.b[p.i] != word[k] {
			return p.unexpected(strconv.Quote(word))
		}
		p.i++
	}
	return nil
}

func (p *parser) object(depth int) (*Object, error) {
	p.i++ // {
	o := New()
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return o, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.unexpected("a key")
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.unexpected("':'")
		}
		p.i++
		if o.Has(key) {
			return nil, fmt.Errorf("%s has the key %q twice (as %q and %q); keys are case-insensitive",
				p.where(), key, o.Spelling(key), key)
		}
		p.path = append(p.path, key)
		v, err := p.value(depth)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		o.Set(key, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, errTruncated
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return o, nil
		default:
			return nil, p.unexpected("',' or '}'")
		}
	}
}

func (p *parser) array(depth int) ([]any, error) {
	p.i++ // [
	out := []any{}
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return out, nil
	}
	for {
		p.path = append(p.path, "["+strconv.Itoa(len(out))+"]")
		v, err := p.value(depth)
		p.path = p.path[:len(p.path)-1]
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.skipSpace()
		if p.i >= len(p.b) {
			return nil, errTruncated
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return out, nil
		default:
			return nil, p.unexpected("',' or ']'")
		}
	}
}

// string reads a JSON string at p.b[p.i] == '"'. Without escapes it is one
// copy; with them it is decoded, \uXXXX surrogate pairs included.
func (p *parser) string() (string, error) {
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			p.i = j + 1
			return validUTF8(p.b[start:j]), nil
		case c == '\\':
			return p.escapedString(start)
		case c < 0x20:
			p.i = j
			return "", p.unexpected("no control character inside a string")
		}
	}
	p.i = len(p.b)
	return "", errTruncated
}

func (p *parser) escapedString(start int) (string, error) {
	out := make([]byte, 0, 32)
	j := start
	for j < len(p.b) {
		c := p.b[j]
		switch {
		case c == '"':
			p.i = j + 1
			return validUTF8(out), nil
		case c < 0x20:
			p.i = j
			return "", p.unexpected("no control character inside a string")
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(p.b) {
			p.i = len(p.b)
			return "", errTruncated
		}
		switch e := p.b[j+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
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
			r, n, err := p.unicodeEscape(j)
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
			j += n
			continue
		default:
			p.i = j + 1
			return "", p.unexpected("a valid escape")
		}
		j += 2
	}
	p.i = len(p.b)
	return "", errTruncated
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

// unicodeEscape reads \uXXXX at p.b[j], and a following low surrogate when
// the first is a high one. It returns the rune and the bytes consumed.
func (p *parser) unicodeEscape(j int) (rune, int, error) {
	hex4 := func(at int) (rune, error) {
		if at+6 > len(p.b) {
			return 0, errTruncated
		}
		n, err := strconv.ParseUint(string(p.b[at+2:at+6]), 16, 32)
		if err != nil {
			p.i = at
			return 0, p.unexpected("four hex digits after \\u")
		}
		return rune(n), nil
	}
	r, err := hex4(j)
	if err != nil {
		return 0, 0, err
	}
	if utf16.IsSurrogate(r) && j+12 <= len(p.b) && p.b[j+6] == '\\' && p.b[j+7] == 'u' {
		if r2, err := hex4(j + 6); err == nil {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 12, nil
			}
		}
	}
	if utf16.IsSurrogate(r) {
		r = utf8.RuneError // a lone surrogate, as encoding/json reads it
	}
	return r, 6, nil
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? as json.Number.
func (p *parser) number() (json.Number, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case digits() == 0:
		return "", p.unexpected("a digit")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return "", p.unexpected("a digit after '.'")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return "", p.unexpected("a digit in the exponent")
		}
	}
	return json.Number(p.b[start:p.i]), nil
}

// Kind names the JSON type of a decoded value, for error messages.
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case *Object:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "text"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// DecodeEach parses a JSON array one element at a time, handing each to fn
// and keeping none: a file of fifty thousand persons never exists as one tree.
// It stops at fn's first error.
func DecodeEach(data []byte, fn func(index int, v any) error) error {
	p := parser{b: data}
	p.skipSpace()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.unexpected("a JSON array")
	}
	p.i++
	for n := 0; ; n++ {
		p.skipSpace()
		if n == 0 && p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			break
		}
		p.path = append(p.path[:0], "["+strconv.Itoa(n)+"]")
		v, err := p.value(1)
		if err != nil {
			return err
		}
		if err := fn(n, v); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) {
			return errTruncated
		}
		if p.b[p.i] == ']' {
			p.i++
			break
		}
		if p.b[p.i] != ',' {
			return p.unexpected("',' or ']'")
		}
		p.i++
	}
	if p.skipSpace(); p.i < len(p.b) {
		return fmt.Errorf("unexpected data after the JSON value at byte %d", p.i)
	}
	return nil
}
