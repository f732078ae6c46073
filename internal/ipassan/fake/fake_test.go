package fake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

func start(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	seed, err := LoadSeed(repotest.Path("testdata", "fake", "seed.json"))
	require.NoError(t, err)
	f := New(seed, opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

const demoSite = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"

func token(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/api/v1/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"all"},
		"client_id": {"demo-client"}, "client_secret": {"demo-secret-not-for-production"}})
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	assert.Equal(t, 3600, tok.ExpiresIn)
	return tok.AccessToken
}

func call(t *testing.T, srv *httptest.Server, tok, method, path, form string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+"/api/v1"+path, strings.NewReader(form))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestFakeQuirks(t *testing.T) {
	f, srv := start(t, Options{MaxPageSize: 3})
	tok := token(t, srv)

	status, _ := call(t, srv, "", "GET", "/access/site/"+demoSite+"/person", "")
	assert.Equal(t, 401, status, "no token, no answer")

	status, body := call(t, srv, tok, "GET", "/access/site/"+demoSite+"/person?limit=50&offset=0", "")
	require.Equal(t, 200, status)
	assert.Len(t, body["data"], 3, "limit clamped")
	assert.Equal(t, float64(3), body["next_cursor"])
	first := body["data"].([]any)[0].(map[string]any)
	assert.Equal(t, float64(2), first["type"], "type is a number")

	status, body = call(t, srv, tok, "GET", "/access/site/"+demoSite+"/person?limit=50&offset=3", "")
	require.Equal(t, 200, status)
	assert.Len(t, body["data"], 1)
	assert.Nil(t, body["next_cursor"], "null at the end")

	status, body = call(t, srv, tok, "GET", "/access/site/11111111-0000-0000-0000-000000000000/person", "")
	assert.Equal(t, 403, status)
	assert.Equal(t, "Access Denied", body["error"].(map[string]any)["message"])

	ref := "c0a80101-0000-4000-8000-000000000003"
	status, _ = call(t, srv, tok, "PUT", "/access/site/"+demoSite+"/person/"+ref, "accessType[doorPermanent]=not-a-profile")
	assert.Equal(t, 200, status, "unknown GUIDs are accepted…")
	p, _ := f.Person(demoSite, ref)
	assert.Empty(t, p.AccessType.Slot("doorPermanent"), "…and ignored")

	for form, msg := range map[string]string{
		"type=7": "type must be 1, 2 or 3", "architecture=x": "architecture is read-only",
		"badge=1": "unknown field badge", "accessType[door]=x": "unknown access slot",
		"other=" + strings.Repeat("x", 256): "other must be at most 255 characters",
	} {
		status, body = call(t, srv, tok, "PUT", "/access/site/"+demoSite+"/person/"+ref, form)
		assert.Equal(t, 400, status, form)
		assert.Contains(t, body["error"].(map[string]any)["message"], msg, form)
	}
	assert.Equal(t, 6, f.Count(RouteUpdate))
}

func TestFakeControlEndpoints(t *testing.T) {
	f, srv := start(t, Options{})
	resp, err := http.Post(srv.URL+"/_fake/faults", "application/json", strings.NewReader(`{"route":"get","status":503,"retryAfter":"2","times":1}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 204, resp.StatusCode)

	tok := token(t, srv)
	ref := "/access/site/" + demoSite + "/person/c0a80101-0000-4000-8000-000000000001"
	status, _ := call(t, srv, tok, "GET", ref, "")
	assert.Equal(t, 503, status)
	status, _ = call(t, srv, tok, "GET", ref, "")
	assert.Equal(t, 200, status, "the fault was used up")

	resp, err = http.Get(srv.URL + "/_fake/stats")
	require.NoError(t, err)
	var stats struct {
		Requests map[string]int
		Total    int
		Writes   int
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&stats))
	resp.Body.Close()
	assert.Equal(t, 2, stats.Requests["get"])
	assert.Equal(t, 3, stats.Total)
	assert.Equal(t, f.Total(), stats.Total)

	resp, err = http.Get(srv.URL + "/_fake/sites/" + demoSite + "/persons")
	require.NoError(t, err)
	var persons []Person
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&persons))
	resp.Body.Close()
	assert.Len(t, persons, 4)
}
