package cli

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// statusLines is "status check" for every check, in order: the shape of a
// validation at a glance.
func statusLines(v validation) []string {
	out := make([]string, len(v.Checks))
	for i, c := range v.Checks {
		out[i] = string(c.Status) + " " + c.Check
	}
	return out
}

func messages(v validation) string {
	var b strings.Builder
	for _, c := range v.Checks {
		b.WriteString(c.Message + "\n")
	}
	return b.String()
}

// Over https with a private CA, every profile in use, connectorPath a file:
// nothing to warn about.
func TestValidateAllPass(t *testing.T) {
	t.Parallel()
	seed, err := fake.LoadSeed(repotest.Path("testdata", "fake", "seed.json"))
	require.NoError(t, err)
	srv := httptest.NewTLSServer(fake.New(seed, fake.Options{}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	program := filepath.Join(t.TempDir(), "ipassan-connector.exe")
	require.NoError(t, os.WriteFile(program, []byte("MZ"), 0o700))
	indexDir := t.TempDir()
	cfg := demoConfig(t, srv.URL, m{"caBundlePath": ca, "connectorPath": program, "siteIndexPath": indexDir,
		"accessProfileMappingPath": "", "accessProfileMapping": "HelloIDLookupKey;AccessProfileName;AccessProfileId\n" +
			"Medewerker Servicedesk;Verdieping 1;" + verdieping1 + "\nHoofd Financiën;Verdieping 2;a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a55\n"})

	r := runOn(t, terminal{}, "validate", "--config", cfg, "--field-mapping", projectMapping, "--person", zoe)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	v := decodeJSON[validation](t, r)
	assert.True(t, v.OK)
	assert.Equal(t, []string{"pass configuration", "pass connectorPath", "pass https", "pass credentials", "pass site", "pass site index", "pass mapping table",
		"pass profiles", "pass field mapping", "pass lookup key", "pass lookup key"}, statusLines(v))
	assert.Equal(t, `clientId, clientSecret, baseUrl and siteId are set and well-formed
connectorPath "`+program+`" exists: HelloID's wrappers run it
`+srv.URL+` uses https
IPassan issued a token to API client "demo-client"
site `+demoSite+` answers: its first page holds 4 persons
none on this machine yet: the next whole-site read (a correlating create, find, plan, or this validate) builds it in "`+indexDir+`"
accessProfileMapping: 2 rows, 2 access profiles
all 2 mapped access profiles are on persons of the site
fieldMapping.json maps afas-zoe-dhondt.json for Create, Update, Enable, Disable and Delete
afas-zoe-dhondt.json, Update: lookup key "Medewerker Servicedesk" maps to "Verdieping 1" (`+verdieping1+`, line 2)
afas-zoe-dhondt.json, Enable: lookup key "Medewerker Servicedesk" maps to "Verdieping 1" (`+verdieping1+`, line 2)
`, messages(v))
	assert.Empty(t, r.stderr)

	// validate's own read of the site left the index behind.
	r = runOn(t, terminal{}, "validate", "--config", cfg)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	v = decodeJSON[validation](t, r)
	require.Equal(t, "site index", v.Checks[5].Check)
	assert.Regexp(t, `^4 persons on this machine, built [0-9]+s ago from a read of the site: correlating creates use it for another [0-9]+m[0-9]+s$`, v.Checks[5].Message)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{MaxPageSize: 2})
	demoPerson := repotest.Path("testdata", "fixtures", "helloid-template", "demoPerson.json")
	noLookupKey := writeJSONFile(t, "fieldMapping.json", m{"MappingFields": []m{{"Name": "lastname", "MappingActions": []m{
		{"MapForActions": []string{"Create", "Update", "Enable"}, "MappingMode": "Field", "Value": `"Person.Name.FamilyName"`}}}}})
	throwing := writeJSONFile(t, "throwing.json", m{"MappingFields": []m{{"Name": "mail", "MappingActions": []m{
		{"MapForActions": []string{"Update"}, "MappingMode": "Complex", "Value": `"Person.Contact.Personal.Email"`}}}}})
	duplicate := writeJSONFile(t, "dup.csv", nil)
	require.NoError(t, os.WriteFile(duplicate, []byte("HelloIDLookupKey;AccessProfileName;AccessProfileId\nA;x;1\na;y;2\n"), 0o600))
	excel := writeJSONFile(t, "excel.csv", nil)
	require.NoError(t, os.WriteFile(excel, []byte("HelloIDLookupKey;AccessProfileName;AccessProfileId\nHoofd Financi\xebn;Verdieping 2;a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a55\n"), 0o600))

	tests := []struct {
		name     string
		extra    m        // over the demo configuration
		args     []string // after the configuration
		secret   string   // "" keeps the demo secret
		code     int
		statuses []string
		messages []string // each in some check's message
	}{
		{"the demo: ready, with warnings", nil, nil, "", 0,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "pass mapping table",
				"warn profiles", "warn profiles", "warn profiles"},
			[]string{"connectorPath is empty: HelloID's wrappers need the path of ipassan-connector on the agent",
				"is plain http, which is allowed only for a loopback test server such as ipassan-fake",
				"its first page holds 2 persons, more follow",
				`"Alle verdiepingen" (a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a52, line 3) is on none of the 4 persons of the site: IPassan ignores a GUID it does not know, so make sure it exists`}},
		{"sample persons, one of them unmapped", nil, []string{"--field-mapping", projectMapping, "--person", zoe, "--person", demoPerson}, "", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "pass mapping table",
				"warn profiles", "warn profiles", "warn profiles",
				"pass field mapping", "pass lookup key", "pass lookup key", "pass field mapping", "fail lookup key", "fail lookup key"},
			[]string{`demoPerson.json, Update: lookup key "Central Web Engineer" is not in the mapping table`,
				`demoPerson.json, Enable: lookup key "Central Web Engineer" is not in the mapping table`}},
		{"a field mapping without a lookup key", nil, []string{"--field-mapping", noLookupKey, "--person", zoe}, "", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "pass mapping table",
				"warn profiles", "warn profiles", "warn profiles", "pass field mapping", "warn lookup key", "fail lookup key"},
			[]string{"afas-zoe-dhondt.json, Update: the field mapping gives no _extension.accessProfileLookupKey, so update will leave access alone",
				"afas-zoe-dhondt.json, Enable: the field mapping gives no _extension.accessProfileLookupKey, and enable needs it to choose the door profile"}},
		{"a field mapping that throws", nil, []string{"--field-mapping", throwing, "--person", demoPerson}, "", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "pass mapping table",
				"warn profiles", "warn profiles", "warn profiles", "fail field mapping", "fail lookup key"},
			[]string{`demoPerson.json, Update: field "mail" (Complex): TypeError: Cannot read property 'Email' of undefined at line 1`,
				"demoPerson.json, Enable: the field mapping gives no _extension.accessProfileLookupKey"}},
		{"permissions mode needs no lookup key", m{"accessProfileSource": "permissions"}, []string{"--field-mapping", noLookupKey, "--person", zoe}, "", 0,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "pass mapping table",
				"warn profiles", "warn profiles", "warn profiles", "pass field mapping", "pass lookup key"},
			[]string{"accessProfileSource is permissions: enable and update leave access alone, HelloID grants profiles"}},
		{"wrong secret", nil, nil, "wrong", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "fail credentials", "skip site", "pass mapping table", "skip profiles"},
			[]string{"authentication failed (HTTP 401): Client authentication failed. (check clientId and clientSecret)", "not checked: no token",
				"not checked: the site cannot be read"}},
		{"a site the client may not read", m{"siteId": "0d6c6f1e-5b0a-4f43-9d0e-4c1f6a2b7e01"}, nil, "", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "fail site", "pass mapping table", "skip profiles"},
			[]string{"Access Denied (check siteId and the API client's rights on that site; 'ipassan-connector sites' lists the sites)"}},
		{"configuration errors, one line each", m{"clientSecret": " ", "baseUrl": "http://ipassan.com", "pageSize": "lots"}, nil, "-", 1,
			[]string{"fail configuration", "fail configuration", "fail configuration", "skip credentials", "skip site", "skip mapping table", "skip profiles"},
			[]string{"configuration key clientSecret is missing (the client secret is read from $IPASSAN_CLIENT_SECRET, which is not set: export IPASSAN_CLIENT_SECRET='…'",
				"configuration key baseUrl must use https",
				`configuration key pageSize must be a whole number from 1 to 1000, got "lots"`, "not checked: the configuration has errors"}},
		{"no mapping table", m{"accessProfileMappingPath": ""}, nil, "", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "fail mapping table", "skip profiles"},
			[]string{"configuration key accessProfileMappingPath is missing: enable needs the access-profile mapping table", "not checked: no mapping table"}},
		{"a mapping table with a duplicate key", m{"accessProfileMappingPath": duplicate}, nil, "", 1,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "fail mapping table", "skip profiles"},
			[]string{`line 3: lookup key "a" repeats line 2 ("A")`}},
		{"a mapping table saved by Excel", m{"accessProfileMappingPath": excel}, nil, "", 0,
			[]string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "warn mapping table", "pass mapping table", "pass profiles"},
			[]string{"is not UTF-8 and was read as Windows-1252 (what Excel saves)", "1 row, 1 access profile", "the mapped access profile is on persons of the site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := demoConfig(t, url, tt.extra)
			env := map[string]string{contextbuild.EnvClientSecret: demoSecret}
			switch tt.secret {
			case "":
			case "-":
				env = map[string]string{}
			default:
				env[contextbuild.EnvClientSecret] = tt.secret
			}
			r := invocation{env: env}.run(t, append([]string{"validate", "--config", cfg}, tt.args...)...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			v := decodeJSON[validation](t, r)
			assert.Equal(t, tt.code == 0, v.OK)
			assert.Equal(t, tt.statuses, statusLines(v))
			for _, want := range tt.messages {
				assert.Contains(t, messages(v), want)
			}
			if tt.code != 0 {
				assert.Regexp(t, `^ipassan-connector validate: \d+ of \d+ checks failed\n$`, r.stderr)
			}
			assert.NotContains(t, r.stdout+r.stderr, demoSecret)
		})
	}
}

