package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/fakeproc"
)

// binary is an ipassan-connector binary, run the way HelloID's agent runs
// it: one process per action, the context on standard input.
type binary struct {
	path string
}

// outcome is what one action process did.
type outcome struct {
	Success           bool    `json:"Success"`
	AccountReference  *string `json:"AccountReference"`
	AccountCorrelated *bool   `json:"AccountCorrelated"`
	AuditLogs         []struct {
		Action  string `json:"Action"`
		Message string `json:"Message"`
		IsError bool   `json:"IsError"`
	} `json:"AuditLogs"`

	wall   time.Duration
	maxRSS int64 // bytes, the process's peak resident set (0 where unknown)
	lines  int   // of standard output (import)
	stderr string
}

// correlated says whether the create took over the person with this uuid.
func (o outcome) correlated(uuid string) bool {
	return o.Success && o.AccountCorrelated != nil && *o.AccountCorrelated &&
		o.AccountReference != nil && strings.EqualFold(*o.AccountReference, uuid)
}

// reason is the last audit line, or what the process said on standard error.
func (o outcome) reason() string {
	if n := len(o.AuditLogs); n > 0 {
		return o.AuditLogs[n-1].Message
	}
	return strings.TrimSpace(o.stderr)
}

// run starts the binary for action with the context as standard input and
// waits for it. A lifecycle action's outputContext is decoded; an import's
// lines are counted as they stream by.
//
// The binary is started through the bench itself as a launcher (see launch):
// on Linux a child's peak RSS counts its parent's at the moment it was
// started (exec records the peak of the memory it replaces, which with
// vfork is the parent's), and the bench holds far more than the launcher.
func (c binary) run(action string, context map[string]any) (outcome, error) {
	return c.exec(action, context, true)
}

// runDirect starts the binary itself, as the agent does, without the
// launcher: its wall time is the action's, but its peak RSS is not known.
// The launcher is another Go process of the bench's size, whose start would
// add some 25 ms to every create of a go-live.
func (c binary) runDirect(action string, context map[string]any) (outcome, error) {
	return c.exec(action, context, false)
}

// exec is run (measure: through the launcher, which reports the action's
// wall time and peak RSS) and runDirect.
func (c binary) exec(action string, context map[string]any, measure bool) (outcome, error) {
	input, err := json.Marshal(map[string]any{"actionContext": context})
	if err != nil {
		return outcome{}, err
	}
	name, args := c.path, []string{action, "--log-level", "error"}
	var report, reportW *os.File
	if measure {
		self, err := os.Executable()
		if err != nil {
			return outcome{}, err
		}
		if report, reportW, err = os.Pipe(); err != nil {
			return outcome{}, err
		}
		defer report.Close()
		name, args = self, append([]string{launchFlag, c.path}, args...)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	lines := &lineCounter{}
	cmd.Stdout, cmd.Stderr = io.Writer(&stdout), &stderr
	if action == "import" {
		cmd.Stdout = lines
	}
	if measure {
		cmd.ExtraFiles = []*os.File{reportW}
	}
	start := time.Now()
	err = cmd.Start()
	if measure {
		reportW.Close()
	}
	if err != nil {
		return outcome{}, fmt.Errorf("%s %s: %w", c.path, action, err)
	}
	var measured launched
	var decodeErr error
	if measure {
		decodeErr = json.NewDecoder(report).Decode(&measured)
	}
	err = cmd.Wait()
	o := outcome{wall: time.Since(start), stderr: stderr.String()}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return outcome{}, fmt.Errorf("%s %s: %w", c.path, action, err)
	}
	if measure {
		if decodeErr != nil {
			return outcome{}, fmt.Errorf("%s %s: the launcher did not report (%v): %s", c.path, action, decodeErr, stderr.String())
		}
		o.wall, o.maxRSS = measured.Wall, measured.MaxRSS
	}
	if action == "import" {
		o.lines, o.Success = lines.n, cmd.ProcessState.ExitCode() == 0 // the launcher exits as the action did
		return o, nil
	}
	if err := json.Unmarshal(stdout.Bytes(), &o); err != nil {
		return o, fmt.Errorf("%s %s printed no outputContext (%v): %q %s", c.path, action, err, stdout.String(), stderr.String())
	}
	return o, nil
}

// lineCounter counts the lines written to it and keeps nothing.
type lineCounter struct{ n int }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += bytes.Count(p, []byte("\n"))
	return len(p), nil
}

// launchFlag, as the bench's first argument, makes it the launcher.
const launchFlag = "--launch-and-measure"

// launched is what the launcher reports of the process it ran.
type launched struct {
	Wall   time.Duration `json:"wall"`
	MaxRSS int64         `json:"maxRSS"`
	Exit   int           `json:"exit"`
}

