package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// The README's job change: testdata/admin/person.json (adminPerson,
// Senior Verpleegkundige in Zorg Oost) now Verpleegkundige in Zorg West.
var anoukJobChange = repotest.Path("testdata", "admin", "person-job-change.json")

// The README's "Run one action by hand", as an admin types it: create with
// correlation, enable, the job change, disable, delete. The job change must
// change what the README says it does: the door profile and the contract
// text in other.
func TestReadmeHandRunWalkthrough(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	b := []string{"--config", cfg, "--field-mapping", adminMapping, "--person", adminPerson}
	const zorgEnApotheek, afdelingZorg = "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a54", "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a53"

	r := run(t, "", append([]string{"create", "--correlate", "--dry-run"}, b...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, `DryRun: would create IPassan person "Anouk van der Meer-Đurić"`)

	r = run(t, "", append([]string{"create", "--correlate"}, b...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	ref := *output(t, r).AccountReference
	r = run(t, "", append([]string{"create", "--correlate"}, b...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	assert.Equal(t, ref, *output(t, r).AccountReference, "run again, she is taken over")
	assert.Len(t, f.Persons(demoSite), 5, "no duplicate")

	r = run(t, "", "find", "--number", "00020417", "--config", cfg)
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, ref, decodeJSON[[]map[string]any](t, r)[0]["uuid"], "the README's jq -r '.[0].uuid'")

	r = run(t, "", append([]string{"enable", "--account-ref", ref}, b...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	p, _ := f.Person(demoSite, ref)
	assert.Equal(t, zorgEnApotheek, p.AccessType.Slot("doorPermanent"))

	r = run(t, "", "update", "--config", cfg, "--field-mapping", adminMapping, "--person", anoukJobChange, "--account-ref", ref)
	require.Equal(t, ExitOK, r.code, r.stdout)
	msg := output(t, r).AuditLogs[0].Message
	assert.Contains(t, msg, `other "Senior Verpleegkundige (Zorg Oost); manager Soren Odegard" → "Verpleegkundige (Zorg West); manager Soren Odegard"`)
	assert.Contains(t, msg, `accessType[doorPermanent] "Zorg en Apotheek (`+zorgEnApotheek+`)" → "Afdeling Zorg (`+afdelingZorg+`)"`)
	p, _ = f.Person(demoSite, ref)
	assert.Equal(t, afdelingZorg, p.AccessType.Slot("doorPermanent"), "the job change moved the door profile")
	assert.Equal(t, "Verpleegkundige (Zorg West); manager Soren Odegard", p.Other)

	r = run(t, "", "disable", "--config", cfg, "--account-ref", ref)
	require.Equal(t, ExitOK, r.code, r.stdout)
	r = run(t, "", "delete", "--config", cfg, "--account-ref", ref)
	require.Equal(t, ExitOK, r.code, r.stdout)
	_, exists := f.Person(demoSite, ref)
	assert.False(t, exists)
}

// A site's name where its GUID belongs is refused by every admin command
// that reads the site, before anything is sent, pointing at sites; sites
// itself needs no siteId.
func TestSiteNameIsNotASiteID(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, m{"siteId": "Hoofdlocatie"})
	want := `configuration key siteId must be the site's GUID (such as 3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34), got "Hoofdlocatie": 'ipassan-connector sites' lists each site with its GUID`
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", "--config", cfg, "--output", "table"}},
		{"get", []string{"get", femke, "--config", cfg}},
		{"find", []string{"find", "--number", "1002", "--config", cfg}},
		{"plan", []string{"plan", "--persons", adminPerson, "--field-mapping", adminMapping, "--config", cfg}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := invocation{env: map[string]string{"IPASSAN_CLIENT_SECRET": demoSecret, "NO_COLOR": "1"}}.run(t, tt.args...)
			assert.Equal(t, ExitFailed, r.code)
			assert.Contains(t, r.stdout+r.stderr, want)
			assert.NotContains(t, r.stdout+r.stderr, "well-formed")
		})
	}
	assert.Zero(t, f.Count("list")+f.Count("get"), "no person was asked for")

	r := run(t, "", "sites", "--config", cfg)
	assert.Equal(t, ExitOK, r.code, r.stderr)
}

// The rough edges of issue 13, each as an admin meets it through the binary.
func TestRoughEdgesAnAdminMeets(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	oneRow := filepath.Join(t.TempDir(), "one.csv")
	require.NoError(t, os.WriteFile(oneRow, []byte("HelloIDLookupKey;AccessProfileName;AccessProfileId\nVerpleegkundige;Verdieping 1;"+verdieping1+"\n"), 0o600))

	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		want    []string // in stdout or stderr
		notWant []string
	}{
		{"durations carry a unit", []string{"disable", "--config", cfg, "--account-ref", femke, "--dry-run"}, ExitOK,
			nil, nil},
		{"one row, one profile", []string{"validate", "--config", cfg, "--set", "accessProfileMappingPath=" + oneRow, "--output", "table"}, ExitOK,
			[]string{"1 row, 1 access profile\n"}, []string{"1 rows", "1 access profiles"}},
		{"one person matches", []string{"find", "--number", "1002", "--config", cfg, "--output", "table"}, ExitOK,
			[]string{`1 of the 4 persons of the site matches number "1002"`}, nil},
		{"held by one person", []string{"import-permissions", "--config", cfg}, ExitOK,
			[]string{"held by 1 person\""}, []string{"1 persons"}},
		{"a Windows configuration path as typed", []string{"sites", "--config", `C:\Users\beheer\configuration.json`}, ExitFailed,
			[]string{`configuration file "C:\Users\beheer\configuration.json" does not exist`}, []string{`\\`}},
		{"a Windows person path as typed", []string{"map", "--action", "create", "--field-mapping", adminMapping, "--person", `C:\HelloID\person.json`}, ExitFailed,
			[]string{`person file "C:\HelloID\person.json" does not exist`}, []string{`\\`}},
		{"a Windows export path as typed", []string{"plan", "--persons", `D:\export\hr.json`, "--field-mapping", adminMapping, "--config", cfg}, ExitFailed,
			[]string{`"D:\export\hr.json"`}, []string{`\\`}},
		{"a missing argument, in our words", []string{"get", "--config", cfg}, ExitUsage,
			[]string{"get needs the person's UUID", "'ipassan-connector get --help' explains more"}, []string{"accepts 1 arg(s)", "Run 'ipassan-connector --help'"}},
		{"an argument too many", []string{"get", femke, femke, "--config", cfg}, ExitUsage,
			[]string{"get takes the person's UUID"}, []string{"accepts 1 arg(s)"}},
		{"both of a flag group", []string{"find", "--number", "1", "--mail", "a@b", "--config", cfg}, ExitUsage,
			[]string{"find looks for --number or for --mail, not both at once"}, []string{"if any flags in the group"}},
		{"a mistyped flag", []string{"sites", "--confg", cfg}, ExitUsage,
			[]string{"sites has no flag --confg (did you mean --config?)", "Usage:\n  ipassan-connector sites"}, []string{"Run 'ipassan-connector --help'"}},
		{"a mistyped value", []string{"map", "--action", "updat", "--field-mapping", adminMapping, "--person", adminPerson}, ExitUsage,
			[]string{`(did you mean "update"?)`}, nil},
		{"a shell completion does not know", []string{"completion", "tcsh"}, ExitUsage,
			[]string{`completion knows bash, fish, powershell or zsh, not "tcsh"`}, []string{"did you mean"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := invocation{env: map[string]string{"IPASSAN_CLIENT_SECRET": demoSecret, "NO_COLOR": "1"}}.run(t, tt.args...)
			assert.Equal(t, tt.code, r.code, r.stdout+r.stderr)
			all := r.stdout + r.stderr
			for _, w := range tt.want {
				assert.Contains(t, all, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, all, w)
			}
			for _, d := range regexp.MustCompile(`took=(\S+)`).FindAllStringSubmatch(r.stderr, -1) {
				assert.Regexp(t, `^[0-9.]+(µs|ms|s|m[0-9.]+s)$`, d[1], "a duration with its unit")
			}
		})
	}

	// The took= of an action's log is there at all (the table checks its unit).
	r := run(t, "", "disable", "--config", cfg, "--account-ref", femke, "--dry-run")
	assert.Regexp(t, `took=[0-9.]+(µs|ms|s)\b`, r.stderr)

	// In the debug log too: each request's took= carries its unit.
	r = run(t, "", "disable", "--config", cfg, "--account-ref", femke, "--dry-run", "--log-level", "debug")
	tooks := regexp.MustCompile(`took=(\S+)`).FindAllStringSubmatch(r.stderr, -1)
	require.Greater(t, len(tooks), 1, "the requests are logged: %s", r.stderr)
	for _, d := range tooks {
		assert.Regexp(t, `^[0-9.]+(µs|ms|s)$`, d[1], "a duration with its unit")
	}
}

// permissions lists; it grants nothing, so its audit log does not say it
// did (HelloID shows the Action of each line).
func TestPermissionsLogsNoGrant(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	r := run(t, "", "permissions", "--config", demoConfig(t, url, nil))
	require.Equal(t, ExitOK, r.code, r.stderr)
	o := output(t, r)
	require.NotEmpty(t, o.AuditLogs)
	for _, l := range o.AuditLogs {
		assert.NotEqual(t, helloid.GrantPermission, l.Action, l.Message)
	}
	assert.False(t, strings.Contains(r.stdout, "GrantPermission"), r.stdout)
}

// A connection refused and retried is never silence on a terminal: within a
// second or so the spinner says what is awaited.
func TestRefusedConnectionShowsTheWait(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()                                                                     // nothing listens there any more
	cfg := demoConfig(t, url, m{"retryCount": 1, "retryBackoffMilliseconds": 1800}) // a wait of 1.35 to 2.25 s

	start := time.Now()
	r := invocation{term: terminal{err: true}}.run(t, "sites", "--config", cfg)
	assert.Equal(t, ExitFailed, r.code)
	assert.Regexp(t, `to retry POST /api/v1/token \(.*\) \(1(\.[0-9])?s\)`, r.stderr, "the spinner showed the wait, and for how long")
	assert.Regexp(t, `to retry POST /api/v1/token \([^)]*connection refused[^)]*\)`, r.stderr, "and why: the spinner names the refused connection, not only its kind")
	assert.Contains(t, r.stderr, "connection refused")
	assert.Less(t, spinnerQuiet, time.Since(start), "the wait was long enough for the spinner")
	assert.LessOrEqual(t, spinnerQuiet, time.Second, "something shows within a second")
}

// A close match is suggested for a typo, not for another word of the same
// length ("tcsh" is a shell of its own, not a mistyped "bash").
func TestClosestIsATypoNotAnotherWord(t *testing.T) {
	t.Parallel()
	shells := []string{"bash", "zsh", "fish", "powershell"}
	for _, tt := range []struct {
		word    string
		choices []string
		want    string
	}{
		{"tcsh", shells, ""},
		{"bsh", shells, "bash"},
		{"bahs", shells, "bash"},
		{"pwsh", shells, ""},
		{"power", shells, "powershell"},
		{"tabel", []string{"table", "json"}, "table"},
		{"jsno", []string{"table", "json"}, "json"},
		{"yaml", []string{"table", "json"}, ""},
		{"x", []string{"table", "json"}, ""},
		{"confg", []string{"config", "context"}, "config"},
		{"debg", []string{"error", "warn", "info", "debug"}, "debug"},
	} {
		assert.Equal(t, tt.want, closest(tt.word, tt.choices), tt.word)
	}
}

// Every flag's help names its value in our words (--number N, --max-accounts
// N, --correlation-field FIELD), never Go's type ("string", "int").
func TestHelpNamesFlagValuesInOurWords(t *testing.T) {
	t.Parallel()
	goType := regexp.MustCompile(`(?m)^\s+(-\w, )?--[a-z-]+ (string|int|int64|uint|float64|duration|strings|stringArray)\s`)
	r := run(t, "", "--help")
	require.Equal(t, ExitOK, r.code)
	commands := regexp.MustCompile(`(?m)^  ([a-z-]+) `).FindAllStringSubmatch(r.stdout[strings.Index(r.stdout, "Available Commands:"):], -1)
	require.Greater(t, len(commands), 15)
	for _, c := range commands {
		r := run(t, "", c[1], "--help")
		require.Equal(t, ExitOK, r.code, c[1])
		assert.Empty(t, goType.FindAllString(r.stdout, -1), "ipassan-connector %s --help", c[1])
	}

	r = run(t, "", "import", "--max-accounts", "x", "--config", "unused.json")
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, `--max-accounts "x": must be a whole number, 0 or more`)
}
