package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// scale is what the bench reads and how hard.
type scale struct {
	large   int           // generated persons of the large site: (a) and (d)
	golive  int           // generated persons of the go-live site: (b), (c) and the steps
	creates int           // correlating creates of the go-live
	sample  int           // of them, run without the index (the rest extrapolated)
	latency time.Duration // of every request
	clamp   int           // the fake's largest page
	repeats int           // runs of each read in (c), the median reported
}

var (
	full  = scale{large: 100000, golive: 20000, creates: 1000, sample: 20, latency: 100 * time.Millisecond, clamp: 100, repeats: 3}
	quick = scale{large: 5000, golive: 2000, creates: 40, sample: 5, latency: 20 * time.Millisecond, clamp: 100, repeats: 1}
)

// targets of issue 14, checked on the full scale.
const (
	correlationTarget = 12 * time.Second
	goLiveTarget      = 5 * time.Minute
	requestsTarget    = 3.0
	memoryTarget      = 64 << 20
)

// row is one line of a table: a run and what it cost.
type row struct {
	what     string // the scan or the run
	strategy string
	wall     time.Duration
	requests int
	pastEnd  int // of the requests, pages asked past the end of the site
	rss      int64
	result   string
	failed   bool
	// needed is the requests a complete read takes, for a run that failed at
	// the deadline: its speed-up is then a bound, and an estimate.
	needed int
}

// overlappedPages is how many pages a read of persons at step rows a page
// takes, each page after the first overlapping the one before by a row.
func overlappedPages(persons, step int) int {
	if persons <= step {
		return 1
	}
	return 1 + (persons-step+step-2)/(step-1)
}

func mb(b int64) string {
	if b == 0 {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

func seconds(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	if d >= 100*time.Second {
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// speedup is base's wall time over r's; when base failed at the deadline it
// is a lower bound, followed by the estimate against the time base would
// have needed at the rate it went.
func speedup(base, r row) string {
	switch {
	case r.what != base.what:
		return "—"
	case r.strategy == base.strategy:
		return "1.0×"
	}
	ratio := base.wall.Seconds() / r.wall.Seconds()
	if !base.failed || base.needed == 0 || base.requests == 0 {
		return fmt.Sprintf("%.1f×", ratio)
	}
	estimate := base.wall.Seconds() * float64(base.needed) / float64(base.requests)
	return fmt.Sprintf("> %.1f× (≈ %.0f×)", ratio, estimate/r.wall.Seconds())
}

// printTable prints rows as markdown, speed-ups against the first row.
func printTable(w io.Writer, site, latency string, rows []row) {
	fmt.Fprintln(w, "| site | latency, pages | scan | strategy | wall time | requests (past the end) | max RSS | result | speed-up |")
	fmt.Fprintln(w, "| ---: | --- | --- | --- | ---: | ---: | ---: | --- | ---: |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s (%d) | %s | %s | %s |\n", site, latency, r.what, r.strategy, seconds(r.wall),
			thousands(r.requests), r.pastEnd, mb(r.rss), r.result, speedup(rows[0], r))
	}
}

// check prints whether a target of the issue is met.
func check(w io.Writer, ok bool, format string, args ...any) bool {
	mark := "✓"
	if !ok {
		mark = "✗ MISSED:"
	}
	fmt.Fprintf(w, "- %s %s\n", mark, fmt.Sprintf(format, args...))
	return ok
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mustRemove removes a folder the bench made, saying so when it cannot.
func mustRemove(dir string) {
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, "bench: cannot remove", dir, err)
	}
}
