package fieldmapping

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// mf is one field of a test mapping; value is plain text and gets the JSON
// encoding HelloID stores it with.
type mf struct {
	name, typ, mode, value string
	actions                []string
}

func mappingJSON(t *testing.T, fields ...mf) []byte {
	t.Helper()
	type action struct {
		MapForActions []string
		MappingMode   string
		Value         string
	}
	type fieldJSON struct {
		Name           string
		Type           string
		MappingActions []action
	}
	out := struct {
		Version       string
		MappingFields []fieldJSON
	}{Version: "v1", MappingFields: []fieldJSON{}}
	for _, f := range fields {
		value, err := json.Marshal(f.value)
		require.NoError(t, err)
		if f.typ == "" {
			f.typ = "Text"
		}
		if f.actions == nil {
			f.actions = []string{"Create", "Update"}
		}
		out.MappingFields = append(out.MappingFields, fieldJSON{Name: f.name, Type: f.typ,
			MappingActions: []action{{MapForActions: f.actions, MappingMode: f.mode, Value: string(value)}}})
	}
	raw, err := json.Marshal(out)
	require.NoError(t, err)
	return raw
}

func mustParse(t *testing.T, fields ...mf) *Mapping {
	t.Helper()
	m, err := Parse(mappingJSON(t, fields...))
	require.NoError(t, err)
	return m
}

func mustDecode(t *testing.T, s string) *object.Object {
	t.Helper()
	o, err := object.DecodeObject([]byte(s))
	require.NoError(t, err)
	return o
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := object.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestParseErrors(t *testing.T) {
	field := func(body string) string { return `{"MappingFields":[` + body + `]}` }
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, "not valid JSON"},
		{"not JSON", `Name;Type`, "not valid JSON at line 1, column 1: invalid character 'N'"},
		{"truncated", `{"MappingFields":[`, "not valid JSON"},
		{"array", `[]`, "the file is a JSON array where an object was expected"},
		{"no MappingFields", `{"Version":"v1"}`, "the file has no MappingFields"},
		{"MappingFields not a list", `{"MappingFields":"x"}`, "MappingFields is a JSON string where an array was expected"},
		{"no Name", field(`{"Type":"Text"}`), "MappingFields[0] has no Name"},
		{"blank Name", field(`{"Name":"a"},{"Name":" "}`), "MappingFields[1] has no Name"},
		{"empty name part", field(`{"Name":"a..b"}`), `field "a..b": the name has an empty part`},
		{"duplicate", field(`{"Name":"mail"},{"Name":"Mail"}`), `fields "mail" and "Mail" have the same name`},
		{"leaf and object", field(`{"Name":"x.y.z"},{"Name":"x.y"}`), `field "x.y.z" nests inside field "x.y"`},
		{"unknown type", field(`{"Name":"n","Type":"Number"}`), `field "n": unknown Type "Number"`},
		{"unknown mode", field(`{"Name":"mail","MappingActions":[{"MapForActions":["Create"],"MappingMode":"Script","Value":"\"x\""}]}`),
			`field "mail": unknown MappingMode "Script" (want Field, Fixed, Complex or None)`},
		{"no mode", field(`{"Name":"mail","MappingActions":[{"MapForActions":["Create"]}]}`), `field "mail": unknown MappingMode ""`},
		{"Field without path", field(`{"Name":"mail","MappingActions":[{"MapForActions":["Create"],"MappingMode":"Field","Value":"\"\""}]}`),
			`field "mail" (Field): no person path in Value`},
		{"Value not text", field(`{"Name":"n","MappingActions":[{"MappingMode":"Fixed","Value":2}]}`),
			"MappingFields.MappingActions.Value is a JSON number where text was expected"},
		{"JavaScript syntax", field(`{"Name":"mail","MappingActions":[{"MappingMode":"Complex","Value":"\"let a = 1;\\r\\nlet b = ;\""}]}`),
			`field "mail" (Complex): SyntaxError: Unexpected token ; at line 2, column 9`},
		{"JavaScript redeclaration", field(`{"Name":"mail","MappingActions":[{"MappingMode":"Complex","Value":"\"let a = 1;\\nlet a = 2;\""}]}`),
			`field "mail" (Complex): SyntaxError: Identifier 'a' has already been declared at line 2`},
		{"property escape", field(`{"Name":"mail","MappingActions":[{"MappingMode":"Complex","Value":"\"'x'\\n.replace(/\\\\p{Diacritic}/gu, '')\""}]}`),
			`field "mail" (Complex): Unicode property escapes (\p{…}) in regular expressions are not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseAcceptsLooseButHarmlessInput(t *testing.T) {
	m, err := Parse([]byte(`{"MappingFields":[
		{"Name":"a","MappingActions":[{"MapForActions":["create","Archive"],"MappingMode":"fixed","Value":"not JSON"}]},
		{"Name":"b","Type":"array","MappingActions":[]}
	]}`))
	require.NoError(t, err)
	assert.Equal(t, []Field{
		{Name: "a", Type: "Text", Actions: []Action{{For: []string{"create", "Archive"}, Mode: "Fixed", Value: "not JSON"}}},
		{Name: "b", Type: "Array", Actions: []Action{}}, // never nil, so JSON output shows []
	}, m.Fields())
	data, err := m.Map("CREATE", nil, Options{})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"not JSON"}`, marshal(t, data)) // b has no entry for Create
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	content := string(mappingJSON(t, mf{name: "type", mode: "Fixed", value: "2"}))
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(content)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	for name, raw := range map[string][]byte{
		"plain.json":   []byte(content),
		"utf8bom.json": append([]byte{0xEF, 0xBB, 0xBF}, content...),
		"utf16.json":   utf16le,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, raw, 0o600))
			m, err := Load(path)
			require.NoError(t, err)
			data, err := m.Map("Create", nil, Options{})
			require.NoError(t, err)
			assert.Equal(t, `{"type":"2"}`, marshal(t, data))
		})
	}

	missing := filepath.Join(dir, "nope.json")
	_, err := Load(missing)
	assert.EqualError(t, err, `field mapping file "`+missing+`" does not exist`)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"Version":"v1"}`), 0o600))
	_, err = Load(bad)
	assert.ErrorContains(t, err, `field mapping file "`+bad+`": the file has no MappingFields`)
}

func TestFieldsListsEveryEntryAndIsACopy(t *testing.T) {
	m, err := Load("../../testdata/fixtures/powershell-connector/fieldMapping.json")
	require.NoError(t, err)
	fields := m.Fields()
	var names []string
	for _, f := range fields {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"lastname", "firstname", "phone", "mail", "number", "type", "other", "_extension.accessProfileLookupKey"}, names)
	assert.Equal(t, Field{
		Name:        "type",
		Description: "1: Resident\n2: Employee\n3: Visitor",
		Type:        "Text",
		Actions:     []Action{{For: []string{"Create", "Update"}, Mode: "Fixed", Value: "2"}},
	}, fields[5])
	assert.Equal(t, Action{For: []string{"Update", "Enable"}, Mode: "Field", Value: "Person.PrimaryContract.Title.Name"}, fields[7].Actions[0])
	assert.Contains(t, fields[3].Actions[0].Value, "function getEmail() {\r\n    let mail = '';")

	fields[5].Actions[0].Value = "changed"
	fields[5].Actions[0].For[0] = "Delete"
	assert.Equal(t, "2", m.Fields()[5].Actions[0].Value)
	assert.Equal(t, "Create", m.Fields()[5].Actions[0].For[0])
}
