package connector_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// lateWriter holds a create POST without answering, as an IPassan that goes
// on with a write after the client stopped waiting: the client times out,
// and the held create lands on the server when land is called, whatever
// happened to the client.
type lateWriter struct {
	next http.Handler
	mu   sync.Mutex
	held []*http.Request
	body [][]byte
	sent int // POSTs received
}

func (l *lateWriter) posts() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent
}

func (l *lateWriter) wrap(next http.Handler) http.Handler {
	l.next = next
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/person") {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.held = append(l.held, r.Clone(context.Background()))
		l.body = append(l.body, body)
		l.sent++
		l.mu.Unlock()
		<-r.Context().Done() // never answered: the client gives up
	})
}

// land performs every held create on the server.
func (l *lateWriter) land() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, r := range l.held {
		r.Body = io.NopCloser(bytes.NewReader(l.body[i]))
		l.next.ServeHTTP(httptest.NewRecorder(), r)
	}
	l.held, l.body = nil, nil
}

// landingBeforeSearch is wrap, with every held create landing just before the
// site is searched: the write became visible by then.
func (l *lateWriter) landingBeforeSearch(next http.Handler) http.Handler {
	held := l.wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/person") {
			l.land()
		}
		held.ServeHTTP(w, r)
	})
}

// A POST that IPassan finishes after the client gave up must never become a
// second person: the create is not sent again, and HelloID's retry
// correlates with the person once it is there.
func TestSlowCreateIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	late := &lateWriter{}
	e := newEnvBehind(t, fake.Options{}, late.wrap)
	ctx := m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
		"Configuration": e.configuration(m{"requestTimeoutSeconds": 1})}

	out := e.run("create", ctx)
	failed(t, out, helloid.CreateAccount, `no person with number = "1001" is there yet, but IPassan may still finish the create: HelloID's retry will correlate`)
	assert.Equal(t, 1, late.posts(), "one POST")

	late.land() // IPassan finishes the write after the action gave up
	require.Equal(t, 1, countNumber(e, "1001"))

	retry := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")})
	succeeded(t, retry, helloid.CorrelateAccount)
	assert.Equal(t, 1, countNumber(e, "1001"), "HelloID's retry took the person over: still one")
	assert.Equal(t, 1, late.posts(), "and sent no POST")
}

// When the unanswered create has landed by the time the site is searched
// again, the create succeeds with that person and says how it was found.
func TestSlowCreateFoundAfterwards(t *testing.T) {
	t.Parallel()
	late := &lateWriter{}
	e := newEnvBehind(t, fake.Options{}, late.landingBeforeSearch)
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
		"Configuration": e.configuration(m{"requestTimeoutSeconds": 1})})

	log := succeeded(t, out, helloid.CreateAccount)
	assert.Contains(t, log.Message, `IPassan's answer to the create was unclear (no answer in time), so the person was looked up and found by number = "1001"`)
	require.Equal(t, 1, countNumber(e, "1001"))
	assert.Equal(t, e.fake.Persons(siteID)[0].UUID, *out.AccountReference)
	assert.Equal(t, 1, late.posts())
}

// Without correlation there is nothing to look the person up by: an unclear
// create fails at once and is not sent again.
func TestUnclearCreateWithoutCorrelationFailsAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{})
	e.fake.AddFault(fake.Fault{Route: fake.RouteCreate, LoseReply: true, Times: 1})
	out := e.run("create", m{"Data": newHire()})
	failed(t, out, helloid.CreateAccount, "without correlation there is no value to look it up by: check IPassan (ipassan-connector find) before this create runs again")
	assert.Equal(t, 1, e.fake.Count(fake.RouteCreate))
	assert.Zero(t, e.fake.Count(fake.RouteList), "no search")
}

// Two creates of one person at the same time on one machine (HelloID's retry
// while the first still runs) leave one person: the second waits for the
// first and correlates.
func TestSimultaneousCreatesOfOnePersonLeaveOne(t *testing.T) {
	t.Parallel()
	var persons []fake.Person
	for i := range 30 {
		persons = append(persons, fake.Person{Lastname: "P", Number: "9" + strings.Repeat("0", i%3) + string(rune('0'+i%10))})
	}
	// A slow site: each search takes a while, so both would search before
	// either creates if nothing kept them apart.
	e := newEnv(t, fake.Options{MaxPageSize: 10, Latency: 20 * time.Millisecond}, persons...)
	outs := make([]*helloid.Output, 4)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")})
		}()
	}
	wg.Wait()
	created, correlated := 0, 0
	for _, out := range outs {
		require.True(t, out.Success, "audit: %+v", out.AuditLogs)
		if *out.AccountCorrelated {
			correlated++
		} else {
			created++
		}
	}
	assert.Equal(t, 1, countNumber(e, "1001"), "one person")
	assert.Equal(t, 1, created)
	assert.Equal(t, 3, correlated)
	assert.Equal(t, 1, e.fake.Count(fake.RouteCreate))
}

