package fieldmapping

import (
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Map evaluates the fields mapped for action against personContext
// ({"Person": …, "Manager": …}; may be nil) and returns Data: dotted names
// nested, fields in file order. Fields without an entry for the action, or
// with mode None, are left out, as HelloID leaves them out of
// $actionContext.Data. The first failing field stops the mapping with a
// *FieldError.
func (m *Mapping) Map(action string, personContext *object.Object, opts Options) (*object.Object, error) {
	act, ok := actions[strings.ToLower(action)]
	if !ok {
		return nil, fmt.Errorf("unknown action %q (want Create, Update, Enable, Disable or Delete)", action)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	data := object.New()
	for i := range m.fields {
		f := &m.fields[i]
		e := f.entryFor(act)
		if e == nil || e.Mode == modeNone {
			continue
		}
		v, err := f.evaluate(e, personContext, opts)
		if err != nil {
			return nil, &FieldError{Field: f.Name, Mode: e.Mode, Err: err}
		}
		put(data, f.path, v)
	}
	return data, nil
}

func (f *field) entryFor(action string) *entry {
	for i := range f.entries {
		if f.entries[i].forActions[action] {
			return &f.entries[i]
		}
	}
	return nil
}

func (f *field) evaluate(e *entry, personContext *object.Object, opts Options) (any, error) {
	switch e.Mode {
	case modeField:
		v, _ := personContext.Path(e.Value) // a person without the attribute sends null
		out, err := convert(f.Type, v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Value, err)
		}
		return out, nil
	case modeFixed:
		return convert(f.Type, e.Value)
	default:
		v, err := runComplex(e.program, personContext, f.Type, opts.Timeout)
		if err != nil {
			return nil, err
		}
		return convert(f.Type, v)
	}
}

// convert gives a value the form its field's Type promises the connector
// script. Boolean fields are sent as text "true"/"false", the form HelloID's
// PowerShell side compares against; a null Array is sent as an empty array so
// that scripts can loop over it without a null check.
func convert(typ string, v any) (any, error) {
	if typ == typeArray {
		switch t := v.(type) {
		case nil:
			return []any{}, nil
		case []any:
			return t, nil
		}
		return []any{v}, nil
	}
	if v == nil {
		return nil, nil
	}
	s, ok := object.Text(v)
	if !ok {
		return nil, fmt.Errorf("got %s; a %s field needs text, a number or a boolean", object.Kind(v), typ)
	}
	return s, nil
}

// put stores v under a dotted field name, creating the objects on the way.
// Parse guarantees no field name is a prefix of another, so every step on the
// way is an object or absent.
func put(data *object.Object, path []string, v any) {
	for _, key := range path[:len(path)-1] {
		child := data.Object(key)
		if child == nil {
			child = object.New()
			data.Set(key, child)
		}
		data = child
	}
	data.Set(path[len(path)-1], v)
}
