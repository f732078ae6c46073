package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

var (
	adminPerson  = repotest.Path("testdata", "admin", "person.json")
	adminMapping = repotest.Path("testdata", "admin", "fieldMapping.json")
)

// HelloID's kind of person (nested contracts, diacritics, "van der", a
// partner name, a manager) through a fieldMapping.json with Field, Fixed,
// Complex and None entries: every value, for every action.
func TestMapEveryValue(t *testing.T) {
	t.Parallel()
	createFields := map[string]any{
		"lastname":  "van der Meer-Đurić",                                        // Complex: naming convention BP
		"firstname": "Anouk",                                                     // Field
		"mail":      "anouk.vandermeer@zorggroep-demo.nl",                        // Complex: diacritics and prefix removed
		"phone":     "+31 6 9876 5432",                                           // Field, Create only
		"number":    "00020417",                                                  // Complex: padStart
		"type":      "2",                                                         // Fixed
		"other":     "Senior Verpleegkundige (Zorg Oost); manager Soren Odegard", // Complex: contracts in conditions, the manager
	}
	updateFields := map[string]any{
		"lastname": createFields["lastname"], "firstname": createFields["firstname"], "mail": createFields["mail"],
		"number": createFields["number"], "type": createFields["type"], "other": createFields["other"],
		"_extension": map[string]any{"accessProfileLookupKey": "Senior Verpleegkundige"}, // phone is None for Update
	}
	tests := []struct {
		action string
		want   map[string]any
	}{
		{"create", createFields},
		{"UPDATE", updateFields},
		{"enable", map[string]any{"_extension": map[string]any{"accessProfileLookupKey": "Senior Verpleegkundige"}}},
		{"disable", map[string]any{}},
		{"delete", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			r := runOn(t, terminal{}, "map", "--action", tt.action, "--person", adminPerson, "--field-mapping", adminMapping)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, tt.want, decodeJSON[map[string]any](t, r))
			assert.Empty(t, r.stderr)
		})
	}
}

func TestMapOnATerminalIsAKeyValueTable(t *testing.T) {
	t.Parallel()
	noColour := invocation{term: terminal{out: true}, env: map[string]string{"NO_COLOR": "1"}}
	r := noColour.run(t, "map", "--action", "update", "--person", adminPerson, "--field-mapping", adminMapping)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, `lastname                           van der Meer-Đurić
firstname                          Anouk
mail                               anouk.vandermeer@zorggroep-demo.nl
number                             00020417
type                               2
other                              Senior Verpleegkundige (Zorg Oost); manager Soren Odegard
_extension.accessProfileLookupKey  Senior Verpleegkundige
`, r.stdout)

	r = noColour.run(t, "map", "--action", "delete", "--person", adminPerson, "--field-mapping", adminMapping)
	assert.Equal(t, "fieldMapping.json maps no field for Delete\n", r.stdout)
}

// HelloID's own template: no Accounts on the person, the PowerShell
// connector's Complex mail mapping still gives "".
func TestMapTheTemplatePersonWithThePowerShellMapping(t *testing.T) {
	t.Parallel()
	r := runOn(t, terminal{}, "map", "--action", "create",
		"--person", repotest.Path("testdata", "fixtures", "helloid-template", "demoPerson.json"),
		"--field-mapping", repotest.Path("testdata", "fixtures", "powershell-connector", "fieldMapping.json"))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, map[string]any{"lastname": "Bos", "firstname": "Cásey", "phone": "(9578) 089976", "mail": "",
		"number": "123456789", "type": "2", "other": "Custom Comment"}, decodeJSON[map[string]any](t, r))
}

// A Complex mapping that throws, or never ends, fails within a second naming
// the field.
func TestMapFailuresNameTheField(t *testing.T) {
	t.Parallel()
	mapping := func(script string) string {
		return writeJSONFile(t, "fieldMapping.json", m{"MappingFields": []m{
			{"Name": "lastname", "MappingActions": []m{{"MapForActions": []string{"Create"}, "MappingMode": "Field", "Value": `"Person.Name.FamilyName"`}}},
			{"Name": "mail", "MappingActions": []m{{"MapForActions": []string{"Create"}, "MappingMode": "Complex", "Value": script}}},
		}})
	}
	tests := []struct {
		name, script, want string
	}{
		{"throws", `"const d = Person.Contracts[5].Department;\nd.DisplayName"`,
			`ipassan-connector map: field "mail" (Complex): TypeError: Cannot read property 'Department' of undefined at line 1`},
		{"throws its own error", `"throw new Error('no mail for ' + Person.Name.NickName)"`,
			`ipassan-connector map: field "mail" (Complex): Error: no mail for Anouk at line 1`},
		{"never ends", `"let i = 0;\nwhile (true) { i++ }"`,
			`ipassan-connector map: field "mail" (Complex): stopped after 500ms (endless loop?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := runOn(t, terminal{}, "map", "--action", "create", "--person", adminPerson, "--field-mapping", mapping(tt.script))
			assert.Less(t, time.Since(start), 3*time.Second, "a script stopped after 500 ms, not left running")
			assert.Equal(t, 1, r.code)
			assert.Empty(t, r.stdout)
			assert.Equal(t, tt.want+"\n", r.stderr)
		})
	}
}

func TestMapUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown action", []string{"--action", "archive", "--person", adminPerson, "--field-mapping", adminMapping},
			`--action must be create, update, enable, disable or delete, got "archive"`},
		{"no person", []string{"--action", "create", "--field-mapping", adminMapping}, `map needs --person FILE`},
		{"no action", []string{"--person", adminPerson, "--field-mapping", adminMapping}, `map needs --action ACTION`},
		{"nothing", nil, `map needs --action ACTION, --field-mapping FILE and --person FILE`},
		{"a mistyped action", []string{"--action", "enabel", "--person", adminPerson, "--field-mapping", adminMapping},
			`--action must be create, update, enable, disable or delete, got "enabel" (did you mean "enable"?)`},
		{"bad output", []string{"--action", "create", "--person", adminPerson, "--field-mapping", adminMapping, "--output", "yaml"},
			"must be table or json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOn(t, terminal{}, append([]string{"map"}, tt.args...)...)
			assert.Equal(t, 2, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tt.want)
		})
	}

	r := runOn(t, terminal{}, "map", "--action", "create", "--person", "nobody.json", "--field-mapping", adminMapping)
	assert.Equal(t, 1, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, `ipassan-connector map: person file "nobody.json" does not exist`), r.stderr)
}
