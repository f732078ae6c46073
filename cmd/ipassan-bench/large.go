package main

import (
	"fmt"
	"io"
	"time"
)

// runRead runs one action against f and says what it cost: a correlating
// create with the site's last person (the whole site must be read to find
// it), or an import of every account.
func runRead(conn binary, f *fakeSite, s settings, scan, dir string) (row, error) {
	indexDir, err := tempDir(dir, "index")
	if err != nil {
		return row{}, err
	}
	defer mustRemove(indexDir)
	before, err := f.stats()
	if err != nil {
		return row{}, err
	}
	cfg := s.configuration(f, indexDir)
	last := f.persons - 1
	uuid, _ := generated(last)
	var o outcome
	if scan == "import" {
		o, err = conn.run("import", map[string]any{"Configuration": cfg, "ImportFields": []string{"firstname", "lastname", "mail"}})
	} else {
		o, err = conn.run("create", correlating(cfg, last))
	}
	if err != nil {
		return row{}, err
	}
	after, err := f.stats()
	if err != nil {
		return row{}, err
	}
	r := row{what: scan, strategy: s.name, wall: o.wall, requests: after.Total - before.Total, pastEnd: after.PastEnd - before.PastEnd, rss: o.maxRSS}
	switch {
	case scan == "import" && o.Success && o.lines == f.persons+seeded:
		r.result = fmt.Sprintf("%s accounts", thousands(o.lines))
	case scan == "import":
		r.result, r.failed = fmt.Sprintf("failed after %s accounts: %s", thousands(o.lines), o.reason()), true
	case o.correlated(uuid):
		r.result = "correlated with the last person"
	default:
		r.result, r.failed = "failed: "+o.reason(), true
	}
	if after.Writes != before.Writes {
		return r, fmt.Errorf("%s %s wrote to IPassan (%d writes)", scan, s.name, after.Writes-before.Writes)
	}
	if r.failed {
		// What a complete read would have asked for, token included: for
		// the estimate of how long the baseline would have taken.
		r.needed = 1 + overlappedPages(f.persons+seeded, min(max(s.pageSize, 1), f.clamp))
	}
	return r, nil
}

// largeSite is (a) and (d) of issue 14: a correlation over the large site
// with the baseline and the defaults, and the memory of one action there
// (the correlation and an import).
func largeSite(w io.Writer, conn binary, bin, testdata, dir string, sc scale) (ok bool, err error) {
	f, err := startSite(bin, testdata, sc.large, sc.latency, sc.clamp)
	if err != nil {
		return false, err
	}
	defer f.Stop()
	site := thousands(sc.large + seeded)
	fmt.Fprintf(w, "\n### (a) Correlation over %s persons, (d) memory of one action there\n\n", site)
	var rows []row
	for _, run := range []struct {
		scan string
		s    settings
	}{{"correlation", baseline}, {"correlation", defaults}, {"import", defaults}} {
		r, err := runRead(conn, f, run.s, run.scan, dir)
		if err != nil {
			return false, err
		}
		rows = append(rows, r)
	}
	latency := fmt.Sprintf("%s, ≤ %d a page", sc.latency, sc.clamp)
	printTable(w, site, latency, rows)
	if rows[0].failed {
		fmt.Fprintf(w, "\nThe baseline stops at the action's deadline; a complete read would take it %s requests (≈ %s at the rate it went). "+
			"The import is not run with the baseline: it would take as long, past import's deadline.\n",
			thousands(rows[0].needed), seconds(time.Duration(float64(rows[0].wall)*float64(rows[0].needed)/float64(max(1, rows[0].requests)))))
	}
	if sc != full {
		return true, nil
	}
	fmt.Fprintln(w)
	ok = check(w, !rows[1].failed && rows[1].wall < correlationTarget, "(a) correlation over %s persons in %s with the defaults (target under %s), and correct",
		site, seconds(rows[1].wall), correlationTarget)
	ok = check(w, rows[1].rss < memoryTarget && rows[2].rss < memoryTarget && !rows[2].failed,
		"(d) peak memory of one action on %s persons: correlation %s, import %s (target under %s)", site, mb(rows[1].rss), mb(rows[2].rss), mb(memoryTarget)) && ok
	return ok, nil
}
