package cli

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// startCrowdedFake serves a site of many persons, two sharing a number, one
// page at a time.
func startCrowdedFake(t *testing.T) (*fake.Server, string) {
	t.Helper()
	persons := []fake.Person{
		{UUID: "p-1", Firstname: "Zoë", Lastname: "d'Hondt", Number: "1001", Mail: "Zoe.DHondt@Example.org"},
		{UUID: "p-2", Firstname: "Bram", Lastname: "Bos", Number: " 1001 "},
	}
	for i := 0; i < 40; i++ {
		persons = append(persons, fake.Person{Lastname: "Filler", Number: "9" + string(rune('a'+i%26))})
	}
	f := fake.New(fake.Seed{
		Clients: []fake.Credential{{ClientID: "demo-client", ClientSecret: demoSecret}},
		Bases:   []fake.BaseSeed{{UUID: "b", Sites: []fake.SiteSeed{{UUID: demoSite, Name: "Main", Persons: persons}}}},
	}, fake.Options{MaxPageSize: 5})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func TestFindMatchesAsCorrelationDoes(t *testing.T) {
	t.Parallel()
	f, url := startCrowdedFake(t)
	cfg := demoConfig(t, url, nil)
	tests := []struct {
		name string
		args []string
		want []string // uuids
	}{
		{"a number two persons share, one with spaces", []string{"--number", "1001"}, []string{"p-1", "p-2"}},
		{"a number given with spaces", []string{"--number", " 1001\t"}, []string{"p-1", "p-2"}},
		{"a mail in another case", []string{"--mail", "zoe.dhondt@example.ORG"}, []string{"p-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.ResetCounts()
			r := runOn(t, terminal{}, append([]string{"find", "--config", cfg}, tt.args...)...)
			require.Equal(t, 0, r.code, r.stderr)
			var uuids []string
			for _, p := range decodeJSON[[]map[string]any](t, r) {
				uuids = append(uuids, p["uuid"].(string))
			}
			assert.Equal(t, tt.want, uuids)
			pages := f.Count(fake.RouteList)
			// At most a window of pages is asked past the end; an abandoned
			// request of the previous run may still arrive after ResetCounts.
			assert.True(t, pages >= 9 && pages <= 9+2*8, "42 persons, 5 a page: the whole site is read: %d", pages)
			assert.Empty(t, r.stderr, "no progress bar when stderr is not a terminal")
		})
	}
}

func TestFindOnATerminal(t *testing.T) {
	t.Parallel()
	_, url := startCrowdedFake(t)
	cfg := demoConfig(t, url, nil)
	noColour := map[string]string{"NO_COLOR": "1", contextbuild.EnvClientSecret: demoSecret}
	r := invocation{term: terminal{out: true, err: true}, env: noColour}.run(t, "find", "--config", cfg, "--number", "1001")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, `UUID  NAME         NUMBER  MAIL                    DOOR PROFILE
p-1   Zoë d'Hondt  1001    Zoe.DHondt@Example.org  none
p-2   Bram Bos      1001                           none
2 of the 42 persons of the site match number "1001"
`, r.stdout)
	assert.Contains(t, r.stderr, "Reading the site", "a progress bar on a terminal")
	assert.Contains(t, r.stderr, "persons")

	r = runOn(t, terminal{out: true, err: false}, "find", "--config", cfg, "--number", "1001")
	assert.Empty(t, r.stderr, "no progress bar when stderr is piped")
}

func TestFindFailures(t *testing.T) {
	t.Parallel()
	_, url := startCrowdedFake(t)
	cfg := demoConfig(t, url, nil)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		want   string
	}{
		{"nothing matches", []string{"--number", "4711"}, 1, "[]\n",
			`ipassan-connector find: none of the 42 persons of site ` + demoSite + ` has number "4711"`},
		{"neither flag", nil, 2, "", "find needs --number N or --mail M: the value to look for"},
		{"both flags", []string{"--number", "1", "--mail", "a@b"}, 2, "", "find looks for --number or for --mail, not both at once"},
		{"a blank value", []string{"--number", " "}, 2, "", "--number is empty: there is nothing to look for"},
		{"an empty value", []string{"--mail", ""}, 2, "", "--mail is empty: there is nothing to look for"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOn(t, terminal{}, append([]string{"find", "--config", cfg}, tt.args...)...)
			assert.Equal(t, tt.code, r.code)
			assert.Equal(t, tt.stdout, r.stdout)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}

// With --use-index, find answers from a recent site index that names one
// person, after reading that person; a value the index does not name (or
// names twice) reads the whole site.
func TestFindUseIndex(t *testing.T) {
	t.Parallel()
	f, url := startCrowdedFake(t)
	cfg := demoConfig(t, url, m{"siteIndexPath": t.TempDir()})
	first := runOn(t, terminal{}, "find", "--config", cfg, "--mail", "zoe.dhondt@example.org", "--use-index")
	require.Equal(t, 0, first.code, first.stderr)
	assert.Positive(t, f.Count(fake.RouteList), "no index yet: the site is read, and the index built")

	f.ResetCountsForNextAction() // pages an earlier run asked past the end are not counted
	r := runOn(t, terminal{}, "find", "--config", cfg, "--mail", "ZOE.dhondt@example.org ", "--use-index")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, []string{"p-1"}, uuidsOf(t, r))
	assert.Zero(t, f.Count(fake.RouteList), "the index answered")
	assert.Equal(t, 1, f.Count(fake.RouteGet), "and the person was read to confirm it")

	f.ResetCounts()
	r = runOn(t, terminal{}, "find", "--config", cfg, "--number", "1001", "--use-index")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, []string{"p-1", "p-2"}, uuidsOf(t, r), "two candidates: the whole site tells")
	assert.Positive(t, f.Count(fake.RouteList))

	f.ResetCounts()
	r = runOn(t, terminal{out: true}, "find", "--config", cfg, "--mail", "zoe.dhondt@example.org", "--use-index")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "found through the site index and confirmed by reading the person")

	f.ResetCounts()
	r = runOn(t, terminal{}, "find", "--config", cfg, "--mail", "zoe.dhondt@example.org")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Positive(t, f.Count(fake.RouteList), "without --use-index find reads the site")
}

func uuidsOf(t *testing.T, r result) []string {
	t.Helper()
	var uuids []string
	for _, p := range decodeJSON[[]map[string]any](t, r) {
		uuids = append(uuids, p["uuid"].(string))
	}
	return uuids
}
