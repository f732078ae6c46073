// Command ipassan-bench measures what issue 14 asks of the connector on large
// sites, through the real binaries: bin/ipassan-fake serves a generated site
// with a latency on every request and pages clamped at 100, and
// bin/ipassan-connector runs each action as a process of its own, the way
// HelloID's agent starts it. Every measurement runs the public connector's
// strategy (50 persons a page, one page after another, no index) as the
// baseline in the same run:
//
//	(a) a correlation over 100,000 persons (a create that correlates with the
//	    site's last person);
//	(b) the go-live: 1,000 correlating creates in a row on 20,000 persons,
//	    with and without the site index (a sample of 20 without, the rest
//	    extrapolated), and the site checked for duplicates afterwards;
//	(c) what the overlap that detects a shifting site costs (a connector
//	    built without it, for the purpose);
//	(d) the peak memory of one action on 100,000 persons (max RSS).
//
// It also shows what each step of the defaults buys, times `plan` for 50,000
// HR persons against 50,000 IPassan persons, counts the requests of each
// action and times the binary's start-up. It exits 1 when a target of the
// issue is missed. BENCH_VERBOSE=1 shows the plan's debug log.
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
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

const (
	demoSite   = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	demoClient = "demo-client"
	demoSecret = "demo-secret-not-for-production"
	seeded     = 4 // persons testdata/fake/seed.json brings along
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == launchFlag {
		launch(os.Args[2:])
		return
	}
	bin := flag.String("bin", "bin", "folder holding ipassan-fake and ipassan-connector")
	testdata := flag.String("testdata", "testdata", "the repository's testdata folder (its parent is the source the bench builds from)")
	smoke := flag.Bool("quick", false, "small sites, 20 ms, 40 creates: a smoke run of a minute, no targets checked")
	flag.Parse()
	sc := full
	if *smoke {
		sc = quick
	}
	start := time.Now()
	ok, err := run(*bin, *testdata, sc, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench failed:", err)
		os.Exit(1)
	}
	fmt.Printf("\nThe bench took %s.\n", seconds(time.Since(start)))
	if !ok {
		fmt.Fprintln(os.Stderr, "bench: a target of issue 14 was missed (see ✗ above)")
		os.Exit(1)
	}
}

func run(bin, testdata string, sc scale, w io.Writer) (bool, error) {
	fmt.Fprintf(w, "Go %s, %d CPUs, %s/%s\n", runtime.Version(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	dir, err := os.MkdirTemp("", "ipassan-bench")
	if err != nil {
		return false, err
	}
	defer mustRemove(dir)
	root, err := filepath.Abs(filepath.Join(testdata, ".."))
	if err != nil {
		return false, err
	}
	conn := binary{path: filepath.Join(bin, "ipassan-connector")}
	large, err := largeSite(w, conn, bin, testdata, dir, sc)
	if err != nil {
		return false, err
	}
	golive, err := goLiveSite(w, conn, bin, testdata, root, dir, sc)
	if err != nil {
		return false, err
	}
	if err := planBench(bin, testdata, w); err != nil {
		return false, err
	}
	if err := requestsPerAction(bin, testdata, dir, w); err != nil {
		return false, err
	}
	start, err := startup(conn.path)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "\nStart-up of `ipassan-connector --version`: median %.1f ms over 21 runs.\n", float64(start.Microseconds())/1000)
	return large && golive, nil
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
	return median(times), nil
}

// planPersons is the size of both sides of the plan benchmark.
const planPersons = 50000

// planBench times `ipassan-connector plan` for an HR export of 50,000 persons
// against a site of 50,000 (plus the seed's 4), no latency: the whole binary,
// from reading the export to printing the plan as JSON.
func planBench(bin, testdata string, w io.Writer) error {
	fake, err := startSite(bin, testdata, planPersons, 0, 100)
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

// requestsPerAction runs each action once against the demo IPassan (1,004
// persons, pages of at most 100) and counts the requests it sends, the token
// request included. The create of a new person reads the whole site and
// leaves the site index behind; the create that follows correlates through
// it.
func requestsPerAction(bin, testdata, dir string, w io.Writer) error {
	fake, err := startSite(bin, testdata, 1000, 0, 100)
	if err != nil {
		return err
	}
	defer fake.Stop()
	indexDir, err := tempDir(dir, "index")
	if err != nil {
		return err
	}
	defer mustRemove(indexDir)
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
		{"create (new person; a site of 1,004 persons, 11 pages of 100)", "create", map[string]any{"Data": newHire, "CorrelationConfiguration": correlate}},
		{"create (correlates, through the site index)", "create", map[string]any{"Data": newHire, "CorrelationConfiguration": correlate}},
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
			"accessProfileMapping": mapping, "siteIndexPath": indexDir}
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
