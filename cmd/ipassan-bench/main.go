// Command ipassan-bench measures how fast the connector reads large IPassan
// sites, against the strategy of the public PowerShell connector (50 persons a
// page, one page after another) in the same run. It starts ipassan-fake with
// a generated site and an injected latency per request, runs correlation (a
// create in DryRun that must read the whole site to find the one match at the
// end) and an account import, and reports wall time, requests, peak heap
// growth and the ratio to the baseline. It also times the binary's start-up.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// site is one fake IPassan: its size and the latency of every request.
type site struct {
	persons int
	latency time.Duration
}

// strategy is how the site is read.
type strategy struct {
	name        string
	pageSize    int
	concurrency int
}

var (
	baseline = strategy{"baseline (50/page, sequential)", 50, 1}
	ours     = strategy{"ipassan-connector (defaults)", 50, 8}
)

const (
	demoSite   = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	demoClient = "demo-client"
	demoSecret = "demo-secret-not-for-production"
	seeded     = 4 // persons testdata/fake/seed.json brings along
)

func main() {
	bin := flag.String("bin", "bin", "folder holding ipassan-fake and ipassan-connector")
	testdata := flag.String("testdata", "testdata", "the repository's testdata folder")
	quick := flag.Bool("quick", false, "only the small sites (for a smoke run)")
	only := flag.Int("only", 0, "only the site of this many generated persons (with --latency)")
	latency := flag.Duration("latency", 20*time.Millisecond, "latency of the site chosen with --only")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench failed:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	sites := []site{{1000, 20 * time.Millisecond}, {1000, 100 * time.Millisecond}, {20000, 20 * time.Millisecond},
		{20000, 100 * time.Millisecond}, {100000, 20 * time.Millisecond}}
	switch {
	case *only > 0:
		sites = []site{{*only, *latency}}
	case *quick:
		sites = sites[:2]
	}
	if err := run(*bin, *testdata, sites, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		os.Exit(1)
	}
}

func run(bin, testdata string, sites []site, w io.Writer) error {
	fmt.Fprintf(w, "Go %s, %d CPUs, %s/%s\n\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintln(w, "| site | latency | scan | strategy | wall time | requests | peak heap growth | speed-up |")
	fmt.Fprintln(w, "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |")
	for _, s := range sites {
		fake, err := startFake(bin, testdata, s)
		if err != nil {
			return err
		}
		for _, scan := range []string{"correlation", "import"} {
			var base time.Duration
			for _, st := range []strategy{baseline, ours} {
				r, err := measure(fake.url, s, scan, st)
				if err != nil {
					fake.stop()
					return fmt.Errorf("%d persons, %s, %s: %w", s.persons, scan, st.name, err)
				}
				speedup := "1.0×"
				if st == baseline {
					base = r.wall
				} else {
					speedup = fmt.Sprintf("%.1f×", float64(base)/float64(r.wall))
				}
				fmt.Fprintf(w, "| %d | %s | %s | %s | %.2f s | %d | %.1f MB | %s |\n", s.persons+seeded, s.latency, scan, st.name,
					r.wall.Seconds(), r.requests, float64(r.peakHeap)/(1<<20), speedup)
			}
		}
		fake.stop()
	}
	start, err := startup(filepath.Join(bin, "ipassan-connector"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nStart-up of `ipassan-connector --version`: median %.1f ms over 21 runs.\n", float64(start.Microseconds())/1000)
	return nil
}

type result struct {
	wall     time.Duration
	requests int64
	peakHeap uint64
}

// measure runs one scan in this process against the fake (in its own
// process, so its memory is not counted).
func measure(url string, s site, scan string, st strategy) (result, error) {
	ac := map[string]any{
		"Configuration": map[string]any{"clientId": demoClient, "clientSecret": demoSecret, "baseUrl": url, "siteId": demoSite,
			"pageSize": st.pageSize, "concurrency": st.concurrency},
		"DryRun": true,
	}
	target := fmt.Sprint(100000 + s.persons - 1) // the last person: the whole site must be read
	if scan == "correlation" {
		ac["Data"] = map[string]any{"lastname": "Bench", "number": target}
		ac["CorrelationConfiguration"] = map[string]any{"Enabled": true, "PersonFieldValue": target, "AccountField": "number"}
	} else {
		ac["ImportFields"] = []string{"firstname", "lastname", "mail"}
	}
	raw, _ := json.Marshal(map[string]any{"actionContext": ac})
	in, err := helloid.Decode(raw)
	if err != nil {
		return result{}, err
	}
	red := secret.NewRedactor()
	conn, err := connector.New(in, connector.Env{Redactor: red, Log: zerolog.Nop()})
	if err != nil {
		return result{}, err
	}

	runtime.GC()
	stopSampling, peak := sampleHeap()
	start := time.Now()
	switch scan {
	case "correlation":
		out := connector.Actions["create"].Run(conn, context.Background(), in)
		if !out.Success || out.AccountCorrelated == nil || !*out.AccountCorrelated {
			err = fmt.Errorf("did not correlate: %+v", out.AuditLogs)
		}
	default:
		var n int
		n, err = conn.ImportAccounts(context.Background(), in, func(a connector.ImportedAccount) error {
			b, err := object.Marshal(a)
			_, _ = io.Discard.Write(b)
			return err
		})
		if err == nil && n != s.persons+seeded {
			err = fmt.Errorf("imported %d accounts, expected %d", n, s.persons+seeded)
		}
	}
	wall := time.Since(start)
	stopSampling()
	return result{wall: wall, requests: conn.Client.Requests(), peakHeap: peak()}, err
}

// sampleHeap samples live heap objects every 2 ms and reports the peak above
// where it started.
func sampleHeap() (stop func(), peak func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var max atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, func() uint64 {
		if m := max.Load(); m > base {
			return m - base
		}
		return 0
	}
}

// startup is the median time of `ipassan-connector --version`.
func startup(path string) (time.Duration, error) {
	var times []time.Duration
	for range 21 {
		start := time.Now()
		if out, err := exec.Command(path, "--version").CombinedOutput(); err != nil {
			return 0, fmt.Errorf("%s --version: %v: %s", path, err, out)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times[len(times)/2], nil
}

type fakeProcess struct {
	cmd *exec.Cmd
	url string
}

func startFake(bin, testdata string, s site) (*fakeProcess, error) {
	dir, err := os.MkdirTemp("", "ipassan-bench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	addrFile := filepath.Join(dir, "addr")
	cmd := exec.Command(filepath.Join(bin, "ipassan-fake"), "--quiet", "--addr", "127.0.0.1:0", "--addr-file", addrFile,
		"--seed", filepath.Join(testdata, "fake", "seed.json"), "--generate", fmt.Sprint(s.persons),
		"--latency", s.latency.String(), "--max-page-size", "100")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting ipassan-fake (run make build first): %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			return &fakeProcess{cmd: cmd, url: strings.TrimSpace(string(b))}, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return nil, errors.New("ipassan-fake did not start: " + stderr.String())
}

func (f *fakeProcess) stop() {
	_ = f.cmd.Process.Signal(os.Interrupt)
	_ = f.cmd.Wait()
}
