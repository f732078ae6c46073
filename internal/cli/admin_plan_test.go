package cli

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
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
	assert.NotContains(t, r.stdout, "more (--orphans", "3 orphans are all shown")

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`[{"ExternalId":"1"}, 7]`), 0o600))
	r = runOn(t, terminal{}, "plan", "--config", cfg, "--persons", bad, "--field-mapping", repotest.Path("fieldMapping.json"))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "element 1 must be a person (an object), got a number")

	r = runOn(t, terminal{}, "plan", "--config", cfg, "--field-mapping", repotest.Path("fieldMapping.json"))
	assert.Equal(t, 2, r.code, "--persons is required")
	assert.Contains(t, r.stderr, "plan needs --persons FILE")
}

// The export may be one person, a list, or JSON Lines, from a file or from
// standard input; the plan is the same.
func TestPlanReadsOnePersonAListOrJSONLines(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	afas := string(repotest.Read(t, "testdata", "persons", "afas-zoe-dhondt.json"))
	raet := string(repotest.Read(t, "testdata", "persons", "raet-ijsbrand-van-t-hof.json"))
	oneLine := func(s string) string {
		var v any
		require.NoError(t, json.Unmarshal([]byte(s), &v))
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	tests := []struct {
		name, file, stdin string
		want              []string // external ids
	}{
		{"one person", write("one.json", afas), "", []string{"1001"}},
		{"a list", write("list.json", "["+afas+","+raet+"]"), "", []string{"1001", "00073412"}},
		{"JSON Lines", write("hr.jsonl", oneLine(afas)+"\n"+oneLine(raet)+"\n"), "", []string{"1001", "00073412"}},
		{"JSON Lines on standard input", "-", oneLine(raet) + "\n" + oneLine(afas), []string{"00073412", "1001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := invocation{stdin: tt.stdin}.run(t, "plan", "--config", cfg, "--persons", tt.file, "--field-mapping", projectMapping)
			require.Equal(t, 0, r.code, r.stderr)
			plan := decodeJSON[connector.PlanResult](t, r)
			var ids []string
			for _, e := range plan.Entries {
				ids = append(ids, e.ExternalID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}

	for name, text := range map[string]string{
		"a number":        "7",
		"a broken line":   oneLine(afas) + "\n{\"ExternalId\": ",
		"nothing":         "  \n",
		"a list of texts": `["1001"]`,
	} {
		r := runOn(t, terminal{}, "plan", "--config", cfg, "--persons", write("bad.json", text), "--field-mapping", projectMapping)
		assert.Equal(t, 1, r.code, name)
		assert.Contains(t, r.stderr, "ipassan-connector plan: the persons file \""+filepath.Join(dir, "bad.json")+"\"", name)
	}
}

// A plan against a large site shows the first orphans and counts the rest;
// --orphans lists them all; JSON always holds them all.
func TestPlanSummarisesOrphans(t *testing.T) {
	t.Parallel()
	persons := []fake.Person{}
	for i := range 25 {
		persons = append(persons, fake.Person{Lastname: fmt.Sprintf("Oud %02d", i), Number: fmt.Sprintf("9%03d", i)})
	}
	f := fake.New(fake.Seed{
		Clients: []fake.Credential{{ClientID: "demo-client", ClientSecret: demoSecret}},
		Bases:   []fake.BaseSeed{{UUID: "b", Sites: []fake.SiteSeed{{UUID: demoSite, Name: "Main", Persons: persons}}}},
	}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := demoConfig(t, srv.URL, nil)
	args := []string{"plan", "--config", cfg, "--persons", zoe, "--field-mapping", projectMapping}

	r := runOn(t, terminal{out: true}, args...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "25 IPassan persons no HR person matches:")
	assert.Contains(t, r.stdout, "Oud 09")
	assert.NotContains(t, r.stdout, "Oud 10", "only the first ten")
	assert.Contains(t, r.stdout, "… and 15 more (--orphans lists them all)")
	assert.Contains(t, r.stdout, "1 HR person, 25 IPassan persons: ")

	r = runOn(t, terminal{out: true}, append(args, "--orphans")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Oud 24")
	assert.NotContains(t, r.stdout, "more (--orphans")

	r = runOn(t, terminal{}, args...)
	assert.Len(t, decodeJSON[connector.PlanResult](t, r).Orphans, 25)
}

// plan --use-index: a plan of persons the site index all names does not read
// the site, says so, and lists no orphans; without the flag the site is read.
func TestPlanUseIndex(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, m{"siteIndexPath": t.TempDir()})
	raet := filepath.Join(t.TempDir(), "raet.json")
	require.NoError(t, os.WriteFile(raet, repotest.Read(t, "testdata", "persons", "raet-ijsbrand-van-t-hof.json"), 0o600))
	args := []string{"plan", "--config", cfg, "--persons", raet, "--field-mapping", repotest.Path("fieldMapping.json"), "--use-index"}

	r := runOn(t, terminal{}, append(args, "--output", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.False(t, decodeJSON[connector.PlanResult](t, r).Indexed, "no index yet: the site is read and the index left behind")

	f.ResetCountsForNextAction() // pages an earlier run asked past the end are not counted
	r = runOn(t, terminal{}, append(args, "--output", "json")...)
	require.Equal(t, 0, r.code, r.stderr)
	plan := decodeJSON[connector.PlanResult](t, r)
	assert.True(t, plan.Indexed)
	assert.Nil(t, plan.Orphans)
	assert.Equal(t, "c0a80101-0000-4000-8000-000000000003", plan.Entries[0].Account)
	assert.Zero(t, f.Count(fake.RouteList), "the site was not read")

	r = runOn(t, terminal{out: true}, args...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "1 HR person, matched through the site index (the site was not read, so orphans are not known)")
}
