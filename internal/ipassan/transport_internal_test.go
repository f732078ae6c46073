package ipassan

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

const (
	testSite   = "5a1b2c3d-0000-4000-8000-00000000a1b2"
	testClient = "connector"
	testSecret = "s3cr3t-Zoë&=+%"
)

// countingServer answers every request with handle and counts them.
type countingServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newCountingServer(t *testing.T, useTLS bool, handle http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		handle(w, r)
	}))
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// newPolicyClient builds a client for base, trusting srv's certificate when
// given, with a tiny backoff.
func newPolicyClient(t *testing.T, base string, trust *httptest.Server, o Options) *Client {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	o.BaseURL, o.SiteID, o.ClientID, o.ClientSecret = u, testSite, testClient, secret.New(testSecret)
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	if o.Redactor == nil {
		o.Redactor = secret.NewRedactor()
	}
	if trust != nil {
		o.RootCAs = trust.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	}
	c, err := New(o)
	require.NoError(t, err)
	return c
}

func tokenOr(handle http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == APIPrefix+tokenPath {
			_, _ = io.WriteString(w, `{"access_token":"tok-7d1e0b9a"}`)
			return
		}
		handle(w, r)
	}
}

// TestGuardHoldsWhereRequestsLeave: even if a redirect were followed (here
// the redirect policy is replaced by one that follows), nothing leaves for
// another scheme, host or port than baseUrl's; and a read-only client's
// write is refused where requests leave, not only in do.
func TestGuardHoldsWhereRequestsLeave(t *testing.T) {
	t.Parallel()
	plain := newCountingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"uuid":"p-1"}`)
	})
	secure := newCountingServer(t, true, tokenOr(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	c := newPolicyClient(t, secure.URL, secure.Server, Options{})
	c.http.SetRedirectPolicy(resty.FlexibleRedirectPolicy(5)) // a policy gone wrong

	_, err := c.GetPerson(context.Background(), "p-1")
	require.ErrorIs(t, err, ErrProtocol)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.True(t, e.NotSent)
	assert.Contains(t, err.Error(), "not sent to http://127.0.0.1:")
	assert.Contains(t, err.Error(), "requests go to baseUrl's https://127.0.0.1:")
	assert.Zero(t, plain.hits.Load(), "the plain-http listener saw nothing, no token")
	assert.False(t, Ambiguous(err), "nothing was sent there")

	// A read-only client: a write that got past do is still refused.
	ro := newCountingServer(t, false, tokenOr(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"uuid":"p-1"}`)
	}))
	c = newPolicyClient(t, ro.URL, nil, Options{ReadOnly: true})
	require.NoError(t, c.Authenticate(context.Background()), "the token request is the one POST a read-only client sends")
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodPatch} {
		_, err = c.exchange(context.Background(), request{method: method, path: c.personsPath()}, "tok", true)
		require.ErrorIs(t, err, ErrReadOnly, method)
	}
	assert.EqualValues(t, 1, ro.hits.Load(), "only the token request left")
	assert.EqualValues(t, 1, c.Requests())
}

func TestOriginComparesSchemeHostAndPort(t *testing.T) {
	t.Parallel()
	parse := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	base := originOf(parse("https://IPassan.com"))
	for _, same := range []string{"https://ipassan.com/api/v1/token", "https://ipassan.com:443/x", "HTTPS://IPASSAN.COM/"} {
		assert.Equal(t, base, originOf(parse(same)), same)
	}
	for _, other := range []string{"http://ipassan.com", "https://ipassan.com:8443", "https://evil.com", "https://ipassan.com.evil.com", "http://ipassan.com:443"} {
		assert.NotEqual(t, base, originOf(parse(other)), other)
	}
}

