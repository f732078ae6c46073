package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// Not parallel: it holds each case to a limit on the process's CPU time,
// which tests running beside it in this process would add to.
func TestBadInputCorpus(t *testing.T) {
	dir := repotest.Path("testdata", "bad-input")
	var cases []struct {
		File, Action, Error, Absent string
	}
	require.NoError(t, json.Unmarshal(repotest.Read(t, "testdata", "bad-input", "cases.json"), &cases))
	require.GreaterOrEqual(t, len(cases), 25)

	seed, err := fake.LoadSeed(repotest.Path("testdata", "fake", "seed.json"))
	require.NoError(t, err)
	f := fake.New(seed, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	persons := len(f.Persons("3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"))

	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			require.NoError(t, err)
			if strings.HasSuffix(c.File, ".gz") {
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				require.NoError(t, err)
				raw, err = io.ReadAll(zr)
				require.NoError(t, err)
			}
			raw = bytes.ReplaceAll(raw, []byte("{{baseUrl}}"), []byte(srv.URL))

			start, cpuStart := time.Now(), cpuTime()
			r := run(t, string(raw), c.Action)
			// Work is measured as CPU time, which other tests and processes on a
			// busy machine do not inflate; the wall clock only catches a wait.
			if cpu := cpuTime() - cpuStart; cpu > 0 {
				assert.Less(t, cpu, 5*time.Second, "CPU time spent on hostile input")
			}
			assert.Less(t, time.Since(start), 20*time.Second, "no waiting on hostile input")
			assert.Equal(t, 1, r.code, "stderr: %s", r.stderr)
			assert.Less(t, len(r.stdout), 4096, "the answer stays small whatever came in")
			o := output(t, r)
			assert.False(t, o.Success)
			require.NotEmpty(t, o.AuditLogs)
			last := o.AuditLogs[len(o.AuditLogs)-1]
			assert.True(t, last.IsError)
			assert.Contains(t, last.Message, c.Error)
			if c.Absent != "" {
				assert.NotContains(t, r.stdout+r.stderr, c.Absent)
			}
		})
	}
	assert.Zero(t, f.Writes(), "no bad input reached IPassan as a write")
	assert.Len(t, f.Persons("3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"), persons)
}
