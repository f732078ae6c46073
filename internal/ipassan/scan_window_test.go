package ipassan

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

const ms = time.Millisecond

// step is one event the window hears of: a page answered after took, the
// client having counted limited 429 answers by then.
type step struct {
	took    time.Duration
	limited int64
	early   bool // the answer to a page asked before the window's last decrease
}

// replay feeds the window its events, asking a page before each answer the
// way the reader does, and returns allowed() after each.
func replay(w *window, steps []step) []int {
	var out []int
	for _, s := range steps {
		ticket := w.ask()
		if s.early {
			ticket = w.calm // a page asked before the last decrease
		}
		w.answer(ticket, s.took, s.limited)
		out = append(out, w.allowed())
	}
	return out
}

func repeat(n int, s step) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestWindow(t *testing.T) {
	t.Parallel()
	unbounded := windowPolicy{latency: true} // no bound by pages answered: AIMD alone
	tests := []struct {
		name    string
		policy  windowPolicy
		ceiling int
		first   time.Duration
		steps   []step
		want    []int
	}{
		{"slow start: one more per answer, up to the ceiling", unbounded, 6, 100 * ms,
			repeat(7, step{took: 100 * ms}), []int{3, 4, 5, 6, 6, 6, 6}},
		{"a ceiling of one reads one page at a time", unbounded, 1, 100 * ms,
			repeat(3, step{took: 100 * ms}), []int{1, 1, 1}},
		{"a 429 cuts the window at once, to 0.7 of it", unbounded, 16, 100 * ms,
			[]step{{took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms, limited: 1}},
			[]int{3, 4, 5, 6, 4}},
		{"pages asked before the cut do not cut again", unbounded, 16, 100 * ms,
			[]step{{took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms, limited: 1}, {took: 300 * ms, limited: 2, early: true}, {took: 300 * ms, early: true}},
			[]int{3, 4, 5, 3, 3, 3}},
		{"a 429 met by a page asked after the cut cuts again", unbounded, 16, 100 * ms,
			[]step{{took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms, limited: 1}, {took: 100 * ms, limited: 2}},
			[]int{3, 4, 5, 3, 2}},
		{"never below one page", unbounded, 16, 100 * ms,
			[]step{{took: 100 * ms, limited: 1}, {took: 100 * ms, limited: 2}, {took: 100 * ms, limited: 3}, {took: 100 * ms, limited: 4}},
			[]int{1, 1, 1, 1}},
		{"after a cut, one more page per window's worth of answers", unbounded, 16, 100 * ms,
			append([]step{{took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms, limited: 1}}, repeat(9, step{took: 100 * ms, limited: 1})...),
			// 5 → 3.5; +1/3.5, +1/3.79, … reaches 4 after two answers, 5 after five more
			[]int{3, 4, 5, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5}},
		{"an answer twice as slow as the fastest, and 5 ms more, is overload", unbounded, 16, 100 * ms,
			[]step{{took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 206 * ms}},
			[]int{3, 4, 5, 3}},
		{"jitter is not overload", unbounded, 16, 100 * ms,
			[]step{{took: 205 * ms}, {took: 60 * ms}, {took: 120 * ms}, {took: 125 * ms}}, // 205 and 125: just not
			[]int{3, 4, 5, 6}},
		{"the fastest answer so far is the measure", unbounded, 16, 100 * ms,
			[]step{{took: 40 * ms}, {took: 40 * ms}, {took: 90 * ms}},
			[]int{3, 4, 2}},
		{"latency ignored when the policy says so", windowPolicy{}, 16, 100 * ms,
			[]step{{took: 100 * ms}, {took: 900 * ms}},
			[]int{3, 4}},
		{"per page: regrows by one per answer after a cut", windowPolicy{perPage: true}, 16, 100 * ms,
			[]step{{took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms}, {took: 100 * ms, limited: 1}, {took: 100 * ms, limited: 1}, {took: 100 * ms, limited: 1}},
			[]int{3, 4, 5, 3, 4, 5}},
		{"never more in flight than half the pages answered", windowPolicy{aheadRatio: 0.5, latency: true}, 16, 100 * ms,
			repeat(9, step{took: 100 * ms}), []int{1, 1, 2, 2, 3, 3, 4, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWindow(tt.policy, tt.ceiling, tt.first, 0)
			assert.Equal(t, tt.want, replay(w, tt.steps))
		})
	}
}

