package object

// Reader walks one JSON text in a single validating pass, for callers that
// read a known shape (an IPassan page, a person) straight into their own
// types instead of building objects first. It is the scanner Decode uses,
// so it accepts exactly the JSON Decode accepts, never panics, whatever the
// bytes, and reports every problem as an *Error naming the byte and the
// place.
//
// A Reader is used from the outside in: Object and Array hand each member or
// element to a callback, which reads it with one of the value methods (or
// leaves it, and it is validated and skipped).
type Reader struct{ s scanner }

// NewReader reads data, which must stay unchanged while the Reader is used.
func NewReader(data []byte) *Reader { return &Reader{s: scanner{b: data}} }

// Type is the JSON type of the next value.
type Type uint8

// The JSON types, and TypeNone for the end of the input or a byte that
// starts no value.
const (
	TypeNone Type = iota
	TypeObject
	TypeArray
	TypeString
	TypeNumber
	TypeBool
	TypeNull
)

// String names a type the way Kind names a decoded value.
func (t Type) String() string {
	switch t {
	case TypeObject:
		return "an object"
	case TypeArray:
		return "an array"
	case TypeString:
		return "text"
	case TypeNumber:
		return "a number"
	case TypeBool:
		return "a boolean"
	case TypeNull:
		return "null"
	}
	return "no JSON value"
}

// Type peeks at the next value without reading it.
func (r *Reader) Type() Type {
	r.s.skipSpace()
	if r.s.i >= len(r.s.b) {
		return TypeNone
	}
	switch c := r.s.b[r.s.i]; {
	case c == '{':
		return TypeObject
	case c == '[':
		return TypeArray
	case c == '"':
		return TypeString
	case c == '-' || c >= '0' && c <= '9':
		return TypeNumber
	case c == 't' || c == 'f':
		return TypeBool
	case c == 'n':
		return TypeNull
	}
	return TypeNone
}

// Offset is the byte the Reader has reached.
func (r *Reader) Offset() int { return r.s.i }

// want fails unless the next value is of type t.
func (r *Reader) want(t Type) error {
	got := r.Type()
	if got == t {
		return nil
	}
	if got == TypeNone {
		return r.s.unexpected(t.String())
	}
	return r.s.errorAt("expected %s, got %s", t, got)
}

// Object reads an object, calling fn for each member with its key
// (unescaped; only valid until fn returns, so copy what you keep) while the
// Reader stands at the member's value.
func (r *Reader) Object(fn func(key []byte) error) error {
	if err := r.want(TypeObject); err != nil {
		return err
	}
	return r.s.members(fn)
}

// Array reads an array, calling fn for each element with its index while the
// Reader stands at the element.
func (r *Reader) Array(fn func(index int) error) error {
	if err := r.want(TypeArray); err != nil {
		return err
	}
	return r.s.elements(fn)
}

// Raw validates the next value and returns its bytes (a subslice of the
// input).
func (r *Reader) Raw() ([]byte, error) {
	r.s.skipSpace()
	start := r.s.i
	if err := r.s.skip(); err != nil {
		return nil, err
	}
	return r.s.b[start:r.s.i], nil
}

// Skip validates the next value and moves past it.
func (r *Reader) Skip() error { return r.s.skip() }

// Text reads a scalar as text: a string unescaped, a number or a boolean as
// written, null as "". For an object or an array it reads nothing and
// reports ok false.
func (r *Reader) Text() (text string, ok bool, err error) {
	switch r.Type() {
	case TypeObject, TypeArray:
		return "", false, nil
	case TypeString:
		start := r.s.i
		end, _, err := r.s.stringEnd()
		if err != nil {
			return "", false, err
		}
		r.s.i = end
		return validUTF8Text(r.s.b[start:end]), true, nil
	case TypeNumber:
		n, err := r.s.number()
		return string(n), err == nil, err
	case TypeNull:
		return "", true, r.s.literal("null")
	case TypeBool:
		if r.s.b[r.s.i] == 't' {
			return "true", true, r.s.literal("true")
		}
		return "false", true, r.s.literal("false")
	}
	return "", false, r.s.unexpected("a value")
}

// validUTF8Text unquotes a validated string, replacing invalid UTF-8.
func validUTF8Text(raw []byte) string {
	if !hasByte(raw, '\\') {
		return validUTF8(raw[1 : len(raw)-1])
	}
	return validUTF8(unquoteBytes(raw))
}

// Value decodes the next value as Decode does (objects as *Object, within
// MaxDecodeMemory).
func (r *Reader) Value() (any, error) {
	d := decoder{s: r.s}
	v, err := d.decode()
	r.s.i = d.s.i
	return v, err
}

// End fails unless only white space is left.
func (r *Reader) End() error {
	r.s.skipSpace()
	if r.s.i < len(r.s.b) {
		return r.s.errorAt("unexpected data after the JSON value")
	}
	return nil
}

// Errorf makes an *Error at the Reader's position, for a value that is valid
// JSON but not what the caller can use.
func (r *Reader) Errorf(format string, args ...any) error {
	r.s.skipSpace()
	return r.s.errorAt(format, args...)
}
