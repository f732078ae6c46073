package fakeproc

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fake that dies at start is noticed at once, with what it said, not after
// the whole start timeout.
func TestAFakeThatDiesAtStartFailsAtOnce(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	script := "#!/bin/sh\necho 'seed: no such file' >&2\nexit 3\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "ipassan-fake"), []byte(script), 0o755))
	start := time.Now()
	p, err := Start(bin, "seed.json")
	assert.Nil(t, p)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Contains(t, err.Error(), "ipassan-fake ended before it listened (exit status 3): seed: no such file")
}

func TestAFakeThatListensIsStartedAndStopped(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	// Writes its address where it is told (the argument after --addr-file), then waits to be stopped.
	script := "#!/bin/sh\nwhile [ \"$1\" != --addr-file ]; do shift; done\necho http://127.0.0.1:4711 > \"$2\"\nexec sleep 60\n"
	require.NoError(t, os.WriteFile(filepath.Join(bin, "ipassan-fake"), []byte(script), 0o755))
	p, err := Start(bin, "seed.json")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:4711", p.URL)
	start := time.Now()
	p.Stop()
	assert.Less(t, time.Since(start), 5*time.Second)
	select {
	case <-p.exited:
	default:
		t.Fatal("Stop returned before the fake ended")
	}
}

// ReadStats reads the fake's counts as the demo and the bench use them.
func TestReadStats(t *testing.T) {
	t.Parallel()
	f := fake.New(fake.Seed{}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/api/v1/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	require.NoError(t, err)
	resp.Body.Close()
	s, err := ReadStats(srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Total, "the token request")
	assert.Zero(t, s.Writes)
}
