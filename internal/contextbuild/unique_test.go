package contextbuild

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// A uniqueness check built by hand gets the fields HelloID would send: those
// given (--unique-field), else the field mapping's UniqueFieldNames; with
// neither, none, and the connector checks its default (mail).
func TestBuildUniqueFieldNames(t *testing.T) {
	t.Parallel()
	listing, err := fieldmapping.Parse([]byte(`{"MappingFields":[
		{"Name":"mail","MappingActions":[{"MapForActions":["Create"],"MappingMode":"Fixed","Value":"\"a@b.nl\""}]},
		{"Name":"number","MappingActions":[{"MapForActions":["Create"],"MappingMode":"Fixed","Value":"\"1001\""}]}],
		"UniqueFieldNames":["Number","mail"]}`))
	require.NoError(t, err)
	empty, err := fieldmapping.Load(repotest.Path("testdata", "fixtures", "powershell-connector", "fieldMapping.json"))
	require.NoError(t, err)

	tests := []struct {
		name       string
		mapping    *fieldmapping.Mapping
		uniqueness bool
		given      []string
		want       any // actionContext.UniqueFieldNames; nil: left out
	}{
		{"the field mapping's, in its order and spelling", listing, true, nil, []any{"number", "mail"}},
		{"given wins over the field mapping", listing, true, []string{" mail "}, []any{"mail"}},
		{"an empty list in the file: left out, so the default applies", empty, true, nil, nil},
		{"an empty list in the file, fields given", empty, true, []string{"number"}, []any{"number"}},
		{"no field mapping, none given", nil, true, nil, nil},
		{"no field mapping, given", nil, true, []string{"mail"}, []any{"mail"}},
		{"another action: not the field mapping's", listing, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Configuration: object.New(), PersonContext: demoPerson(t), FieldMapping: tt.mapping,
				Uniqueness: tt.uniqueness, UniqueFieldNames: tt.given}
			if tt.mapping != nil {
				opts.MapFor = "Create"
			}
			in, err := Build(opts)
			require.NoError(t, err)
			got, ok := in.Action.Get("UniqueFieldNames")
			if tt.want == nil {
				assert.False(t, ok, "UniqueFieldNames is left out: %v", got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
