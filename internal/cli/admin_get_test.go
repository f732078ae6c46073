package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestGetShowsOnePerson(t *testing.T) {
	t.Parallel()
	const mohammed = "c0a80101-0000-4000-8000-000000000002"
	for name, opts := range map[string]fake.Options{
		"bare answers":            {},
		"answers wrapped in data": {WrapPerson: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, url := startDemoFake(t, opts)
			r := runOn(t, terminal{}, "get", mohammed, "--config", demoConfig(t, url, nil))
			require.Equal(t, 0, r.code, r.stderr)
			got := decodeJSON[map[string]any](t, r)
			assert.Equal(t, mohammed, got["uuid"])
			assert.Equal(t, "El Amrani", got["lastname"])
			assert.Equal(t, "1003", got["number"])
			assert.Equal(t, map[string]any{"doorPermanent": "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a55", "doorTemporary": "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a60",
				"floorPermanent": nil, "floorTemporary": nil}, got["accessType"])
		})
	}
}

func TestGetOnATerminalNamesTheProfiles(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	noColour := invocation{term: terminal{out: true}, env: map[string]string{"NO_COLOR": "1", contextbuild.EnvClientSecret: demoSecret}}
	r := noColour.run(t, "get", femke, "--config", demoConfig(t, url, nil))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, `uuid                       c0a80101-0000-4000-8000-000000000001
firstname                  Femke
lastname                   de Vries
mail                       femke.devries@zorggroep-demo.nl
phone
number                     1002
type                       2 (employee)
other
accessType.doorPermanent   Verdieping 1 (a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51)
accessType.doorTemporary   none
accessType.floorPermanent  none
accessType.floorTemporary  none
architecture               {"name":"Hoofdlocatie","type":"site","uuid":"3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"}
`, r.stdout)

	// Without a mapping table the profiles show as their GUID.
	r = noColour.run(t, "get", femke, "--config", demoConfig(t, url, m{"accessProfileMappingPath": ""}))
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "accessType.doorPermanent   "+verdieping1+"\n")
}

func TestGetFailures(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown uuid", []string{"c0a80101-0000-4000-8000-00000000ffff", "--config", cfg}, 1,
			`ipassan-connector get: site ` + demoSite + ` has no person with uuid "c0a80101-0000-4000-8000-00000000ffff"`},
		{"not a uuid", []string{"../admin", "--config", cfg}, 1, `ipassan-connector get: account reference "../admin" is not a valid IPassan uuid`},
		{"a site the client may not read", []string{femke, "--config", cfg, "--set", "siteId=0d6c6f1e-5b0a-4f43-9d0e-4c1f6a2b7e01"}, 1,
			"access denied (HTTP 403): Access Denied (check siteId and the API client's rights on that site; 'ipassan-connector sites' lists the sites)"},
		{"no siteId", []string{femke, "--config", cfg, "--set", "siteId="}, 1, "configuration key siteId is missing"},
		{"no uuid", []string{"--config", cfg}, 2, "get needs the person's UUID (the account reference; 'find --number' finds it)"},
		{"--context and --config", []string{femke, "--config", cfg, "--context", cfg}, 2, "--context and --config/--set cannot be used together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOn(t, terminal{}, append([]string{"get"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}