// launch runs args as a process with the launcher's standard streams, then
// writes its wall time, peak RSS and exit status as JSON to file descriptor
// 3, and exits as the process did. The launcher is small, so the peak RSS of
// the process is its own.
func launch(args []string) {
	report := os.NewFile(3, "report")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		os.Exit(2)
	}
	_ = json.NewEncoder(report).Encode(launched{Wall: wall, MaxRSS: maxRSS(cmd.ProcessState), Exit: cmd.ProcessState.ExitCode()})
	os.Exit(cmd.ProcessState.ExitCode())
}

// withoutOverlap builds, into dir, a connector whose scans read pages end to
// end (the build tag ipassan_bench_without_overlap; see
// internal/ipassan/scan_without_overlap.go), to measure what the overlap
// costs through the real binary. It needs the Go toolchain and the source.
func withoutOverlap(root, dir string) (binary, error) {
	out := filepath.Join(dir, "ipassan-connector-without-overlap")
	cmd := exec.Command("go", "build", "-tags", "ipassan_bench_without_overlap", "-o", out, "./cmd/ipassan-connector")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return binary{}, fmt.Errorf("building the connector without overlap: %v: %s", err, b)
	}
	return binary{path: out}, nil
}

// fakeSite is a running ipassan-fake with a generated site.
type fakeSite struct {
	*fakeproc.Process
	persons int // generated ones; the seed brings seeded more
	latency time.Duration
	clamp   int
}

// startSite starts ipassan-fake with persons generated persons (numbers
// 100000 and up, see fake.Generate), latency on every request and pages
// clamped at clamp.
func startSite(bin, testdata string, persons int, latency time.Duration, clamp int) (*fakeSite, error) {
	p, err := fakeproc.Start(bin, filepath.Join(testdata, "fake", "seed.json"), "--generate", fmt.Sprint(persons),
		"--latency", latency.String(), "--max-page-size", fmt.Sprint(clamp))
	if err != nil {
		return nil, err
	}
	return &fakeSite{Process: p, persons: persons, latency: latency, clamp: clamp}, nil
}

// generated is the uuid and number of the i-th generated person.
func generated(i int) (uuid, number string) {
	return fmt.Sprintf("b0000000-0000-4000-8000-%012d", i), fmt.Sprint(100000 + i)
}

// stats is the fake's count of requests.
func (f *fakeSite) stats() (fakeproc.Stats, error) { return fakeproc.ReadStats(f.URL) }

// duplicates counts the persons of the demo site whose number another person
// of the site holds too, and the persons there are.
func (f *fakeSite) duplicates() (dups, persons int, err error) {
	resp, err := http.Get(f.URL + "/_fake/sites/" + demoSite + "/persons")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var all []struct {
		Number string `json:"number"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return 0, 0, err
	}
	seen := map[string]int{}
	for _, p := range all {
		if p.Number != "" {
			seen[p.Number]++
		}
	}
	for _, n := range seen {
		if n > 1 {
			dups += n - 1
		}
	}
	return dups, len(all), nil
}

// settings are the configuration keys a run sets besides the credentials.
type settings struct {
	name        string
	pageSize    int // 0: the connector's default
	concurrency int // 0: the connector's default
	noIndex     bool
}

var (
	baseline = settings{name: "baseline (50/page, one at a time, no index)", pageSize: 50, concurrency: 1, noIndex: true}
	defaults = settings{name: "ipassan-connector (defaults)"}
)

// configuration is the Configuration of an action against f, its site index
// (when on) in indexDir.
func (s settings) configuration(f *fakeSite, indexDir string) map[string]any {
	c := map[string]any{"clientId": demoClient, "clientSecret": demoSecret, "baseUrl": f.URL, "siteId": demoSite,
		"siteIndexPath": indexDir}
	if s.pageSize > 0 {
		c["pageSize"] = s.pageSize
	}
	if s.concurrency > 0 {
		c["concurrency"] = s.concurrency
	}
	if s.noIndex {
		c["siteIndexMaxAgeSeconds"] = 0
	}
	return c
}

// correlating is the context of a create that correlates on number with the
// i-th generated person.
func correlating(cfg map[string]any, i int) map[string]any {
	_, number := generated(i)
	return map[string]any{
		"Configuration":            cfg,
		"Data":                     map[string]any{"firstname": "Bench", "lastname": "Mark", "number": number},
		"CorrelationConfiguration": map[string]any{"Enabled": true, "PersonFieldValue": number, "AccountField": "number"},
	}
}

// tempDir is a fresh folder under the bench's own, for one run's site index.
func tempDir(parent, name string) (string, error) {
	return os.MkdirTemp(parent, name)
}