func TestValidateOnATerminal(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, m{"connectorPath": "ipassan-connector"})

	r := runOn(t, terminal{out: true, err: true}, "validate", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 11)
	assert.Equal(t, "\x1b[32m✓\x1b[0m  \x1b[1mconfiguration\x1b[0m  clientId, clientSecret, baseUrl and siteId are set and well-formed", lines[0])
	assert.Contains(t, lines[2], "\x1b[33m!\x1b[0m  \x1b[1mhttps\x1b[0m          http://")
	assert.Equal(t, "\x1b[32mReady: no check failed.\x1b[0m", lines[10])
	assert.Contains(t, r.stderr, "Reading the site", "the scan for profiles shows its progress")

	r = invocation{term: terminal{out: true}, env: map[string]string{"NO_COLOR": "", contextbuild.EnvClientSecret: "wrong"}}.run(t, "validate", "--config", cfg)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "✗  credentials", "NO_COLOR, even empty, turns colour off")
	assert.Contains(t, r.stdout, "-  site           not checked: no token")
	assert.NotContains(t, r.stdout, "Ready")
	assert.Equal(t, "ipassan-connector validate: 1 of 7 checks failed\n", r.stderr)
}

func TestValidateUsageErrors(t *testing.T) {
	t.Parallel()
	cfg := writeJSONFile(t, "config.json", m{})
	for _, args := range [][]string{
		{"--config", cfg, "--person", zoe},
		{"--config", cfg, "--field-mapping", projectMapping},
	} {
		r := runOn(t, terminal{}, append([]string{"validate"}, args...)...)
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, "--person and --field-mapping go together")
	}
	r := runOn(t, terminal{}, "validate")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "validate needs a configuration")
}
