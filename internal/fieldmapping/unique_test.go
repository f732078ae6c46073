package fieldmapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

func TestUniqueFieldNames(t *testing.T) {
	t.Parallel()
	fields := `"MappingFields":[{"Name":"mail"},{"Name":"number"},{"Name":"_extension.accessProfileLookupKey"}]`
	tests := []struct {
		name, unique string // "" leaves UniqueFieldNames out
		want         []string
		err          string
	}{
		{"left out (older exports)", "", []string{}, ""},
		{"null", `null`, []string{}, ""},
		{"empty, as HelloID exports it", `[]`, []string{}, ""},
		{"one", `["mail"]`, []string{"mail"}, ""},
		{"in order", `["number","mail"]`, []string{"number", "mail"}, ""},
		{"in the field's spelling, spaces trimmed", `[" Mail ","NUMBER"]`, []string{"mail", "number"}, ""},
		{"a nested field", `["_extension.accessProfileLookupKey"]`, []string{"_extension.accessProfileLookupKey"}, ""},
		{"twice counts once", `["mail","MAIL"]`, []string{"mail"}, ""},
		{"not a mapped field", `["email"]`, nil, `UniqueFieldNames lists "email", which is not one of the MappingFields`},
		{"blank", `["mail"," "]`, nil, "UniqueFieldNames[1] is empty"},
		{"not a list", `"mail"`, nil, "UniqueFieldNames is a JSON string where an array was expected"},
		{"not text", `[1]`, nil, "is a JSON number where text was expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `{` + fields
			if tt.unique != "" {
				doc += `,"UniqueFieldNames":` + tt.unique
			}
			m, err := Parse([]byte(doc + `}`))
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.UniqueFieldNames())
		})
	}
}

func TestUniqueFieldNamesIsACopy(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte(`{"MappingFields":[{"Name":"mail"}],"UniqueFieldNames":["mail"]}`))
	require.NoError(t, err)
	m.UniqueFieldNames()[0] = "changed"
	assert.Equal(t, []string{"mail"}, m.UniqueFieldNames())
}

// The fixtures and the project's own files, which list no unique field, load
// unchanged and give none.
func TestFilesWithoutUniqueFields(t *testing.T) {
	t.Parallel()
	for _, path := range [][]string{
		{"fieldMapping.json"},
		{"testdata", "admin", "fieldMapping.json"},
		{"testdata", "fixtures", "powershell-connector", "fieldMapping.json"},
	} {
		m, err := Load(repotest.Path(path...))
		require.NoError(t, err, path)
		assert.Empty(t, m.UniqueFieldNames(), path)
	}
}
