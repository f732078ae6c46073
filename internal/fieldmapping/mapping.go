// Package fieldmapping evaluates HelloID's fieldMapping.json: for one action it
// turns a person into the Data object HelloID hands a target connector as
// $actionContext.Data. It lets the binary, and the admin testing it, see what
// HelloID will send without a round trip through the HelloID portal.
//
// HelloID compatibility: in Complex mappings a person without Accounts, or
// without an entry for a target system in it, reads that system as an empty
// object, as a person without an account there does in HelloID (accounts.go).
package fieldmapping

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// DefaultTimeout is how long one Complex mapping may run when Options.Timeout
// is zero. Real mappings finish in microseconds; the limit only catches loops.
const DefaultTimeout = 500 * time.Millisecond

// Mapping is a parsed fieldMapping.json. It is not changed after Parse, so one
// Mapping may be used by several goroutines at once.
type Mapping struct {
	fields []field
	unique []string // UniqueFieldNames, in the fields' spelling
}

// Options tune Map.
type Options struct {
	// Timeout limits each Complex mapping; zero means DefaultTimeout.
	Timeout time.Duration
}

// Field describes one mapped field, for admin tools.
type Field struct {
	Name        string   // as in the file; dots nest in Data
	Description string   // free text from the HelloID portal
	Type        string   // Text, Array or Boolean
	Actions     []Action // in file order, never nil; for an action the first that lists it applies
}

// Action is one entry of a field's MappingActions.
type Action struct {
	For   []string // the actions it applies to, as the file spells them
	Mode  string   // Field, Fixed, Complex or None
	Value string   // decoded: the person path, the literal text or the JavaScript source
}

// FieldError is a failure of one field. Its message names the field, because
// that is what an admin has to find and fix in the HelloID portal.
type FieldError struct {
	Field string // as named in the file
	Mode  string // Field, Fixed or Complex
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q (%s): %v", e.Field, e.Mode, e.Err) }

func (e *FieldError) Unwrap() error { return e.Err }

const (
	modeField   = "Field"
	modeFixed   = "Fixed"
	modeComplex = "Complex"
	modeNone    = "None"

	typeText    = "Text"
	typeArray   = "Array"
	typeBoolean = "Boolean"
)

// The file is written by HelloID, but people also edit copies by hand; names
// are therefore matched case-insensitively and reported in HelloID's spelling.
var (
	modes   = canonical(modeField, modeFixed, modeComplex, modeNone)
	types   = canonical(typeText, typeArray, typeBoolean)
	actions = canonical("Create", "Update", "Enable", "Disable", "Delete")
)

func canonical(names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = n
	}
	return m
}

type field struct {
	Field
	path    []string // Name split on its dots
	entries []entry
}

type entry struct {
	Action
	forActions map[string]bool // canonical action names
	program    *goja.Program   // Complex only; compiled once, safe to share
}

// Load reads and parses a fieldMapping.json file.
func Load(path string) (*Mapping, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("field mapping file %q does not exist", path)
	}
	if err != nil {
		return nil, fmt.Errorf("field mapping file: %w", err)
	}
	m, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("field mapping file %q: %w", path, err)
	}
	return m, nil
}

// The shape of the file. Value is a JSON string holding JSON text again (the
// portal stores the editor's content encoded), decoded in parseEntry.
type (
	fileJSON struct {
		MappingFields    *[]fieldJSON
		UniqueFieldNames []string
	}
	fieldJSON struct {
		Name           string
		Description    string
		Type           string
		MappingActions []actionJSON
	}
	actionJSON struct {
		MapForActions []string
		MappingMode   string
		Value         *string
	}
)

// Parse parses the content of a fieldMapping.json, in UTF-8 or UTF-16 with or
// without a byte-order mark. Complex mappings are compiled here, so a script
// goja cannot read fails when the file is loaded rather than halfway an action.
func Parse(raw []byte) (*Mapping, error) {
	text, err := textenc.ToUTF8(raw)
	if err != nil {
		return nil, err
	}
	var file fileJSON
	if err := json.Unmarshal(text, &file); err != nil {
		return nil, explainJSON(text, err)
	}
	if file.MappingFields == nil {
		return nil, errors.New("the file has no MappingFields; is it a HelloID fieldMapping.json?")
	}
	m := &Mapping{}
	seen := map[string]string{} // folded name -> name
	for i, fj := range *file.MappingFields {
		f, err := parseField(i, fj)
		if err != nil {
			return nil, err
		}
		folded := strings.ToLower(f.Name)
		if other, dup := seen[folded]; dup {
			return nil, fmt.Errorf("fields %q and %q have the same name (names are case-insensitive)", other, f.Name)
		}
		seen[folded] = f.Name
		m.fields = append(m.fields, f)
	}
	// "a" and "a.b" cannot both be sent: Data.a would have to be text and an
	// object at once.
	for _, f := range m.fields {
		for n := 1; n < len(f.path); n++ {
			if leaf, ok := seen[strings.ToLower(strings.Join(f.path[:n], "."))]; ok {
				return nil, fmt.Errorf("field %q nests inside field %q, which is not an object", f.Name, leaf)
			}
		}
	}
	if m.unique, err = uniqueFieldNames(file.UniqueFieldNames, seen); err != nil {
		return nil, err
	}
	return m, nil
}

