package config

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

func parse(t *testing.T, js string) (Config, error) {
	t.Helper()
	o, err := object.DecodeObject([]byte(js))
	require.NoError(t, err)
	return Parse(o)
}

const minimal = `"clientId":"id","clientSecret":"s3cr3t","baseUrl":"https://ipassan.com","siteId":"0f3a2b1c-0000-4000-8000-000000000001"`

func TestActionTimeoutUpToTheWrappersLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		want  time.Duration
	}{{`"1"`, time.Second}, {`28`, 28 * time.Second}, {`" 28 "`, 28 * time.Second}, {`""`, DefaultActionTimeout}} {
		c, err := parse(t, `{`+minimal+`,"actionTimeoutSeconds":`+tt.value+`}`)
		require.NoError(t, err, tt.value)
		assert.Equal(t, tt.want, c.ActionTimeout, tt.value)
	}
	assert.Equal(t, 28*time.Second, MaxActionTimeout)
}

func TestParseDefaults(t *testing.T) {
	c, err := parse(t, "{"+minimal+"}")
	require.NoError(t, err)
	assert.Equal(t, "id", c.ClientID)
	assert.Equal(t, "s3cr3t", c.ClientSecret.Reveal())
	assert.Equal(t, "https://ipassan.com", c.BaseURL.String())
	assert.Equal(t, 500, c.PageSize)
	assert.Equal(t, 16, c.Concurrency)
	assert.Equal(t, 25*time.Second, c.ActionTimeout)
	assert.Equal(t, Lifecycle, c.AccessProfileSource)
	assert.Equal(t, "doorPermanent", c.PermissionAccessType)
	assert.NotContains(t, fmt.Sprintf("%+v", c), "s3cr3t", "printing a Config must not reveal the secret")
}

func TestParseAcceptsPowerShellConnectorSpelling(t *testing.T) {
	// The public PowerShell connector's form spells clientID and BaseUrl.
	c, err := parse(t, `{"clientID":"id","clientSecret":"x1y","BaseUrl":"https://ipassan.com/","siteId":"abc-1","PageSize":"200","CONCURRENCY":2,"accessProfileSource":"Permissions","permissionAccessType":"DOORTEMPORARY"}`)
	require.NoError(t, err)
	assert.Equal(t, "id", c.ClientID)
	assert.Equal(t, 200, c.PageSize)
	assert.Equal(t, 2, c.Concurrency)
	assert.Equal(t, Permissions, c.AccessProfileSource)
	assert.Equal(t, "doorTemporary", c.PermissionAccessType)
}

func TestParseBaseURL(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://ipassan.com", "https://ipassan.com", ""},
		{"https://ipassan.com/api/v1/", "https://ipassan.com", ""},
		{"https://example.org/ipassan/", "https://example.org/ipassan", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://localhost:1", "http://localhost:1", ""},
		{"http://[::1]:9", "http://[::1]:9", ""},
		{"http://ipassan.com", "", "must use https"},
		{"ipassan.com", "", "must be an address such as https://ipassan.com"},
		{"ftp://ipassan.com", "", "must be an address"},
		{"https://ipassan.com?x=1", "", "must not have a query"},
		{"https://admin:hunter22@ipassan.com", "", "must not contain a user name or password"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := parse(t, fmt.Sprintf(`{"clientId":"i","clientSecret":"sss","siteId":"s","baseUrl":%q}`, tt.in))
			if tt.err == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, c.BaseURL.String())
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.NotContains(t, err.Error(), "hunter22")
		})
	}
}

func TestParseNamesEveryBadKey(t *testing.T) {
	tests := []struct {
		name, js string
		want     []string
	}{
		{"all missing", `{}`, []string{
			"configuration key clientId is missing", "configuration key clientSecret is missing",
			"configuration key baseUrl is missing", "configuration key siteId is missing"}},
		{"blank secret", `{"clientId":"i","clientSecret":"  ","baseUrl":"https://x","siteId":"s"}`,
			[]string{"configuration key clientSecret is missing"}},
		{"object secret", `{"clientId":"i","clientSecret":{},"baseUrl":"https://x","siteId":"s"}`,
			[]string{"configuration key clientSecret must be text, got an object"}},
		{"site with slash", `{"clientId":"i","clientSecret":"sss","baseUrl":"https://x","siteId":"../other"}`,
			[]string{"configuration key siteId must be the site GUID"}},
		{"page size", `{` + minimal + `,"pageSize":"0"}`, []string{"configuration key pageSize must be a whole number from 1 to 1000"}},
		{"timeout", `{` + minimal + `,"actionTimeoutSeconds":"soon"}`, []string{"actionTimeoutSeconds must be a whole number"}},
		{"timeout past the wrappers' 28 s", `{` + minimal + `,"actionTimeoutSeconds":"29"}`, []string{
			`configuration key actionTimeoutSeconds must be a whole number from 1 to 28 (HelloID's wrappers stop waiting for the connector after 28 seconds), got "29"`}},
		{"timeout of a minute", `{` + minimal + `,"actionTimeoutSeconds":60}`, []string{"actionTimeoutSeconds must be a whole number from 1 to 28", `got "60"`}},
		{"slot", `{` + minimal + `,"permissionAccessType":"door"}`, []string{"permissionAccessType must be one of doorPermanent, doorTemporary"}},
		{"source", `{` + minimal + `,"accessProfileSource":"hr"}`, []string{"accessProfileSource must be one of lifecycle, permissions"}},
		{"both mappings", `{` + minimal + `,"accessProfileMappingPath":"a.csv","accessProfileMapping":"x;y;z"}`, []string{"are both set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.js)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
