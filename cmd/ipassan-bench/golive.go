package main

import (
	"fmt"
	"io"
	"time"
)

// goLiveSite is the rest of issue 14 on a site of sc.golive persons: what
// each step of the defaults buys (one correlation each, the index off), (c)
// what the overlap that detects a shifting site costs, and (b) the go-live,
// sc.creates correlating creates in a row, each a process of its own, with
// and without the site index.
func goLiveSite(w io.Writer, conn binary, bin, testdata, root, dir string, sc scale) (ok bool, err error) {
	f, err := startSite(bin, testdata, sc.golive, sc.latency, sc.clamp)
	if err != nil {
		return false, err
	}
	defer f.Stop()
	site := thousands(sc.golive + seeded)
	latency := fmt.Sprintf("%s, ≤ %d a page", sc.latency, sc.clamp)

	fmt.Fprintf(w, "\n### What each step buys: a correlation over %s persons, the index off\n\n", site)
	steps := []settings{
		baseline,
		{name: "large pages only (500/page, one at a time)", pageSize: 500, concurrency: 1, noIndex: true},
		{name: "window only (50/page, up to 16 at once)", pageSize: 50, noIndex: true},
		{name: "large pages and window (the defaults, index off)", noIndex: true},
	}
	var rows []row
	for _, s := range steps {
		r, err := runRead(conn, f, s, "correlation", dir)
		if err != nil {
			return false, err
		}
		rows = append(rows, r)
	}
	printTable(w, site, latency, rows)
	base := rows[0]

	if err := overlapCost(w, conn, f, root, dir, sc); err != nil {
		return false, err
	}

	fmt.Fprintf(w, "\n### (b) Go-live: %s correlating creates in a row on %s persons (%s), one process each\n\n", thousands(sc.creates), site, latency)
	without, err := goLive(conn, f, settings{name: "ipassan-connector, index off", noIndex: true}, sc.sample, sc.creates, dir)
	if err != nil {
		return false, err
	}
	with, err := goLive(conn, f, defaults, sc.creates, sc.creates, dir)
	if err != nil {
		return false, err
	}
	dups, persons, err := f.duplicates()
	if err != nil {
		return false, err
	}
	baseRun := goLiveResult{name: baseline.name, ran: 1, of: sc.creates, elapsed: base.wall, requests: base.requests, maxRSS: base.rss}
	if base.failed {
		baseRun.failures = 1
	}
	fmt.Fprintln(w, "| strategy | creates run | total time | requests per create | max RSS of one process (1 in 50 measured) | failed | speed-up |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range []goLiveResult{baseRun, without, with} {
		fmt.Fprintf(w, "| %s | %s | %s | %.1f | %s | %d of %d | %.0f× |\n", r.name, r.runs(), r.total(), r.perCreate(), mb(r.maxRSS),
			r.failures, r.ran, baseRun.extrapolated().Seconds()/r.extrapolated().Seconds())
	}
	fmt.Fprintf(w, "\nThe baseline's create is the step table's first correlation; \"≈\" marks a total extrapolated from the creates run. "+
		"After the go-live the site holds %s persons, %d numbers held twice.\n", thousands(persons), dups)
	if sc != full {
		return dups == 0 && with.failures == 0, nil
	}
	fmt.Fprintln(w)
	ok = check(w, with.failures == 0 && with.elapsed < goLiveTarget && with.perCreate() <= requestsTarget,
		"(b) with the index: %s creates in %s (target under %s), %.2f requests per create (target at most %.0f), none failed",
		thousands(with.ran), seconds(with.elapsed), goLiveTarget, with.perCreate(), requestsTarget)
	ok = check(w, dups == 0 && persons == sc.golive+seeded, "(b) no duplicate: %s persons, as before the go-live", thousands(persons)) && ok
	return ok, nil
}

// rssSample: one create in this many runs through the launcher, which
// measures its peak memory but costs a process start of its own.
const rssSample = 50

// goLiveResult is a run of correlating creates.
type goLiveResult struct {
	name     string
	ran, of  int // creates run, of the go-live's
	elapsed  time.Duration
	requests int
	maxRSS   int64
	failures int
	failure  string // the first
}

func (r goLiveResult) runs() string {
	if r.ran == r.of {
		return thousands(r.ran)
	}
	return fmt.Sprintf("%s of %s", thousands(r.ran), thousands(r.of))
}

