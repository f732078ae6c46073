package object

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxDepth is how deeply objects and arrays may nest. HelloID's persons nest
// about eight levels; anything far deeper is hostile or broken input.
const MaxDepth = 100

// Decode parses one JSON value. Objects become *Object, arrays []any, numbers
// json.Number (so "500" and 500 keep their text), strings, bools and nil stay
// themselves. Two keys of one object that differ only in case are an error, as
// they are for PowerShell's ConvertFrom-Json: the binary cannot know which one
// HelloID meant.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	d := decoder{dec: dec}
	v, err := d.value(0, "")
	if err != nil {
		return nil, d.explain(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value at byte %d", dec.InputOffset())
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

type decoder struct{ dec *json.Decoder }

// explain turns encoding/json's errors into messages an admin can act on.
func (d decoder) explain(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends too early (truncated input?)")
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	}
	return err
}

func (d decoder) value(depth int, path string) (any, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth >= MaxDepth {
		return nil, fmt.Errorf("the JSON nests deeper than %d levels at %s", MaxDepth, describe(path))
	}
	switch delim {
	case '{':
		return d.object(depth+1, path)
	case '[':
		return d.array(depth+1, path)
	}
	return nil, fmt.Errorf("invalid JSON at byte %d: unexpected %q", d.dec.InputOffset(), delim)
}

func (d decoder) object(depth int, path string) (*Object, error) {
	o := New()
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("invalid JSON at byte %d: expected a key", d.dec.InputOffset())
		}
		if o.Has(key) {
			return nil, fmt.Errorf("%s has the key %q twice (as %q and %q); keys are case-insensitive",
				describe(path), key, o.Spelling(key), key)
		}
		v, err := d.value(depth, join(path, key))
		if err != nil {
			return nil, err
		}
		o.Set(key, v)
	}
	if _, err := d.dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	return o, nil
}

func (d decoder) array(depth int, path string) ([]any, error) {
	out := []any{}
	for i := 0; d.dec.More(); i++ {
		v, err := d.value(depth, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if _, err := d.dec.Token(); err != nil { // the closing bracket
		return nil, err
	}
	return out, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(path string) string {
	if path == "" {
		return "the top-level object"
	}
	return strings.TrimPrefix(path, ".")
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