func TestWindowStartsAtTwoPagesOrTheCeiling(t *testing.T) {
	t.Parallel()
	for ceiling, want := range map[int]int{0: 1, 1: 1, 2: 2, 16: 2} {
		assert.Equal(t, want, newWindow(windowPolicy{}, ceiling, 100*ms, 0).allowed(), "ceiling %d", ceiling)
	}
	// Half the pages answered: after the first page, one.
	assert.Equal(t, 1, newWindow(scanPolicy, 16, 100*ms, 0).allowed())
}

func TestWindowSaysWhyItBacksOff(t *testing.T) {
	t.Parallel()
	w := newWindow(windowPolicy{latency: true}, 16, 100*ms, 3)
	assert.Empty(t, w.answer(w.ask(), 100*ms, 3), "429s counted before the window began are not news")
	assert.Equal(t, "IPassan answered 429", w.answer(w.ask(), 100*ms, 4))
	assert.Equal(t, "an answer took 350ms, the fastest 100ms", w.answer(w.ask(), 350*ms, 4))
}

// The window's dynamics against models of IPassan, on the simulated clock
// (see simulate): each part of the policy does what it is there for.
func TestWindowAgainstIPassan(t *testing.T) {
	t.Parallel()
	steadyServer := func() model { return &steady{latency: 100 * ms, jitter: 0.1} }
	queueingServer := func() model { return &queueing{workers: 4, service: 100 * ms} }
	limitingServer := func() model { return &rateLimited{limit: 8, latency: 100 * ms, backoff: 500 * ms} }
	tests := []struct {
		name    string
		model   func() model
		ceiling int
		pages   int
		check   func(t *testing.T, r simResult)
	}{
		{"a steady server: the ceiling is reached and held", steadyServer, 16, 1011, func(t *testing.T, r simResult) {
			assert.Equal(t, 16, r.mostInFlight)
			assert.Zero(t, r.decreases, "10% jitter is not overload")
			// 1,010 pages 16 at a time take 64 round trips; slow start a few more.
			assert.Less(t, r.elapsed, 72*110*ms)
			assert.LessOrEqual(t, r.wasted, 16)
		}},
		{"latency that rises with load: the window stays near what IPassan serves", queueingServer, 32, 1011, func(t *testing.T, r simResult) {
			assert.Less(t, r.meanInFlight, 3*4.0, "four workers; without the latency signal the window sits at 32")
			assert.Less(t, r.elapsed, 1011*100*ms/4*105/100, "and the read is no slower than IPassan can serve")
		}},
		{"429 beyond eight at once: backs off, rarely meets 429 again", limitingServer, 32, 1011, func(t *testing.T, r simResult) {
			assert.Less(t, r.limited, 60, "one 429 every 17 pages or fewer")
			assert.Less(t, r.elapsed, 1011*100*ms/8*120/100, "within a fifth of what eight at once allow")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, simulate(scanPolicy, tt.ceiling, tt.pages, tt.model()))
		})
	}
}

// Each part of the policy pays against its absence on the simulated clock:
// the numbers a benchmark would give, without waiting for them.
func TestWindowPolicyPaysOffAgainstItsAbsence(t *testing.T) {
	t.Parallel()
	noLatency, noAhead, perPage := scanPolicy, scanPolicy, scanPolicy
	noLatency.latency = false
	noAhead.aheadRatio = 0
	perPage.perPage = true

	q := func() model { return &queueing{workers: 4, service: 100 * ms} }
	with, without := simulate(scanPolicy, 32, 1011, q()), simulate(noLatency, 32, 1011, q())
	assert.Less(t, with.meanInFlight, without.meanInFlight/3, "the latency signal keeps the queue at IPassan short")
	assert.InDelta(t, without.elapsed.Seconds(), with.elapsed.Seconds(), 0.05*without.elapsed.Seconds(), "at no cost in time")

	l := func() model { return &rateLimited{limit: 8, latency: 100 * ms, backoff: 500 * ms} }
	with, without = simulate(scanPolicy, 32, 1011, l()), simulate(perPage, 32, 1011, l())
	assert.Less(t, with.limited, without.limited/3, "additive increase meets 429 far less often")

	for _, pages := range []int{3, 5, 6, 11, 21} {
		s := func() model { return &steady{latency: 100 * ms, jitter: 0.1} }
		with, without := simulate(scanPolicy, 16, pages, s()), simulate(noAhead, 16, pages, s())
		assert.LessOrEqual(t, with.wasted, max(1, pages/2), fmt.Sprintf("%d pages", pages))
		assert.Less(t, with.wasted, without.wasted, "%d pages: fewer pages asked past the end", pages)
	}
}