// TestAnswerLimit: resty bounds every answer, pages included, by the limit
// New gives it; a larger answer is an unexpected answer, not retried. (The
// limit is lowered here so the test does not move 16 MiB.)
func TestAnswerLimit(t *testing.T) {
	t.Parallel()
	srv := newCountingServer(t, false, tokenOr(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"data":[],"next_cursor":null,"pad":"`+strings.Repeat("x", 4096)+`"}`)
	}))
	c := newPolicyClient(t, srv.URL, nil, Options{})
	assert.Equal(t, maxBody, c.http.ResponseBodyLimit)
	c.http.SetResponseBodyLimit(1024)
	_, err := c.ListPersons(context.Background(), "", 50, func(Person) bool { return true })
	require.ErrorIs(t, err, ErrProtocol)
	assert.Contains(t, err.Error(), "the answer is larger than")
	assert.EqualValues(t, 2, srv.hits.Load(), "the token and one page: not retried")
}

// harnessFake is the fake IPassan with one person, for the retry tests.
func harnessFake(t *testing.T) (*fake.Server, string) {
	t.Helper()
	f := fake.New(fake.Seed{
		Clients: []fake.Credential{{ClientID: testClient, ClientSecret: testSecret}},
		Bases: []fake.BaseSeed{{UUID: "b-1", Name: "hq", Sites: []fake.SiteSeed{
			{UUID: testSite, Name: "Main", Persons: []fake.Person{{UUID: "p-1", Lastname: "Bos"}}}}}},
	}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// TestRetryWaits: the waits resty sleeps are the policy's: Retry-After in
// seconds or as a date, else the backoff; a wait past the deadline is not
// started. No test here sleeps them: shortenWait records each wait and lets
// resty sleep a microsecond instead.
func TestRetryWaits(t *testing.T) {
	t.Parallel()
	type want struct {
		min, max time.Duration
	}
	tests := []struct {
		name     string
		faults   []fake.Fault
		backoff  time.Duration
		deadline time.Duration // 0: none
		waits    []want
		err      string // "" when the call succeeds
	}{
		{"Retry-After in seconds", []fake.Fault{{Route: fake.RouteGet, Status: 503, RetryAfter: "1", Times: 1}}, time.Millisecond, 0,
			[]want{{time.Second, time.Second}}, ""},
		{"Retry-After 0", []fake.Fault{{Route: fake.RouteGet, Status: 429, RetryAfter: "0", Times: 2}}, 100 * time.Millisecond, 0,
			[]want{{75 * time.Millisecond, 125 * time.Millisecond}, {150 * time.Millisecond, 250 * time.Millisecond}}, ""},
		{"backoff doubles, give or take a quarter", []fake.Fault{{Route: fake.RouteGet, Status: 503, Times: 3}}, 100 * time.Millisecond, 0,
			[]want{{75 * time.Millisecond, 125 * time.Millisecond}, {150 * time.Millisecond, 250 * time.Millisecond}, {300 * time.Millisecond, 500 * time.Millisecond}}, ""},
		{"backoff never above 8 s", []fake.Fault{{Route: fake.RouteGet, Status: 502, Times: 3}}, 6 * time.Second, 0,
			[]want{{4500 * time.Millisecond, 7500 * time.Millisecond}, {6 * time.Second, 8 * time.Second}, {6 * time.Second, 8 * time.Second}}, ""},
		{"Retry-After past the deadline", []fake.Fault{{Route: fake.RouteGet, Status: 429, RetryAfter: "30", Times: 1}}, time.Millisecond, 2 * time.Second,
			nil, "waiting 30s more would pass the action's deadline"},
		{"backoff past the deadline", []fake.Fault{{Route: fake.RouteGet, Status: 503, Times: 1}}, 4 * time.Second, 2 * time.Second,
			nil, "more would pass the action's deadline"},
		{"give up after the attempts", []fake.Fault{{Route: fake.RouteGet, Status: 503, Times: 9}}, time.Millisecond, 0,
			[]want{{0, 2 * time.Millisecond}, {0, 3 * time.Millisecond}, {0, 5 * time.Millisecond}}, "(after 4 attempts)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, base := harnessFake(t)
			c := newPolicyClient(t, base, nil, Options{Backoff: tt.backoff})
			var waits []time.Duration
			c.shortenWait = func(d time.Duration) time.Duration { waits = append(waits, d); return time.Microsecond }
			require.NoError(t, c.Authenticate(context.Background()))
			for _, fl := range tt.faults {
				f.AddFault(fl)
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			start := time.Now()
			_, err := c.GetPerson(ctx, "p-1")
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
			}
			assert.Less(t, time.Since(start), time.Second, "no real waiting")
			require.Len(t, waits, len(tt.waits))
			for i, w := range tt.waits {
				assert.GreaterOrEqual(t, waits[i], w.min, "wait %d", i+1)
				assert.LessOrEqual(t, waits[i], w.max, "wait %d", i+1)
			}
		})
	}
}

// TestRetryAfterAsADate: an HTTP date counts as the time until it, and is
// held against the deadline like seconds are.
func TestRetryAfterAsADate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	c := &Client{opts: Options{Backoff: time.Millisecond}, now: func() time.Time { return now }}
	e := errorFromAnswer("GET", "/api/v1/x", 503, http.Header{"Retry-After": {time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat)}}, nil)
	wait, gaveUp := c.nextWait(e, 1, now.Add(2*time.Second), true)
	assert.Zero(t, wait)
	assert.Contains(t, gaveUp, "more would pass the action's deadline")
	wait, gaveUp = c.nextWait(e, 1, now.Add(time.Minute), true)
	assert.Empty(t, gaveUp)
	assert.InDelta(t, 5*time.Second, wait, float64(1500*time.Millisecond))

	e.RetryAfter = time.Hour
	wait, gaveUp = c.nextWait(e, 1, time.Time{}, false)
	assert.Empty(t, gaveUp)
	assert.Equal(t, maxWaitWithoutDeadline, wait, "without a deadline a wait is bounded all the same")
	e.RetryAfter = -time.Second // a Retry-After that overflowed
	_, gaveUp = c.nextWait(e, 1, time.Time{}, false)
	assert.NotEmpty(t, gaveUp)
	for attempt := 1; attempt < 100; attempt++ {
		c.opts.Backoff = time.Minute
		assert.LessOrEqual(t, c.backoff(attempt), maxBackoff)
		assert.Greater(t, c.backoff(attempt), time.Duration(0))
	}
}

// TestDeadlineDuringAWait: when the deadline comes while resty waits to
// retry, the call fails with the failure it was waiting to retry, saying so.
func TestDeadlineDuringAWait(t *testing.T) {
	t.Parallel()
	f, base := harnessFake(t)
	c := newPolicyClient(t, base, nil, Options{})
	require.NoError(t, c.Authenticate(context.Background()))
	c.shortenWait = func(time.Duration) time.Duration { return 5 * time.Second } // the policy's wait fit; the sleep does not
	f.AddFault(fake.Fault{Route: fake.RouteGet, Status: 503, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetPerson(ctx, "p-1")
	require.ErrorIs(t, err, ErrTransient)
	assert.Less(t, time.Since(start), time.Second)
	assert.Contains(t, err.Error(), "HTTP 503")
	assert.Contains(t, err.Error(), "the action's deadline came while waiting to retry")
}