// The same against the fake's own late write: the POST completes on the
// server after the client gave up and shows in reads only later.
func TestCreateTheServerFinishesLateIsNotSentAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{})
	e.fake.AddFault(fake.Fault{Route: fake.RouteCreate, Times: 1, Delay: 1500 * time.Millisecond, Complete: true, VisibleAfter: time.Hour})
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
		"Configuration": e.configuration(m{"requestTimeoutSeconds": 1})})
	failed(t, out, helloid.CreateAccount, "HelloID's retry will correlate")
	assert.Equal(t, 1, e.fake.Count(fake.RouteCreate), "one POST")
	require.Eventually(t, func() bool { return countNumber(e, "1001") == 1 }, 3*time.Second, 20*time.Millisecond,
		"IPassan finished the create after all")
	assert.Equal(t, 1, countNumber(e, "1001"))
}

// A 4xx that is not in IPassan's own JSON error shape (a proxy's page, an
// empty body) proves nothing: IPassan may have created the person behind it.
// The create is not sent again; with correlation the site is searched and
// the person found, without it the create fails at once. An IPassan-shaped
// 429 or 401, which does prove nothing was created, is the only 4xx a
// create is sent again after (the fault table covers it).
func TestForeign4xxAfterACreateIsNeverSentAgain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		status                  int
	}{
		{"an HTML 429", "text/html", "<h1>Too many requests</h1>", http.StatusTooManyRequests},
		{"a plain 429", "text/plain", "slow down", http.StatusTooManyRequests},
		{"an empty 429", "", "", http.StatusTooManyRequests},
		{"an HTML 401", "text/html", "<h1>Unauthorized</h1>", http.StatusUnauthorized},
		{"an HTML 400", "text/html", "<h1>Bad request</h1>", http.StatusBadRequest},
		{"a gateway's JSON 403", "application/json", `{"message":"forbidden by policy"}`, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var posts atomic.Int32
			// The proxy passes the create on to IPassan, which makes the
			// person, and answers the client with its own page.
			proxy := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/person") {
						next.ServeHTTP(w, r)
						return
					}
					posts.Add(1)
					next.ServeHTTP(httptest.NewRecorder(), r)
					if tt.contentType != "" {
						w.Header().Set("Content-Type", tt.contentType)
					}
					w.WriteHeader(tt.status)
					_, _ = io.WriteString(w, tt.body)
				})
			}
			e := newEnvBehind(t, fake.Options{}, proxy)
			out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")})
			log := succeeded(t, out, helloid.CreateAccount)
			assert.Contains(t, log.Message, `so the person was looked up and found by number = "1001"`)
			assert.Equal(t, 1, countNumber(e, "1001"), "one person")
			assert.Equal(t, int32(1), posts.Load(), "one POST")

			e2 := newEnvBehind(t, fake.Options{}, proxy)
			out = e2.run("create", m{"Data": newHire()})
			failed(t, out, helloid.CreateAccount, "without correlation there is no value to look it up by")
			assert.Equal(t, 1, countNumber(e2, "1001"), "the person IPassan made, and no second one")
			assert.Equal(t, int32(2), posts.Load(), "one POST each")
		})
	}
}

// A create whose answer never comes leaves time to search for the person:
// the POST gets half of what the action has left, not all of it, so the
// search after it still runs before the deadline and finds the person IPassan
// made meanwhile.
func TestUnansweredCreateLeavesTimeToSearch(t *testing.T) {
	t.Parallel()
	late := &lateWriter{}
	e := newEnvBehind(t, fake.Options{}, late.landingBeforeSearch)
	e.deadline = 3 * time.Second // shorter than the request timeout below
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
		"Configuration": e.configuration(m{"requestTimeoutSeconds": 10})})
	log := succeeded(t, out, helloid.CreateAccount)
	assert.Contains(t, log.Message, "so the person was looked up and found")
	assert.Equal(t, 1, late.posts())
	assert.Equal(t, 1, countNumber(e, "1001"))
}

// A bare 429 (no body: a gateway's) is not IPassan's word that nothing was
// created: the create is not sent again; the site is searched instead.
func TestBare429AfterACreateIsNotSentAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{})
	e.fake.AddFault(fake.Fault{Route: fake.RouteCreate, Times: 1, Status: http.StatusTooManyRequests, EmptyBody: true})
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")})
	failed(t, out, helloid.CreateAccount, "HelloID's retry will correlate")
	assert.Equal(t, 1, e.fake.Count(fake.RouteCreate), "one POST")
	assert.Positive(t, e.fake.Count(fake.RouteList), "the site was searched")
}