func (r goLiveResult) extrapolated() time.Duration {
	return time.Duration(float64(r.elapsed) * float64(r.of) / float64(r.ran))
}

func (r goLiveResult) total() string {
	if r.ran == r.of {
		return seconds(r.elapsed)
	}
	return fmt.Sprintf("≈ %s (%s for %d)", seconds(r.extrapolated()), seconds(r.elapsed), r.ran)
}

func (r goLiveResult) perCreate() float64 { return float64(r.requests) / float64(r.ran) }

// goLive runs count correlating creates with the persons a go-live of of
// creates would take, spread over the site, each in a process of its own,
// one after another, with a site index of their own (when on).
func goLive(conn binary, f *fakeSite, s settings, count, of int, dir string) (goLiveResult, error) {
	r := goLiveResult{name: s.name, ran: count, of: of}
	indexDir, err := tempDir(dir, "index")
	if err != nil {
		return r, err
	}
	defer mustRemove(indexDir)
	cfg := s.configuration(f, indexDir)
	before, err := f.stats()
	if err != nil {
		return r, err
	}
	spread := max(1, f.persons/of)
	start := time.Now()
	for k := range count {
		uuid, _ := generated(k * spread)
		// Every create a process of its own, started as the agent starts
		// it; one in rssSample through the launcher, for its peak memory.
		run := conn.runDirect
		if k%rssSample == 0 {
			run = conn.run
		}
		o, err := run("create", correlating(cfg, k*spread))
		if err != nil {
			return r, err
		}
		r.maxRSS = max(r.maxRSS, o.maxRSS)
		if !o.correlated(uuid) {
			r.failures++
			if r.failure == "" {
				r.failure = o.reason()
			}
		}
	}
	r.elapsed = time.Since(start)
	after, err := f.stats()
	if err != nil {
		return r, err
	}
	r.requests = after.Total - before.Total
	if after.Writes != before.Writes {
		return r, fmt.Errorf("%s: the correlating creates wrote to IPassan (%d writes)", s.name, after.Writes-before.Writes)
	}
	return r, nil
}

// overlapCost is (c): a whole-site read with the overlap that detects a
// shifting site, and without it (a connector built for the purpose), the
// median of sc.repeats runs each, at the defaults' page size and at 50.
func overlapCost(w io.Writer, conn binary, f *fakeSite, root, dir string, sc scale) error {
	site := thousands(f.persons + seeded)
	fmt.Fprintf(w, "\n### (c) What the shift detection costs: a whole-site read of %s persons (%s, ≤ %d a page), the index off\n\n", site, f.latency, f.clamp)
	plain, err := withoutOverlap(root, dir)
	if err != nil {
		fmt.Fprintf(w, "Not measured: %v\n", err)
		return nil
	}
	fmt.Fprintln(w, "| page size asked | read | pages read | requests (past the end) | wall time (median) |")
	fmt.Fprintln(w, "| ---: | --- | ---: | ---: | ---: |")
	for _, s := range []settings{{name: "defaults", noIndex: true}, {name: "50", pageSize: 50, noIndex: true}} {
		var times [2][]time.Duration
		var rows [2]row
		for range sc.repeats {
			for i, c := range []binary{conn, plain} {
				r, err := runRead(c, f, s, "correlation", dir)
				if err != nil {
					return err
				}
				if r.failed {
					return fmt.Errorf("(c) %s: %s", s.name, r.result)
				}
				times[i] = append(times[i], r.wall)
				rows[i] = r
			}
		}
		// Pages read are the requests but the token and the pages asked
		// past the end: what the overlap changes, whatever the window did.
		pages := func(r row) int { return r.requests - 1 - r.pastEnd }
		with, without := median(times[0]), median(times[1])
		for i, name := range []string{"with overlap (the product)", "without overlap"} {
			fmt.Fprintf(w, "| %s | %s | %s | %s (%d) | %s |\n", s.name, name, thousands(pages(rows[i])), thousands(rows[i].requests), rows[i].pastEnd,
				seconds(median(times[i])))
		}
		fmt.Fprintf(w, "| %s | cost of the overlap | %+d (%+.1f%%) | | %+.2f s (%+.0f%%) |\n", s.name, pages(rows[0])-pages(rows[1]),
			100*float64(pages(rows[0])-pages(rows[1]))/float64(pages(rows[1])), (with - without).Seconds(), 100*(with-without).Seconds()/without.Seconds())
	}
	return nil
}
