package cli

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// The demo IPassan of testdata/fake/seed.json.
const (
	demoSite    = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	demoSecret  = "demo-secret-not-for-production"
	femke       = "c0a80101-0000-4000-8000-000000000001" // number 1002, door profile Verdieping 1
	verdieping1 = "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51"
)

// startDemoFake serves testdata/fake/seed.json in-process.
func startDemoFake(t *testing.T, opts fake.Options) (*fake.Server, string) {
	t.Helper()
	seed, err := fake.LoadSeed(repotest.Path("testdata", "fake", "seed.json"))
	require.NoError(t, err)
	f := fake.New(seed, opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// demoConfig writes a flat configuration for the demo fake at url, with
// extra keys on top. The secret is where admins put it: in the environment
// (see invocation).
func demoConfig(t *testing.T, url string, extra m) string {
	t.Helper()
	cfg := m{"clientId": "demo-client", "baseUrl": url, "siteId": demoSite,
		"accessProfileMappingPath": repotest.Path("testdata", "AccessProfile.csv"), "retryBackoffMilliseconds": 5}
	for k, v := range extra {
		cfg[k] = v
	}
	return writeJSONFile(t, "config.json", cfg)
}

func writeJSONFile(t *testing.T, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// terminal says which streams a test pretends are terminals.
type terminal struct{ out, err bool }

// runOn runs the command line with the given streams counting as terminals.
func runOn(t *testing.T, term terminal, args ...string) result {
	t.Helper()
	return invocation{term: term}.run(t, args...)
}

// decodeJSON decodes stdout, which must be exactly one JSON document.
func decodeJSON[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	require.NoError(t, dec.Decode(&v), "stdout: %q\nstderr: %s", r.stdout, r.stderr)
	require.False(t, dec.More(), "stdout holds more than one JSON document: %q", r.stdout)
	return v
}
