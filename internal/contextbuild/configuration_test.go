package contextbuild

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := object.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, content, 0o600))
	return path
}

func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func TestParseConfiguration(t *testing.T) {
	const form = `[
		{"key": "clientId", "type": "input", "defaultValue": "helloid", "templateOptions": {"label": "Client ID", "required": true}},
		{"key": "clientSecret", "type": "input", "defaultValue": "", "templateOptions": {"type": "password"}},
		{"key": "siteId", "type": "input"},
		{"key": "permissionsIncludeSiteProfiles", "type": "checkbox", "defaultValue": false},
		{"key": "pageSize", "type": "input", "defaultValue": 20}
	]`
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"HelloID's form: the defaultValues, entries without one left out", []byte(form),
			`{"clientId":"helloid","clientSecret":"","permissionsIncludeSiteProfiles":false,"pageSize":20}`},
		{"a flat object as it is", []byte(`{"clientID":"x","BaseUrl":"https://ipassan.com","pageSize":"20"}`),
			`{"clientID":"x","BaseUrl":"https://ipassan.com","pageSize":"20"}`},
		{"UTF-16 with a byte-order mark, as Windows PowerShell saves it", utf16LE(`{"clientId":"Zoë"}`), `{"clientId":"Zoë"}`},
		{"UTF-8 with a byte-order mark", append([]byte{0xEF, 0xBB, 0xBF}, `[{"key":"siteId","defaultValue":"s"}]`...), `{"siteId":"s"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfiguration(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, marshal(t, cfg))
		})
	}
}

func TestParseConfigurationRejects(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"a whole context", `{"actionContext":{"Configuration":{}}}`, "this is a whole HelloID context, not a configuration; pass it as the context instead"},
		{"text", `"clientId"`, "expected HelloID's form (a list of {key, defaultValue}) or an object of key: value, got text"},
		{"a form entry that is not an object", `[{"key":"a"}, 3]`, "form entry 2 is a number, expected {key, defaultValue}"},
		{"a form entry without key", `[{"defaultValue":"x"}]`, "form entry 1 has no key"},
		{"a blank key", `[{"key":" ","defaultValue":"x"}]`, "form entry 1 has no key"},
		{"broken JSON", `[{"key":`, "the JSON ends too early (truncated input?)"}, // and where (package object's wording)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfiguration([]byte(tt.raw))
			require.Error(t, err)
			if tt.name == "broken JSON" {
				assert.True(t, strings.HasPrefix(err.Error(), tt.want), err.Error())
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestLoadConfigurationLayers(t *testing.T) {
	form := repotest.Path("testdata", "fixtures", "powershell-connector", "configuration.json")
	overlay := writeFile(t, "overlay.json", []byte(`{"clientid":"from-overlay","BASEURL":"http://127.0.0.1:8080","siteId":"s-1","clientSecret":"from-file"}`))
	tests := []struct {
		name string
		src  ConfigSources
		want string
	}{
		{"the PowerShell connector's form alone", ConfigSources{Files: []string{form}},
			`{"clientID":"","clientSecret":"","BaseUrl":"","siteId":""}`},
		{"a later file wins key by key, keeping the first spelling", ConfigSources{Files: []string{form, overlay}},
			`{"clientID":"from-overlay","clientSecret":"from-file","BaseUrl":"http://127.0.0.1:8080","siteId":"s-1"}`},
		{"the environment's secret over the files", ConfigSources{Files: []string{form, overlay}, EnvSecret: "from-env"},
			`{"clientID":"from-overlay","clientSecret":"from-env","BaseUrl":"http://127.0.0.1:8080","siteId":"s-1"}`},
		{"--set over everything, a value may hold '='", ConfigSources{Files: []string{form, overlay}, EnvSecret: "from-env",
			Sets: []string{"SITEID=s-2", "clientSecret=a=b", "accessProfileMappingPath=AccessProfile.csv", "pageSize="}},
			`{"clientID":"from-overlay","clientSecret":"a=b","BaseUrl":"http://127.0.0.1:8080","siteId":"s-2","accessProfileMappingPath":"AccessProfile.csv","pageSize":""}`},
		{"--set alone", ConfigSources{Sets: []string{"clientId=x"}}, `{"clientId":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfiguration(tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, marshal(t, cfg))
		})
	}
}

func TestLoadConfigurationErrorsNameTheFileButNoValue(t *testing.T) {
	broken := writeFile(t, "broken.json", []byte(`{"clientSecret": "s3cret-value",}`))
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name string
		src  ConfigSources
		want string
	}{
		{"missing file", ConfigSources{Files: []string{missing}}, `configuration file "` + missing + `" does not exist`},
		{"broken file", ConfigSources{Files: []string{broken}}, `configuration file "` + broken + `": invalid JSON at line`},
		{"--set without =", ConfigSources{Sets: []string{"clientSecret"}}, `configuration override "clientSecret" has no value: write key=value`},
		{"--set without key", ConfigSources{Sets: []string{"=s3cret-value"}}, "a configuration override has no key: write key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfiguration(tt.src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "s3cret-value")
		})
	}
}

// The PowerShell connector's form, filled in, passes the connector's own
// configuration check: its keys (clientID, BaseUrl) are the connector's keys.
func TestPowerShellFormParsesAsAConfiguration(t *testing.T) {
	cfg, err := LoadConfiguration(ConfigSources{
		Files:     []string{repotest.Path("testdata", "fixtures", "powershell-connector", "configuration.json")},
		EnvSecret: "secret",
		Sets:      []string{"clientID=helloid", "BaseUrl=https://ipassan.com", "siteId=3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"},
	})
	require.NoError(t, err)
	c, err := config.Parse(cfg)
	require.NoError(t, err)
	assert.Equal(t, "helloid", c.ClientID)
	assert.Equal(t, "secret", c.ClientSecret.Reveal())
	assert.Equal(t, "https://ipassan.com", c.BaseURL.String())
}
