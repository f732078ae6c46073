// Package object holds JSON objects the way PowerShell sees them: keys keep their
// order and spelling, but are looked up case-insensitively. HelloID hands its
// context to scripts as PowerShell objects, so `BaseUrl`, `baseurl` and `baseUrl`
// name the same property and the binary must treat them alike.
package object

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Object is an ordered JSON object with case-insensitive keys. Use New.
//
// An Object is one pointer: an empty one, the commonest value of large
// hostile inputs, costs eight bytes.
type Object struct{ d *objectData }

type objectData struct {
	members []member
	index   *foldIndex // only for objects of more than indexFrom keys
}

type member struct {
	key string // as first spelled
	val any
}

// New returns an empty object.
func New() *Object { return &Object{} }

// indexFrom is the size from which an object keeps an index of its keys; most
// JSON objects are smaller, and a few EqualFold comparisons beat hashing.
const indexFrom = 12

// find returns the position of key (any casing), or -1.
func (o *Object) find(key string) int {
	if o == nil || o.d == nil {
		return -1
	}
	if o.d.index != nil {
		return o.d.index.find(o.d.members, key)
	}
	return findIn(o.d.members, key)
}

// add appends a member whose key is not there yet.
func (d *objectData) add(key string, v any) {
	d.members = append(d.members, member{key, v})
	switch {
	case d.index != nil && d.index.roomFor(len(d.members)):
		d.index.insert(d.members, len(d.members)-1)
	case len(d.members) > indexFrom:
		d.reindex()
	}
}

func (d *objectData) reindex() {
	d.index = newFoldIndex(max(cap(d.members), len(d.members)))
	for i := range d.members {
		d.index.insert(d.members, i)
	}
}

// Len is the number of keys.
func (o *Object) Len() int {
	if o == nil || o.d == nil {
		return 0
	}
	return len(o.d.members)
}

// Keys returns the keys in order, spelled as they arrived.
func (o *Object) Keys() []string {
	if o.Len() == 0 {
		return nil
	}
	keys := make([]string, len(o.d.members))
	for i, m := range o.d.members {
		keys[i] = m.key
	}
	return keys
}

// Get returns the value under key, matched case-insensitively.
func (o *Object) Get(key string) (any, bool) {
	i := o.find(key)
	if i < 0 {
		return nil, false
	}
	return o.d.members[i].val, true
}

// Has reports whether key is present (even with a null value).
func (o *Object) Has(key string) bool {
	return o.find(key) >= 0
}

// Object returns the nested object under key, or nil when there is none.
func (o *Object) Object(key string) *Object {
	v, _ := o.Get(key)
	obj, _ := v.(*Object)
	return obj
}

// Spelling returns the key as it was spelled in the object, or "" when absent.
func (o *Object) Spelling(key string) string {
	if i := o.find(key); i >= 0 {
		return o.d.members[i].key
	}
	return ""
}

// Set stores v under key. An existing key (in any casing) keeps its place and
// spelling; a new key goes last.
func (o *Object) Set(key string, v any) {
	if i := o.find(key); i >= 0 {
		o.d.members[i].val = v
		return
	}
	if o.d == nil {
		o.d = &objectData{}
	}
	o.d.add(key, v)
}

// Delete removes key (in any casing) if present.
func (o *Object) Delete(key string) {
	i := o.find(key)
	if i < 0 {
		return
	}
	o.d.members = append(o.d.members[:i], o.d.members[i+1:]...)
	o.d.index = nil
	if len(o.d.members) > indexFrom {
		o.d.reindex()
	}
}

// Each calls fn for every key in order.
func (o *Object) Each(fn func(key string, v any)) {
	if o.Len() == 0 {
		return
	}
	for _, m := range o.d.members {
		fn(m.key, m.val)
	}
}

// Clone returns a deep copy.
func (o *Object) Clone() *Object {
	if o == nil {
		return nil
	}
	c := New()
	if o.Len() == 0 {
		return c
	}
	c.d = &objectData{members: make([]member, len(o.d.members))}
	for i, m := range o.d.members {
		c.d.members[i] = member{m.key, cloneValue(m.val)}
	}
	if o.d.index != nil {
		c.d.reindex()
	}
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

func (o *Object) members() []member {
	if o.Len() == 0 {
		return nil
	}
	return o.d.members
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
	for i, m := range o.members() {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeJSON(&buf, m.key); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := writeJSON(&buf, m.val); err != nil {
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
