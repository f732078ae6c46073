package ipassan

import "time"

// window decides how many pages a concurrent scan keeps in flight: as many as
// IPassan serves without strain, never more than the ceiling
// (ScanOptions.Concurrency), and not many past the end of a small site.
//
// It is an AIMD limit, the way TCP finds what a network carries:
//   - slow start: from two pages, one more per page answered (doubling every
//     round trip) until the first sign of overload;
//   - a sign of overload is a 429 answered since the last look (the client
//     counts them) or an answer that took clearly longer than the fastest one
//     so far (more than twice as long, and latencySlack more): IPassan is
//     queueing. It cuts the window at once (see decrease), and the pages asked
//     before that cut cannot cut it again: they met the same overload;
//   - after the first cut, one more page per window's worth of answers
//     (additive increase), so the window hovers under what IPassan carries
//     instead of overshooting it every few round trips.
//
// IPassan does not say how large a site is, so the pages in flight when the
// last page is answered are asked in vain. To keep that small on a small
// site, no more pages are in flight than aheadRatio of the pages answered so
// far: fewer than half the pages of a site are ever asked past its end.
//
// The window knows no clock and no HTTP: the reader tells it what happened,
// so its tests replay any sequence of answers without waiting.
type window struct {
	policy   windowPolicy
	ceiling  int
	size     float64       // pages allowed in flight now (the congestion window)
	growing  bool          // slow start: no overload seen yet
	fastest  time.Duration // the quickest answer so far: IPassan unloaded
	limited  int64         // the client's count of 429 answers when last looked
	asked    int           // tickets handed out, one per page asked
	calm     int           // answers to pages asked up to this ticket do not decrease again
	answered int           // pages answered, the first page included
}

// windowPolicy holds what the window does besides AIMD on 429s, so that the
// simulation tests and BenchmarkScanWindow can measure each part against its
// absence.
type windowPolicy struct {
	// aheadRatio bounds the pages in flight to this share of the pages
	// answered so far (at least one); 0 leaves them bounded by the window
	// alone.
	aheadRatio float64
	// latency: an answer much slower than the fastest counts as overload.
	latency bool
	// perPage keeps growing by one page per answer after a cut, as the
	// reader before issue 14 did, instead of one per window's worth of
	// answers.
	perPage bool
}

// scanPolicy is the policy scans use; each part pays (measured in
// TestWindowPolicyPaysOffAgainstItsAbsence on a simulated clock, and in
// BenchmarkScanWindow against the fake).
var scanPolicy = windowPolicy{aheadRatio: 0.5, latency: true}

// decrease is what the window is multiplied by at a sign of overload. Not a
// half, as in TCP Reno, but 0.7, as in CUBIC: against a server that answers
// 429 beyond 8 requests at once (100 ms each), halving left 6.9 pages in
// flight on average and took 16.9 s for 1,011 pages, 0.7 left 8.5 and took
// 14.2 s, for 31 and 38 answers 429 (the reader before it: 13.2 s and 207).
const decrease = 0.7

// latencySlack keeps the jitter of a fast, nearby server from reading as
// overload: an answer is slow when it takes more than twice the fastest and
// this much more.
const latencySlack = 5 * time.Millisecond

// newWindow starts a window after the first page, which took first, when the
// client had counted limited 429 answers.
func newWindow(policy windowPolicy, ceiling int, first time.Duration, limited int64) *window {
	ceiling = max(1, ceiling)
	return &window{policy: policy, ceiling: ceiling, size: float64(min(2, ceiling)), growing: true,
		fastest: first, limited: limited, answered: 1}
}

// allowed is how many pages may be in flight now.
func (w *window) allowed() int {
	n := int(w.size)
	if w.policy.aheadRatio > 0 {
		n = min(n, int(float64(w.answered)*w.policy.aheadRatio))
	}
	return max(1, min(n, w.ceiling))
}

// ask hands out the ticket of a page about to be asked.
func (w *window) ask() int {
	w.asked++
	return w.asked
}

// answer adjusts the window after the page with this ticket was answered
// (or failed) after took, when the client had counted limited 429 answers.
// It reports why it cut the window (to decrease of its size), or "" when it
// did not.
func (w *window) answer(ticket int, took time.Duration, limited int64) (decreased string) {
	w.answered++
	rateLimited := limited > w.limited
	slow := w.policy.latency && w.fastest > 0 && took > 2*w.fastest+latencySlack
	overloaded := rateLimited || slow
	w.limited = max(w.limited, limited)
	if took > 0 && (w.fastest <= 0 || took < w.fastest) {
		w.fastest = took
	}
	switch {
	case overloaded && ticket > w.calm:
		w.size = max(1, w.size*decrease)
		w.growing = false
		w.calm = w.asked
		if rateLimited {
			return "IPassan answered 429"
		}
		return "an answer took " + took.Round(time.Millisecond).String() + ", the fastest " + w.fastest.Round(time.Millisecond).String()
	case overloaded:
		// Asked before the last decrease: that decrease was for it.
	case w.growing || w.policy.perPage:
		w.size = min(float64(w.ceiling), w.size+1)
	default:
		w.size = min(float64(w.ceiling), w.size+1/w.size)
	}
	return ""
}
