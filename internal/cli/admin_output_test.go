package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

func TestDecideOutput(t *testing.T) {
	tests := []struct {
		name    string
		flag    string
		out     bool // stdout is a terminal
		err     bool // stderr is a terminal
		noColor bool
		want    presentation
	}{
		{"a terminal: a coloured table", "", true, true, false, presentation{style: render.Style{Colour: true}, progress: true}},
		{"a pipe: JSON", "", false, true, false, presentation{json: true, progress: true}},
		{"stderr piped: no progress bar", "", true, false, false, presentation{style: render.Style{Colour: true}}},
		{"NO_COLOR: a plain table", "", true, true, true, presentation{progress: true}},
		{"--output json on a terminal", "json", true, false, false, presentation{json: true}},
		{"--output table in a pipe: no colour", "table", false, false, false, presentation{}},
	}
	t.Parallel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			io := IOStreams{OutIsTerminal: tt.out, ErrIsTerminal: tt.err, LookupEnv: func(key string) (string, bool) {
				return "", tt.noColor && key == "NO_COLOR" // set, even empty, turns colour off
			}}
			assert.Equal(t, tt.want, decideOutput(io, tt.flag))
		})
	}
}

func TestScanProgressOnlyWhenShown(t *testing.T) {
	t.Parallel()
	var shown, hidden bytes.Buffer
	for _, c := range []struct {
		w    *bytes.Buffer
		show bool
	}{{&shown, true}, {&hidden, false}} {
		p := newScanProgress(c.w, c.show, "Reading the site")
		for i := 0; i < 3; i++ {
			p.AddPage(50)
		}
		p.Done()
	}
	assert.Contains(t, shown.String(), "Reading the site")
	assert.Empty(t, hidden.String())
}

func TestVersionAndCompletion(t *testing.T) {
	t.Parallel()
	r := run(t, "", "version")
	assert.Equal(t, 0, r.code)
	assert.Equal(t, "ipassan-connector "+version()+"\n", r.stdout)
	assert.Equal(t, run(t, "", "--version").stdout, r.stdout, "the same as --version")

	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := run(t, "", "completion", shell)
		assert.Equal(t, 0, r.code, shell)
		assert.Contains(t, r.stdout, "ipassan-connector", shell)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"completion", "tcsh"}, `completion knows bash, fish, powershell or zsh, not "tcsh"`},
		{[]string{"completion", "bsh"}, `(did you mean "bash"?)`},
		{[]string{"completion"}, "completion needs a shell: bash, fish, powershell or zsh"},
	} {
		r := run(t, "", tt.args...)
		assert.Equal(t, 2, r.code, "a shell completion does not know is a usage error")
		assert.Empty(t, r.stdout)
		assert.Contains(t, r.stderr, tt.want)
	}

	r = run(t, "", "help", "get")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "ipassan-connector get UUID")
	r = run(t, "", "help", "gte")
	assert.Equal(t, 2, r.code, "help for a command that does not exist is a usage error")
	assert.Contains(t, r.stderr, `no help for "gte": it is not a command (did you mean get?)`)

	r = run(t, "", "version", "--output", "json")
	assert.Equal(t, 0, r.code, r.stderr)
	info := decodeJSON[map[string]any](t, r)
	assert.Equal(t, readBuildInfo().Version, info["version"])
	assert.Contains(t, info, "go")

	// What the shell asks when completing: the values of --action and --output.
	r = run(t, "", "__complete", "map", "--action", "")
	assert.Equal(t, 0, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "create\nupdate\nenable\ndisable\ndelete\n"), r.stdout)
	r = run(t, "", "__complete", "sites", "--output", "")
	assert.True(t, strings.HasPrefix(r.stdout, "table\njson\n"), r.stdout)
	r = run(t, "", "__complete", "")
	for _, cmd := range []string{"sites", "get", "find", "validate", "map", "version"} {
		assert.Contains(t, r.stdout, cmd+"\t", "the admin commands complete")
	}
}

// The spinner shows after a quiet spell, says what is awaited, and gets out
// of the way of anything written.
func TestWaitingSpinner(t *testing.T) {
	t.Parallel()
	var buf lockedBuffer
	w := startWaiting(&buf, func() string { return "GET /api/v1/token" }, 20*time.Millisecond, 5*time.Millisecond)
	require.Eventually(t, func() bool { return strings.Contains(buf.String(), "GET /api/v1/token (") }, 2*time.Second, 5*time.Millisecond)
	_, err := w.Write([]byte("a log line\n"))
	require.NoError(t, err)
	w.Stop()
	out := buf.String()
	assert.Contains(t, out, "\r\x1b[Ka log line\n", "the spinner's line is cleared before anything else is written")

	var quiet lockedBuffer
	w = startWaiting(&quiet, nil, time.Hour, time.Millisecond)
	_, _ = w.Write([]byte("x"))
	w.Stop()
	assert.Equal(t, "x", quiet.String(), "no spinner before the quiet spell")
}

// lockedBuffer is a bytes.Buffer safe for the spinner's goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
