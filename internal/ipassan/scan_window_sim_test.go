package ipassan

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"time"
)

// The window's simulator: a concurrent scan against a model of IPassan, on a
// clock that only the simulation moves. It asks and takes pages the way the
// reader does (at most allowed() in flight, nothing asked past a page that
// showed the end) and lets the model say how long each answer takes, so the
// window's dynamics are tested in microseconds and without sleeping.

// model is an IPassan under simulation: how long a request asked at now
// takes, and at which moments it was answered 429 on the way (each 429 is
// retried by the client after a backoff).
type model interface {
	serve(now time.Duration, inFlight int) (took time.Duration, limitedAt []time.Duration)
}

// steady answers every request after latency, give or take jitter (a share
// of it, spread evenly and the same in every run).
type steady struct {
	latency time.Duration
	jitter  float64
	rnd     *rand.Rand
}

func (m *steady) serve(time.Duration, int) (time.Duration, []time.Duration) {
	if m.jitter == 0 {
		return m.latency, nil
	}
	if m.rnd == nil {
		m.rnd = rand.New(rand.NewPCG(1, 2))
	}
	return time.Duration(float64(m.latency) * (1 + m.jitter*(2*m.rnd.Float64()-1))), nil
}

// queueing serves workers requests at once, each for service; the others
// wait their turn, so answers slow down as more requests are in flight.
type queueing struct {
	workers int
	service time.Duration
	free    []time.Duration // when each worker is free again
}

func (m *queueing) serve(now time.Duration, _ int) (time.Duration, []time.Duration) {
	if m.free == nil {
		m.free = make([]time.Duration, m.workers)
	}
	first := 0
	for i, f := range m.free {
		if f < m.free[first] {
			first = i
		}
	}
	start := max(now, m.free[first])
	m.free[first] = start + m.service
	return start + m.service - now, nil
}

// rateLimited answers 429 at once to a request arriving while limit requests
// are in flight; the client asks again after backoff.
type rateLimited struct {
	limit   int
	latency time.Duration
	backoff time.Duration
	served  [][2]time.Duration // when each request it served began and ended
}

func (m *rateLimited) serve(now time.Duration, _ int) (time.Duration, []time.Duration) {
	var limitedAt []time.Duration
	for t := now; ; t += m.backoff {
		busy := 0
		for _, s := range m.served {
			if s[0] <= t && t < s[1] {
				busy++
			}
		}
		if busy < m.limit {
			m.served = append(m.served, [2]time.Duration{t, t + m.latency})
			return t + m.latency - now, limitedAt
		}
		limitedAt = append(limitedAt, t)
	}
}

// simResult is what a simulated scan cost.
type simResult struct {
	elapsed      time.Duration // from the first request to the last page taken
	requests     int           // pages asked, the first included
	wasted       int           // pages asked past the end
	mostInFlight int
	meanInFlight float64 // over the read's time
	limited      int     // 429 answers
	decreases    int     // times the window halved
}

type simAnswer struct {
	at     time.Duration
	number int
	ticket int
	took   time.Duration
}

type answerQueue []simAnswer

func (q answerQueue) Len() int           { return len(q) }
func (q answerQueue) Less(i, j int) bool { return q[i].at < q[j].at }
func (q answerQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *answerQueue) Push(x any)        { *q = append(*q, x.(simAnswer)) }
func (q *answerQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// simulate reads a site of pages pages (page 0 first and alone, as the reader
// does) with the window's policy and ceiling against m.
func simulate(policy windowPolicy, ceiling, pages int, m model) simResult {
	var r simResult
	var limits []time.Duration // when 429s were answered, in order
	count := func(now time.Duration) int64 {
		n := 0
		for _, at := range limits {
			if at <= now {
				n++
			}
		}
		return int64(n)
	}
	took, limited := m.serve(0, 0)
	limits = append(limits, limited...)
	now := took
	r.requests = 1
	if pages == 1 {
		r.elapsed = now
		return r
	}
	w := newWindow(policy, ceiling, took, count(now))
	var inFlight answerQueue
	area, start := 0.0, now
	answered := map[int]bool{0: true}
	nextAsk, nextTake, last := 1, 1, math.MaxInt
	for {
		for inFlight.Len() < w.allowed() && nextAsk <= last {
			took, limited := m.serve(now, inFlight.Len())
			limits = append(limits, limited...)
			heap.Push(&inFlight, simAnswer{at: now + took, number: nextAsk, ticket: w.ask(), took: took})
			r.requests++
			nextAsk++
			r.mostInFlight = max(r.mostInFlight, inFlight.Len())
		}
		a := heap.Pop(&inFlight).(simAnswer)
		area += float64(inFlight.Len()+1) * float64(a.at-now)
		now = a.at
		if why := w.answer(a.ticket, a.took, count(now)); why != "" {
			r.decreases++
		}
		if a.number >= pages-1 {
			last = min(last, a.number) // the end, or past it: an empty page
		}
		answered[a.number] = true
		for answered[nextTake] && nextTake < pages {
			nextTake++
		}
		if nextTake == pages {
			r.elapsed = now
			r.wasted = r.requests - pages
			r.limited = len(limits)
			r.meanInFlight = area / float64(now-start)
			return r
		}
	}
}
