package cli

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestSitesListsBasesAndSites(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{MaxPageSize: 1}) // one row a page: paging is followed
	want := []baseSites{{BaseID: "9b1e4d20-7c3a-4f58-a6d9-2e0b8c7f1a65", BaseName: "zorggroep-demo", BaseDisplayName: "Zorggroep Demo",
		Sites: []siteInfo{{SiteID: demoSite, SiteName: "Hoofdlocatie"}, {SiteID: "7e4d1b90-2c6f-4a83-9e15-b3d0a7c2f846", SiteName: "Dependance"}}}}
	tests := []struct {
		name string
		args []string
	}{
		{"with a siteId", []string{"--config", demoConfig(t, url, nil)}},
		{"without a siteId", []string{"--config", demoConfig(t, url, m{"siteId": ""})}},
		{"with a siteId that is not even a GUID", []string{"--config", demoConfig(t, url, m{"siteId": "../x"})}},
		{"from --set alone", []string{"--set", "clientId=demo-client", "--set", "baseUrl=" + url}},
		{"from HelloID's form and --set", []string{"--config", psFixture("configuration.json"), "--set", "clientID=demo-client", "--set", "BaseUrl=" + url}},
		{"from a whole context", []string{"--context", writeJSONFile(t, "ctx.json", m{"actionContext": m{"Configuration": m{
			"clientId": "demo-client", "clientSecret": demoSecret, "baseUrl": url}}})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runOn(t, terminal{}, append([]string{"sites"}, tt.args...)...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, want, decodeJSON[[]baseSites](t, r), "JSON when stdout is piped")
		})
	}
}

func TestSitesTableOnATerminal(t *testing.T) {
	t.Parallel()
	f := fake.New(fake.Seed{
		Clients: []fake.Credential{{ClientID: "demo-client", ClientSecret: demoSecret}},
		Bases: []fake.BaseSeed{
			{UUID: "b-1", Name: "zorggroep", DisplayName: "Zorggroep Zoë", Sites: []fake.SiteSeed{{UUID: demoSite, Name: "Hoofdlocatie"}}},
			{UUID: "b-2", Name: "leeg"},
		},
	}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := demoConfig(t, srv.URL, nil)

	noColour := map[string]string{"NO_COLOR": "1", contextbuild.EnvClientSecret: demoSecret}
	r := invocation{term: terminal{out: true}, env: noColour}.run(t, "sites", "--config", cfg)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, `BASE           SITE          SITE ID (siteId)
Zorggroep Zoë  Hoofdlocatie  `+demoSite+`
leeg           (no sites)
`, r.stdout)

	asJSON := runOn(t, terminal{out: true}, "sites", "--config", cfg, "--output", "json")
	assert.Len(t, decodeJSON[[]baseSites](t, asJSON), 2, "--output json wins over the terminal")

	r = runOn(t, terminal{}, "sites", "--config", cfg, "--output", "table")
	assert.True(t, strings.HasPrefix(r.stdout, "BASE "), "--output table wins over the pipe")
	assert.NotContains(t, r.stdout, "\x1b[", "no colour in a pipe")
}

func TestSitesFailures(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	tests := []struct {
		name   string
		args   []string
		secret string
		code   int
		want   string
	}{
		{"wrong secret", []string{"--config", demoConfig(t, url, nil)}, "wrong-" + demoSecret, 1,
			"ipassan-connector sites: IPassan POST /api/v1/token: authentication failed (HTTP 401): Client authentication failed. (check clientId and clientSecret)"},
		{"no secret", []string{"--config", demoConfig(t, url, nil)}, "", 1,
			"ipassan-connector sites: configuration key clientSecret is missing"},
		{"no configuration", nil, demoSecret, 2, "sites needs a configuration: --config FILE (the client secret may come from $IPASSAN_CLIENT_SECRET) or --context FILE"},
		{"unreadable configuration", []string{"--config", "nowhere.json"}, demoSecret, 1, `ipassan-connector sites: configuration file "nowhere.json" does not exist`},
		{"an argument", []string{"--config", demoConfig(t, url, nil), "extra"}, demoSecret, 2, `sites takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := invocation{env: map[string]string{contextbuild.EnvClientSecret: tt.secret}}.run(t, append([]string{"sites"}, tt.args...)...)
			assert.Equal(t, tt.code, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tt.want)
			assert.NotContains(t, r.stderr, demoSecret)
		})
	}
}
