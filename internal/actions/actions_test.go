package actions

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The registry is consistent with itself: what an action reads is what an
// admin can give it by hand, and the other way round.
func TestEveryEntryIsComplete(t *testing.T) {
	t.Parallel()
	names, scripts := map[string]bool{}, map[string]bool{}
	for _, a := range All() {
		t.Run(a.Name, func(t *testing.T) {
			assert.False(t, names[a.Name], "two actions named %s", a.Name)
			assert.False(t, scripts[a.Script], "two actions run by %s", a.Script)
			names[a.Name], scripts[a.Script] = true, true

			assert.Regexp(t, `^[a-z]+(-[a-z]+)*$`, a.Name)
			assert.Regexp(t, `^[a-z][A-Za-z]*\.ps1$`, a.Script)
			assert.NotEmpty(t, a.Short)
			assert.NotEmpty(t, a.Long)
			assert.NotEmpty(t, a.Reads)
			assert.True(t, (a.Run == nil) != (a.Import == nil), "exactly one of Run and Import")
			assert.Equal(t, a.Import != nil, a.JSONLines())
			if a.JSONLines() {
				assert.Empty(t, a.Audit, "an import answers in lines, not audit logs")
			}

			b := a.Build
			reads := func(part string) bool { return slices.Contains(a.Reads, part) }
			assert.Equal(t, reads(ReadsData), b.Data == Required, "reads Data exactly when Data is required by hand")
			if b.Data != Unused {
				assert.NotEmpty(t, b.MapFor, "Data is mapped for a fieldMapping action")
			}
			assert.Equal(t, reads(ReadsAccount), b.Account != Unused, "References.Account")
			assert.Equal(t, reads(ReadsPermission), b.Permission != Unused, "References.Permission")
			assert.Equal(t, reads(ReadsCorrelation), b.Correlation, "CorrelationConfiguration")
			assert.Equal(t, reads(ReadsOperation), b.SubPermissions, "Operation")
			assert.Equal(t, reads(ReadsCurrentPermissions), b.SubPermissions, "CurrentPermissions")
			assert.Equal(t, reads(ReadsImportFields), b.ImportFields, "ImportFields")
			assert.Equal(t, reads(ReadsUniqueFieldNames), b.UniqueFields, "UniqueFieldNames")
			if reads(ReadsPerson) {
				assert.Equal(t, Required, b.Person, "an action that reads the person needs --person by hand")
			}
			if b.MissingIsSuccess {
				assert.Equal(t, Required, b.Account, "only an action on an account can find it missing")
			}
			if a.LookupKey != Unused {
				assert.True(t, reads(ReadsData), "the lookup key is in Data")
			}
			for _, f := range a.Flags {
				assert.NotEmpty(t, f.Usage, f.Name)
				assert.True(t, (f.Apply == nil) == f.Limit, "%s: Apply, or a limit", f.Name)
				if f.Limit {
					assert.Equal(t, Number, f.Kind, f.Name)
					assert.True(t, a.JSONLines(), "%s: only lines can be limited", f.Name)
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	a, ok := Lookup("import-permissions")
	require.True(t, ok)
	assert.True(t, a.JSONLines())
	_, ok = Lookup("Import")
	assert.False(t, ok, "command names are exact")

	var mapped []string
	for _, a := range Mapped() {
		mapped = append(mapped, a.Build.MapFor)
	}
	assert.Equal(t, []string{"Create", "Update", "Enable", "Disable", "Delete"}, mapped, "each of HelloID's mapped actions once")
	a, ok = MappedFor("UPDATE")
	require.True(t, ok)
	assert.Equal(t, "update", a.Name)
	_, ok = MappedFor("grant")
	assert.False(t, ok, "HelloID maps no Data for grant")
}
