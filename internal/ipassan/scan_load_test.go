package ipassan_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// syncBuffer is a log that may be read while pages a scan abandoned are
// still logging their end.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// loggedClient is a client of h's fake whose debug log can be read at any
// time. Retries wait from backoff on (1 ms when 0).
func loggedClient(t *testing.T, h *harness, backoff ...time.Duration) (*ipassan.Client, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	red := secret.NewRedactor()
	c, err := ipassan.New(ipassan.Options{BaseURL: h.url, SiteID: siteID, ClientID: clientID, ClientSecret: secret.New(password),
		Redactor: red, Backoff: append(backoff, time.Millisecond)[0], Logger: zerolog.New(red.Writer(logs)).Level(zerolog.DebugLevel)})
	require.NoError(t, err)
	return c, logs
}

// inOrder are the uuids of manyPersons(n), as a complete read hands them on.
func inOrder(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("p-%05d", i)
	}
	return out
}

// overlappedPages is how many pages a read of persons at step rows a page
// takes, each page after the first overlapping the one before by a row.
func overlappedPages(persons, step int) int {
	if persons <= step {
		return 1
	}
	return 1 + (persons-step+step-2)/(step-1)
}

// A scan asks for large pages and uses what IPassan returns: pages as large as
// asked, pages clamped to what the server gives, or, when the server refuses
// the large limit, pages of 50. Concurrent or one at a time, the result is the
// whole site in order.
func TestScanAsksForLargePagesAndTakesWhatComes(t *testing.T) {
	t.Parallel()
	const persons = 1234
	tests := []struct {
		name        string
		opts        fake.Options
		concurrency int
		pageSize    int // asked in the end
		pages       int
		refused     bool
	}{
		{"taken as asked", fake.Options{MaxPageSize: 500}, 16, 500, overlappedPages(persons, 500), false},
		{"clamped at 100", fake.Options{MaxPageSize: 100}, 16, 500, overlappedPages(persons, 100), false},
		{"clamped at 100, one at a time", fake.Options{MaxPageSize: 100}, 1, 500, overlappedPages(persons, 100), false},
		{"refused with 400: pages of 50", fake.Options{MaxLimit: 100}, 16, 50, overlappedPages(persons, 50), true},
		{"refused with 422: pages of 50", fake.Options{MaxLimit: 100, LimitStatus: http.StatusUnprocessableEntity}, 16, 50, overlappedPages(persons, 50), true},
		{"refused, one at a time", fake.Options{MaxLimit: 200}, 1, 50, overlappedPages(persons, 50), true},
		{"refused, then clamped below 50", fake.Options{MaxLimit: 100, MaxPageSize: 20}, 16, 50, overlappedPages(persons, 20), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts, manyPersons(persons)...)
			c, logs := loggedClient(t, h)
			got, stats, err := scanAll(t, c, 500, tt.concurrency)
			require.NoError(t, err)
			assert.Equal(t, inOrder(persons), got)
			assert.Equal(t, tt.pageSize, stats.PageSize)
			assert.Equal(t, tt.pages, stats.Pages)
			assert.Equal(t, tt.concurrency > 1, stats.Concurrent)
			refusals := strings.Count(logs.String(), "IPassan refused the page size")
			if tt.refused {
				assert.Equal(t, 1, refusals, "said once, at debug level")
				assert.Contains(t, logs.String(), `{"level":"debug","limit":500,"fallback":50,"refusal":"IPassan GET /api/v1/access/site/`+siteID+`/person: request rejected (HTTP `)
				assert.GreaterOrEqual(t, stats.Requests, 1+tt.pages)
				return
			}
			assert.Zero(t, refusals)
		})
	}
}

// What the server refuses at 50 or less is its answer, not the scan's doing:
// the read fails and says what IPassan said.
func TestScanFailsWhenASmallLimitIsRefused(t *testing.T) {
	t.Parallel()
	for _, pageSize := range []int{50, 30} {
		h := newHarness(t, fake.Options{MaxLimit: 20}, manyPersons(100)...)
		_, stats, err := scanAll(t, h.client, pageSize, 16)
		require.ErrorIs(t, err, ipassan.ErrValidation)
		assert.Contains(t, err.Error(), "limit must be at most 20")
		assert.Equal(t, 1, stats.Requests)
		assert.Equal(t, 1, h.fake.Count(fake.RouteList))
	}
}

// A refused limit is asked once per read: the pass that starts again after
// the site shifted asks for 50 at once.
func TestScanRemembersARefusedLimitWhenItStartsAgain(t *testing.T) {
	t.Parallel()
	for _, concurrency := range []int{1, 16} {
		h := newHarness(t, fake.Options{MaxLimit: 100}, manyPersons(300)...)
		h.fake.AddFault(fake.Fault{Route: fake.RouteList, Offset: fake.At(98), Times: 1, Insert: &fake.Person{UUID: "p-new", Lastname: "New"}})
		c, logs := loggedClient(t, h)
		got, stats, err := scanAll(t, c, 500, concurrency)
		require.NoError(t, err)
		assert.Len(t, got, 301)
		assert.Equal(t, 1, stats.Restarts)
		assert.Equal(t, 50, stats.PageSize)
		assert.Equal(t, 1, strings.Count(logs.String(), "IPassan refused the page size"), "concurrency %d", concurrency)
	}
}