// uniqueFieldNames checks UniqueFieldNames against the mapped fields (seen:
// folded name -> name). HelloID offers only mapped fields there, so any other
// name is a hand edit gone wrong, and a check of it would silently check
// nothing. Names match without regard to case and take the field's spelling;
// one named twice counts once.
func uniqueFieldNames(names []string, seen map[string]string) ([]string, error) {
	var out []string
	listed := map[string]bool{}
	for i, n := range names {
		folded := strings.ToLower(strings.TrimSpace(n))
		if folded == "" {
			return nil, fmt.Errorf("UniqueFieldNames[%d] is empty", i)
		}
		name, ok := seen[folded]
		if !ok {
			return nil, fmt.Errorf("UniqueFieldNames lists %q, which is not one of the MappingFields", n)
		}
		if !listed[folded] {
			listed[folded] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// UniqueFieldNames are the fields HelloID's uniqueness check checks, as the
// file's UniqueFieldNames lists them (in the fields' own spelling); empty
// when it lists none. The result is a copy.
func (m *Mapping) UniqueFieldNames() []string { return append([]string{}, m.unique...) }

func parseField(i int, fj fieldJSON) (field, error) {
	if strings.TrimSpace(fj.Name) == "" {
		return field{}, fmt.Errorf("MappingFields[%d] has no Name", i)
	}
	f := field{Field: Field{Name: fj.Name, Description: fj.Description, Actions: []Action{}}, path: strings.Split(fj.Name, ".")}
	for _, part := range f.path {
		if part == "" {
			return field{}, fmt.Errorf("field %q: the name has an empty part between dots", fj.Name)
		}
	}
	f.Type = typeText // older exports leave Type out; the portal's default is Text
	if fj.Type != "" {
		t, ok := types[strings.ToLower(fj.Type)]
		if !ok {
			return field{}, fmt.Errorf("field %q: unknown Type %q (want Text, Array or Boolean)", fj.Name, fj.Type)
		}
		f.Type = t
	}
	for _, aj := range fj.MappingActions {
		e, err := parseEntry(fj.Name, aj)
		if err != nil {
			return field{}, err
		}
		f.entries = append(f.entries, e)
		f.Actions = append(f.Actions, e.Action)
	}
	return f, nil
}

func parseEntry(name string, aj actionJSON) (entry, error) {
	mode, ok := modes[strings.ToLower(aj.MappingMode)]
	if !ok {
		return entry{}, fmt.Errorf("field %q: unknown MappingMode %q (want Field, Fixed, Complex or None)", name, aj.MappingMode)
	}
	e := entry{
		Action:     Action{For: append([]string(nil), aj.MapForActions...), Mode: mode},
		forActions: map[string]bool{},
	}
	if aj.Value != nil {
		e.Value = *aj.Value
		// A Value that is not JSON was typed by hand; it means itself.
		var s string
		if json.Unmarshal([]byte(*aj.Value), &s) == nil {
			e.Value = s
		}
	}
	// An action HelloID may add later is kept but never asked for; Map rejects
	// unknown actions, so a typo cannot silently map nothing.
	for _, a := range aj.MapForActions {
		if c, ok := actions[strings.ToLower(a)]; ok {
			e.forActions[c] = true
		}
	}
	switch mode {
	case modeField:
		if strings.TrimSpace(e.Value) == "" {
			return entry{}, &FieldError{Field: name, Mode: mode, Err: errors.New("no person path in Value")}
		}
	case modeComplex:
		p, err := compile(name, e.Value)
		if err != nil {
			return entry{}, &FieldError{Field: name, Mode: mode, Err: err}
		}
		e.program = p
	}
	return e, nil
}

// explainJSON turns encoding/json's errors into messages about the file.
func explainJSON(text []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// encoding/json's Offset is just past the byte it refused.
		line, col := object.Position(text, int(syn.Offset)-1)
		return fmt.Errorf("not valid JSON at line %d, column %d: %v", line, col, syn)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "the file"
		}
		return fmt.Errorf("%s is a JSON %s where %s was expected; is it a HelloID fieldMapping.json?", where, typ.Value, kindOf(typ.Type))
	}
	return err
}

func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Pointer:
		return "an object"
	}
	return t.String()
}

// Fields lists the mapping's fields in file order. The result is a copy.
func (m *Mapping) Fields() []Field {
	out := make([]Field, len(m.fields))
	for i, f := range m.fields {
		c := f.Field
		c.Actions = make([]Action, len(f.Actions))
		for j, a := range f.Actions {
			a.For = append([]string(nil), a.For...)
			c.Actions[j] = a
		}
		out[i] = c
	}
	return out
}
