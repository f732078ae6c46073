package fieldmapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// The project's own fieldMapping.json, which admins import into HelloID, maps
// the demo's persons as the README promises.
func TestProjectFieldMapping(t *testing.T) {
	m, err := Load(repotest.Path("fieldMapping.json"))
	require.NoError(t, err)

	tests := []struct {
		file       string
		convention string
		want       map[string]any // Update
	}{
		{"afas-zoe-dhondt.json", "", map[string]any{
			"firstname": "Zoë", "lastname": "d'Hondt", "mail": "zoe.dhondt@zorggroep-demo.nl", "phone": "+31 6 1234 5678",
			"number": "1001", "type": "2", "_extension.accessProfileLookupKey": "Medewerker Servicedesk"}},
		{"raet-ijsbrand-van-t-hof.json", "", map[string]any{
			"firstname": "Ĳsbrand", "lastname": "van 't Hof", "mail": "ijsbrand.vanthof@zorggroep-demo.nl", "phone": "+31 6 2468 1357",
			"number": "00073412", "type": "2", "_extension.accessProfileLookupKey": "Verpleegkundige"}},
		{"raet-ijsbrand-van-t-hof.json", "P", map[string]any{"lastname": "Bakker"}},
		{"raet-ijsbrand-van-t-hof.json", "BP", map[string]any{"lastname": "van 't Hof-Bakker"}},
		{"raet-ijsbrand-van-t-hof.json", "PB", map[string]any{"lastname": "Bakker-van 't Hof"}},
		{"afas-zoe-dhondt.json", "PB", map[string]any{"lastname": "d'Hondt"}}, // no partner name
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.convention, func(t *testing.T) {
			person, err := object.DecodeObject(repotest.Read(t, "testdata", "persons", tt.file))
			require.NoError(t, err)
			if tt.convention != "" {
				person.Object("Name").Set("Convention", tt.convention)
			}
			pc := object.New()
			pc.Set("Person", person)

			data, err := m.Map("Update", pc, Options{})
			require.NoError(t, err)
			for path, want := range tt.want {
				got, ok := data.Path(path)
				assert.True(t, ok, path)
				assert.Equal(t, want, got, path)
			}

			create, err := m.Map("Create", pc, Options{})
			require.NoError(t, err)
			assert.False(t, create.Has("_extension"), "create does not need the lookup key")
			enable, err := m.Map("Enable", pc, Options{})
			require.NoError(t, err)
			assert.Equal(t, []string{"_extension"}, enable.Keys(), "enable gets only the lookup key")
		})
	}
}