// The window backs off when IPassan shows strain: 429 answers beyond a number
// of requests at once, or answers that slow down as more come at once. The
// read stays complete and in order.
func TestScanBacksOffWhenIPassanIsStrained(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    fake.Options
		persons int
		ceiling int
		backoff time.Duration // of the client's retries
		check   func(t *testing.T, stats ipassan.ScanStats, peak, limited int)
	}{
		// A page answered 429 is asked again after a backoff (as IPassan's
		// would be after half a second): long enough for pages in flight to
		// end, or four 429s in a row fail the read.
		{"429 beyond two at once", fake.Options{MaxPageSize: 10, MaxInFlight: 2, Latency: 20 * time.Millisecond}, 600, 16, 50 * time.Millisecond,
			func(t *testing.T, stats ipassan.ScanStats, peak, limited int) {
				assert.Positive(t, limited, "the fake did answer 429")
				assert.Positive(t, stats.Backoffs)
				assert.LessOrEqual(t, peak, 2)
			}},
		{"answers slower as more come at once", fake.Options{MaxPageSize: 10, Workers: 2, Latency: 5 * time.Millisecond}, 1000, 32, 0,
			func(t *testing.T, stats ipassan.ScanStats, peak, limited int) {
				assert.Positive(t, stats.Backoffs)
				// Without the latency signal the window reaches the ceiling: 32.
				assert.LessOrEqual(t, stats.MostInFlight, 24)
				assert.LessOrEqual(t, peak, 24)
				assert.Zero(t, limited)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts, manyPersons(tt.persons)...)
			c, logs := loggedClient(t, h, tt.backoff)
			require.NoError(t, c.Authenticate(context.Background()))
			h.fake.ResetCounts()
			got, stats, err := scanAll(t, c, 10, tt.ceiling)
			require.NoError(t, err)
			assert.Equal(t, inOrder(tt.persons), got)
			assert.True(t, stats.Concurrent)
			assert.Equal(t, overlappedPages(tt.persons, 10), stats.Pages)
			peak, limited := h.fake.Load()
			tt.check(t, stats, peak, limited)
			assert.Contains(t, logs.String(), "IPassan is under strain; fewer pages at once")
		})
	}
}

// A small site is not asked many pages past its end: no more pages are in
// flight than half the pages answered, so the pages asked in vain stay under
// half the site (the reader before issue 14 asked 9 requests for the 5 pages
// of 11 persons at 3 a page).
func TestScanDoesNotOverAskSmallSites(t *testing.T) {
	t.Parallel()
	tests := []struct{ persons, pageSize, pages int }{
		{11, 3, 5},
		{25, 10, 3},
		{304, 100, 4},
		{1004, 100, 11},
		{2004, 100, 21},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d persons, %d a page", tt.persons, tt.pageSize), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fake.Options{MaxPageSize: tt.pageSize, Latency: 2 * time.Millisecond}, manyPersons(tt.persons)...)
			got, stats, err := scanAll(t, h.client, 500, 16)
			require.NoError(t, err)
			assert.Equal(t, inOrder(tt.persons), got)
			require.Equal(t, tt.pages, stats.Pages)
			assert.LessOrEqual(t, stats.Requests-stats.Pages, max(1, tt.pages/2), "pages asked past the end")
		})
	}
}

// A page IPassan answers 429 more often than the client retries is asked
// again by a concurrent read, with fewer pages at once: those 429s come from
// the read's own pages in flight. Read one page at a time, the client's
// retries are all there is, and the read fails saying so.
func TestScanAsksAgainForAPageRateLimitedTooOften(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		concurrency int
		times       int // 429s answered for the page at offset 198
		fails       bool
	}{
		{"concurrent: asked again", 8, 5, false},
		{"concurrent: asked again, three times at most", 8, 4 * 4, true},
		{"one at a time: the client's retries only", 1, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fake.Options{MaxPageSize: 100}, manyPersons(1000)...)
			h.fake.AddFault(fake.Fault{Route: fake.RouteList, Offset: fake.At(198), Status: http.StatusTooManyRequests, Times: tt.times})
			c, logs := loggedClient(t, h)
			got, stats, err := scanAll(t, c, 100, tt.concurrency)
			if tt.fails {
				require.ErrorIs(t, err, ipassan.ErrRateLimited)
				assert.Contains(t, err.Error(), "(after 4 attempts)")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, inOrder(1000), got)
			assert.Equal(t, 1, strings.Count(logs.String(), "IPassan kept answering 429 for a page; asking it again with fewer pages at once"))
			assert.Positive(t, stats.Backoffs)
		})
	}
}
