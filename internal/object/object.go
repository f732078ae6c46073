// Package object holds JSON objects the way PowerShell sees them: keys keep their
// order and spelling, but are looked up case-insensitively. HelloID hands its
// context to scripts as PowerShell objects, so `BaseUrl`, `baseurl` and `baseUrl`
// name the same property and the binary must treat them alike.
package object

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Object is an ordered JSON object with case-insensitive keys. Use New.
type Object struct {
	keys  []string       // as first spelled, in order
	vals  []any          // values, parallel to keys
	index map[string]int // folded key -> position; only for large objects
}

// New returns an empty object.
func New() *Object { return &Object{} }

// fold is the index key of a key: the same for two keys exactly when
// strings.EqualFold says they are equal (the small-object path), so whether a
// key is found never depends on an object's size.
func fold(key string) string {
	ascii := true
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(key) // the least of an ASCII letter's orbit is its capital
	}
	var b strings.Builder
	for _, r := range key {
		// The smallest rune of r's case-folding orbit stands for all of them.
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// indexFrom is the size from which an object keeps a map of its keys; most
// JSON objects are smaller, and a few EqualFold comparisons beat building a map.
const indexFrom = 12

// find returns the position of key (any casing), or -1.
func (o *Object) find(key string) int {
	if o.index != nil {
		if i, ok := o.index[fold(key)]; ok {
			return i
		}
		return -1
	}
	for i, k := range o.keys {
		if k == key || strings.EqualFold(k, key) {
			return i
		}
	}
	return -1
}

// Len is the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Keys returns the keys in order, spelled as they arrived.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return append([]string(nil), o.keys...)
}

// Get returns the value under key, matched case-insensitively.
func (o *Object) Get(key string) (any, bool) {
	if o == nil {
		return nil, false
	}
	i := o.find(key)
	if i < 0 {
		return nil, false
	}
	return o.vals[i], true
}

// Has reports whether key is present (even with a null value).
func (o *Object) Has(key string) bool {
	_, ok := o.Get(key)
	return ok
}

// Object returns the nested object under key, or nil when there is none.
func (o *Object) Object(key string) *Object {
	v, _ := o.Get(key)
	obj, _ := v.(*Object)
	return obj
}

// Spelling returns the key as it was spelled in the object, or "" when absent.
func (o *Object) Spelling(key string) string {
	if o == nil {
		return ""
	}
	if i := o.find(key); i >= 0 {
		return o.keys[i]
	}
	return ""
}

// Set stores v under key. An existing key (in any casing) keeps its place and
// spelling; a new key goes last.
func (o *Object) Set(key string, v any) {
	if i := o.find(key); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
	switch {
	case o.index != nil:
		o.index[fold(key)] = len(o.keys) - 1
	case len(o.keys) > indexFrom:
		o.reindex()
	}
}

func (o *Object) reindex() {
	o.index = make(map[string]int, len(o.keys))
	for i, k := range o.keys {
		o.index[fold(k)] = i
	}
}

// Delete removes key (in any casing) if present.
func (o *Object) Delete(key string) {
	if o == nil {
		return
	}
	i := o.find(key)
	if i < 0 {
		return
	}
	o.keys = append(o.keys[:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i], o.vals[i+1:]...)
	if o.index != nil {
		o.reindex()
	}
}

// Each calls fn for every key in order.
func (o *Object) Each(fn func(key string, v any)) {
	if o == nil {
		return
	}
	for i, k := range o.keys {
		fn(k, o.vals[i])
	}
}

// Clone returns a deep copy.
func (o *Object) Clone() *Object {
	if o == nil {
		return nil
	}
	c := New()
	o.Each(func(k string, v any) { c.Set(k, cloneValue(v)) })
	return c
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case *Object:
		return t.Clone()
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

// Path follows a dotted path such as "Person.PrimaryContract.Title.Name",
// case-insensitively. A key that itself contains dots is found too, so
// "_extension.accessProfileLookupKey" resolves whether HelloID nested it or not.
func (o *Object) Path(dotted string) (any, bool) {
	if o == nil || dotted == "" {
		return nil, false
	}
	if v, ok := o.Get(dotted); ok {
		return v, true
	}
	head, rest, found := strings.Cut(dotted, ".")
	if !found {
		return nil, false
	}
	child, ok := o.Get(head)
	if !ok {
		return nil, false
	}
	if c, ok := child.(*Object); ok {
		return c.Path(rest)
	}
	return nil, false
}

// SetPath stores v under a dotted name, creating the objects on the way, as
// HelloID nests "_extension.accessProfileLookupKey" in Data.
func (o *Object) SetPath(dotted string, v any) {
	path := strings.Split(dotted, ".")
	for _, key := range path[:len(path)-1] {
		child := o.Object(key)
		if child == nil {
			child = New()
			o.Set(key, child)
		}
		o = child
	}
	o.Set(path[len(path)-1], v)
}

// MarshalJSON writes the object with its keys in order and without HTML
// escaping, so that "&" stays "&" for the PowerShell side.
func (o *Object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeJSON(&buf, k); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := writeJSON(&buf, o.vals[i]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Marshal encodes v as compact JSON without HTML escaping ("&" stays "&"), the
// form every output of this binary uses.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode appends a newline
	return nil
}
