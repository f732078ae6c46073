package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// The HR export: the demo's two persons (AFAS-shaped Zoë is new, Raet-shaped
// Ĳsbrand exists in the demo IPassan without a door profile).
func hrExport(t *testing.T) string {
	t.Helper()
	afas := repotest.Read(t, "testdata", "persons", "afas-zoe-dhondt.json")
	raet := repotest.Read(t, "testdata", "persons", "raet-ijsbrand-van-t-hof.json")
	path := filepath.Join(t.TempDir(), "hr.json")
	require.NoError(t, os.WriteFile(path, []byte("[\n"+string(afas)+",\n"+string(raet)+"\n]"), 0o600))
	return path
}

func TestPlan(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	args := []string{"plan", "--config", cfg, "--persons", hrExport(t), "--field-mapping", repotest.Path("fieldMapping.json")}

	r := runOn(t, terminal{}, append(args, "--output", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	plan := decodeJSON[connector.PlanResult](t, r)
	require.Len(t, plan.Entries, 2)
	assert.Equal(t, []connector.PlanStep{
		{Action: "create", Detail: "firstname, lastname, mail, number, phone, type"},
		{Action: "enable", Detail: "Verdieping 1 (a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51)"},
	}, plan.Entries[0].Steps)
	assert.Equal(t, "c0a80101-0000-4000-8000-000000000003", plan.Entries[1].Account)
	assert.Equal(t, []string{"correlate", "update", "enable"}, []string{plan.Entries[1].Steps[0].Action, plan.Entries[1].Steps[1].Action, plan.Entries[1].Steps[2].Action})
	assert.Contains(t, plan.Entries[1].Steps[1].Detail, `mail "" → "ijsbrand.vanthof@zorggroep-demo.nl"`)
	assert.Len(t, plan.Orphans, 3, "Femke, Mohammed and the visitor are in IPassan but not in the export")
	assert.Equal(t, 4, plan.Site)
	assert.Zero(t, f.Writes())

	r = runOn(t, terminal{out: true}, args...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "1001         Zoë d'Hondt")
	assert.Contains(t, r.stdout, "3 IPassan persons no HR person matches:")
	assert.Contains(t, r.stdout, "2 HR persons, 4 IPassan persons: correlate 1, create 1, enable 2, orphan 3, update 1")

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`[{"ExternalId":"1"}, 7]`), 0o600))
	r = runOn(t, terminal{}, "plan", "--config", cfg, "--persons", bad, "--field-mapping", repotest.Path("fieldMapping.json"))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "element 1 must be a person (an object), got a number")

	r = runOn(t, terminal{}, "plan", "--config", cfg, "--field-mapping", repotest.Path("fieldMapping.json"))
	assert.Equal(t, 2, r.code, "--persons is required")
}
