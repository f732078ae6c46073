package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server that validates limit refuses a large one, in the status chosen,
// and takes the others (clamped as ever).
func TestALargeLimitCanBeRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   Options
		limit  string
		status int
		rows   int
	}{
		{"refused with 400", Options{MaxLimit: 100}, "500", http.StatusBadRequest, 0},
		{"refused with 422", Options{MaxLimit: 100, LimitStatus: http.StatusUnprocessableEntity}, "101", http.StatusUnprocessableEntity, 0},
		{"at the limit", Options{MaxLimit: 100, MaxPageSize: 3}, "100", http.StatusOK, 3},
		{"no limit: clamped", Options{MaxPageSize: 2}, "500", http.StatusOK, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := start(t, tt.opts)
			status, body := call(t, srv, token(t, srv), http.MethodGet, "/access/site/"+demoSite+"/person?offset=0&limit="+tt.limit, "")
			assert.Equal(t, tt.status, status)
			if tt.status != http.StatusOK {
				assert.Equal(t, "limit must be at most 100", body["error"].(map[string]any)["message"])
				return
			}
			assert.Len(t, body["data"], tt.rows)
		})
	}
}

// inParallel sends n page requests at once and returns each one's status and
// how long it took.
func inParallel(t *testing.T, srvURL, tok string, n int) ([]int, []time.Duration) {
	t.Helper()
	statuses, took := make([]int, n), make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, srvURL+"/api/v1/access/site/"+demoSite+"/person?limit=2", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			resp.Body.Close()
			statuses[i], took[i] = resp.StatusCode, time.Since(start)
		})
	}
	wg.Wait()
	return statuses, took
}

// With Workers, requests beyond them wait their turn: answers slow down as
// more come at once, the way a loaded server's do.
func TestWorkersMakeAnswersSlowerUnderLoad(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{Workers: 2, Latency: 40 * time.Millisecond})
	tok := token(t, srv)
	f.ResetCounts()
	statuses, took := inParallel(t, srv.URL, tok, 6)
	slowest := time.Duration(0)
	for i := range statuses {
		assert.Equal(t, http.StatusOK, statuses[i])
		slowest = max(slowest, took[i])
	}
	// Six requests, two at a time, 40 ms each: the last waits two turns.
	assert.GreaterOrEqual(t, slowest, 120*time.Millisecond)
	peak, limited := f.Load()
	// More than the two workers were in flight: the others waited their
	// turn. (All six only when each arrived before the first two were done,
	// which a busy machine does not promise.)
	assert.Greater(t, peak, 2, "requests waiting for a worker are in flight")
	assert.LessOrEqual(t, peak, 6)
	assert.Zero(t, limited)
}

// With MaxInFlight, a request arriving while that many are served is
// answered 429 at once, and counted.
func TestMaxInFlightAnswers429(t *testing.T) {
	t.Parallel()
	// A latency long enough that all five arrive while the first three are
	// served, even on a machine busy with other tests.
	f, srv := start(t, Options{MaxInFlight: 3, Latency: 400 * time.Millisecond})
	tok := token(t, srv)
	f.ResetCounts()
	statuses, took := inParallel(t, srv.URL, tok, 5)
	ok, refused := 0, 0
	for i, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			refused++
			assert.Less(t, took[i], 400*time.Millisecond, "refused at once, not after the latency")
		}
	}
	assert.Equal(t, 3, ok)
	assert.Equal(t, 2, refused)
	peak, limited := f.Load()
	assert.Equal(t, 3, peak)
	assert.Equal(t, 2, limited)

	resp, err := http.Get(srv.URL + "/_fake/stats")
	require.NoError(t, err)
	defer resp.Body.Close()
	var stats struct {
		PeakInFlight int `json:"peakInFlight"`
		RateLimited  int `json:"rateLimited"`
		Total        int `json:"total"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&stats))
	assert.Equal(t, 3, stats.PeakInFlight)
	assert.Equal(t, 2, stats.RateLimited)
	assert.Equal(t, 5, stats.Total)

	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/_fake/stats", nil)
	resp2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp2.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp2.StatusCode)
	assert.Zero(t, f.Total())
	peak, limited = f.Load()
	assert.Zero(t, peak)
	assert.Zero(t, limited)
}

// The fake counts the pages asked past the end of their list: what a reader
// asked for in vain.
func TestPagesAskedPastTheEndAreCounted(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{MaxPageSize: 2})
	tok := token(t, srv)
	persons := len(f.Persons(demoSite))
	for _, offset := range []int{0, persons - 1, persons, persons + 7} {
		status, _ := call(t, srv, tok, http.MethodGet, fmt.Sprintf("/access/site/%s/person?offset=%d&limit=2", demoSite, offset), "")
		require.Equal(t, http.StatusOK, status)
	}
	assert.Equal(t, 2, f.PastEnd())
	f.ResetCounts()
	assert.Zero(t, f.PastEnd())
}

// After ResetCountsForNextAction a request with an older token (one an
// earlier action left on its way) is served but not counted; the next
// action's, with a new token, are.
func TestResetCountsForNextActionIgnoresOlderTokens(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{})
	old := token(t, srv)
	f.ResetCountsForNextAction()
	statuses, _ := inParallel(t, srv.URL, old, 2)
	assert.Equal(t, []int{http.StatusOK, http.StatusOK}, statuses, "served all the same")
	assert.Zero(t, f.Total(), "an earlier action's requests do not count")

	fresh := token(t, srv)
	inParallel(t, srv.URL, fresh, 3)
	assert.Equal(t, 1, f.Count(RouteToken))
	assert.Equal(t, 4, f.Total(), "the next action's token and its three requests")

	f.ResetCounts()
	inParallel(t, srv.URL, old, 1)
	assert.Equal(t, 1, f.Total(), "ResetCounts counts every request again")
}
