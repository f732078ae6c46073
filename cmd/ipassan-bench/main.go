// Command ipassan-bench measures how fast the connector reads large IPassan
// sites, against the strategy of the public PowerShell connector (50 persons a
// page, one page after another) in the same run. It starts ipassan-fake with
// a generated site and an injected latency per request, runs correlation (a
// create in DryRun that must read the whole site to find the one match at the
// end) and an account import, and reports wall time, requests, peak heap
// growth and the ratio to the baseline. It also times `plan` for 50,000 HR
// persons against 50,000 IPassan persons, and the binary's start-up.
// BENCH_VERBOSE=1 shows the plan's debug log (its phases and their times).
package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/ipassan-connector/ipassan-connector/internal/fakeproc"
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
				r, err := measure(fake.URL, s, scan, st)
				if err != nil {
					fake.Stop()
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
		fake.Stop()
	}
	if err := planBench(bin, testdata, w); err != nil {
		return err
	}
	if err := requestsPerAction(bin, testdata, w); err != nil {
		return err
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

// startFake starts ipassan-fake with a generated site of s.persons more
// persons, answering every request after s.latency.
func startFake(bin, testdata string, s site) (*fakeproc.Process, error) {
	return fakeproc.Start(bin, filepath.Join(testdata, "fake", "seed.json"), "--generate", fmt.Sprint(s.persons),
		"--latency", s.latency.String(), "--max-page-size", "100")
}

// planPersons is the size of both sides of the plan benchmark.
const planPersons = 50000

// planBench times `ipassan-connector plan` for an HR export of 50,000 persons
// against a site of 50,000 (plus the seed's 4), no latency: the whole binary,
// from reading the export to printing the plan as JSON.
func planBench(bin, testdata string, w io.Writer) error {
	fake, err := startFake(bin, testdata, site{persons: planPersons})
	if err != nil {
		return err
	}
	defer fake.Stop()
	dir, err := os.MkdirTemp("", "ipassan-plan")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	export, err := writeExport(filepath.Join(dir, "hr.json"), planPersons)
	if err != nil {
		return err
	}
	cfg := filepath.Join(dir, "config.json")
	root := filepath.Join(testdata, "..")
	b, _ := json.Marshal(map[string]any{"clientId": demoClient, "clientSecret": demoSecret, "baseUrl": fake.URL, "siteId": demoSite,
		"accessProfileMappingPath": filepath.Join(testdata, "AccessProfile.csv")})
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		return err
	}
	start := time.Now()
	cmd := exec.Command(filepath.Join(bin, "ipassan-connector"), "plan", "--config", cfg, "--persons", export,
		"--field-mapping", filepath.Join(root, "fieldMapping.json"), "--output", "json", "--log-level", "debug")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("plan: %v: %s", err, stderr.String())
	}
	took := time.Since(start)
	if os.Getenv("BENCH_VERBOSE") != "" {
		fmt.Fprint(os.Stderr, stderr.String())
	}
	var plan struct {
		Persons []json.RawMessage `json:"persons"`
		Summary map[string]int    `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &plan); err != nil || len(plan.Persons) != planPersons {
		return fmt.Errorf("plan printed %d persons (%v)", len(plan.Persons), err)
	}
	fmt.Fprintf(w, "\n`plan` of an HR export of %d persons against a site of %d, no latency: %.2f s (%s).\n",
		planPersons, planPersons+seeded, took.Seconds(), summary(plan.Summary))
	return nil
}

func summary(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

// writeExport writes n HelloID persons whose ExternalIds match the fake's
// generated persons (fake.Generate): a tenth of them with another mail, the
// titles spread over the demo mapping table, every contract in conditions.
func writeExport(path string, n int) (string, error) {
	titles := []string{"Medewerker Servicedesk", "Teamleider Servicedesk", "Verpleegkundige", "Senior Verpleegkundige", "Medewerker Financiële administratie"}
	first := []string{"Zoë", "Ĳsbrand", "Anouk", "Mohammed", "Femke", "Søren", "Noël", "Daan"}
	last := []string{"d'Hondt", "van 't Hof", "de Vries", "El Amrani", "Jansen", "Bakker", "Müller", "Öztürk"}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	if _, err := f.WriteString("["); err != nil {
		return "", err
	}
	for i := range n {
		if i > 0 {
			_, _ = f.WriteString(",")
		}
		mail := fmt.Sprintf("person%d@example.org", i)
		if i%10 == 0 {
			mail = fmt.Sprintf("p%d@zorggroep-demo.nl", i)
		}
		title := titles[i%len(titles)]
		contract := map[string]any{"ExternalId": fmt.Sprint(i, "-1"), "Context": map[string]any{"InConditions": true},
			"Title": map[string]any{"Name": title}, "Department": map[string]any{"DisplayName": "Zorg"}}
		if err := enc.Encode(map[string]any{
			"ExternalId": fmt.Sprint(100000 + i), "DisplayName": first[i%len(first)] + " " + last[(i/len(first))%len(last)],
			"Name": map[string]any{"NickName": first[i%len(first)], "GivenName": first[i%len(first)],
				"FamilyName": last[(i/len(first))%len(last)], "Convention": "B"},
			"Contact":         map[string]any{"Business": map[string]any{"Email": mail, "Phone": map[string]any{"Mobile": fmt.Sprintf("+31 6 %08d", i)}}},
			"PrimaryContract": contract, "Contracts": []any{contract},
		}); err != nil {
			return "", err
		}
	}
	_, err = f.WriteString("]")
	return path, err
}

// requestsPerAction runs each action once against the demo IPassan and counts
// the requests it sends, the token request included.
func requestsPerAction(bin, testdata string, w io.Writer) error {
	fake, err := startFake(bin, testdata, site{persons: 200})
	if err != nil {
		return err
	}
	defer fake.Stop()
	mapping := "HelloIDLookupKey;AccessProfileName;AccessProfileId\nMedewerker Servicedesk;Verdieping 1;a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51\n" +
		"Teamleider Servicedesk;Alle verdiepingen;a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a52\n"
	const femke = "c0a80101-0000-4000-8000-000000000001" // number 1002, Verdieping 1
	newHire := map[string]any{"firstname": "Zoë", "lastname": "d'Hondt", "number": "9001", "type": "2"}
	correlate := map[string]any{"Enabled": true, "PersonFieldValue": "9001", "AccountField": "number"}
	key := func(k string) map[string]any {
		return map[string]any{"_extension": map[string]any{"accessProfileLookupKey": k}}
	}
	withKey := func(d map[string]any, k string) map[string]any {
		out := map[string]any{"_extension": map[string]any{"accessProfileLookupKey": k}}
		for f, v := range d {
			out[f] = v
		}
		return out
	}
	steps := []struct {
		label, action string
		ac            map[string]any
	}{
		{"create (new person; a site of 204 persons, 5 pages)", "create", map[string]any{"Data": newHire, "CorrelationConfiguration": correlate}},
		{"create (correlates)", "create", map[string]any{"Data": newHire, "CorrelationConfiguration": correlate}},
		{"update (nothing differs)", "update", map[string]any{"Data": map[string]any{"firstname": "Femke"}, "References": map[string]any{"Account": femke}}},
		{"update (one field)", "update", map[string]any{"Data": map[string]any{"mail": "f@example.org"}, "References": map[string]any{"Account": femke}}},
		{"update (job change: profile moves)", "update", map[string]any{"Data": withKey(map[string]any{"mail": "f@example.org"}, "Teamleider Servicedesk"), "References": map[string]any{"Account": femke}}},
		{"disable", "disable", map[string]any{"References": map[string]any{"Account": femke}}},
		{"disable (already)", "disable", map[string]any{"References": map[string]any{"Account": femke}}},
		{"enable", "enable", map[string]any{"Data": key("Medewerker Servicedesk"), "References": map[string]any{"Account": femke}}},
		{"enable (already)", "enable", map[string]any{"Data": key("Medewerker Servicedesk"), "References": map[string]any{"Account": femke}}},
		{"permissions (from the table)", "permissions", map[string]any{}},
		{"grant", "grant", map[string]any{"References": map[string]any{"Account": femke, "Permission": map[string]any{"Reference": "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a52"}}}},
		{"revoke", "revoke", map[string]any{"References": map[string]any{"Account": femke, "Permission": map[string]any{"Reference": "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a52"}}}},
		{"delete", "delete", map[string]any{"References": map[string]any{"Account": femke}}},
		{"delete (already gone)", "delete", map[string]any{"References": map[string]any{"Account": femke}}},
	}
	fmt.Fprintln(w, "\n| action | requests | outcome |\n| --- | ---: | --- |")
	for _, st := range steps {
		st.ac["Configuration"] = map[string]any{"clientId": demoClient, "clientSecret": demoSecret, "baseUrl": fake.URL, "siteId": demoSite,
			"accessProfileMapping": mapping}
		raw, _ := json.Marshal(map[string]any{"actionContext": st.ac})
		in, err := helloid.Decode(raw)
		if err != nil {
			return err
		}
		conn, err := connector.New(in, connector.Env{Redactor: secret.NewRedactor(), Log: zerolog.Nop()})
		if err != nil {
			return err
		}
		out := connector.Actions[st.action].Run(conn, context.Background(), in)
		outcome := "failed"
		if out.Success {
			outcome = "success"
		}
		if len(out.AuditLogs) > 0 {
			outcome += ": " + out.AuditLogs[len(out.AuditLogs)-1].Action
		}
		fmt.Fprintf(w, "| %s | %d | %s |\n", st.label, conn.Client.Requests(), outcome)
	}
	return nil
}
