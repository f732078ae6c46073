package ipassan_test

import (
	"bufio"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// stub is a small IPassan for transport tests: it hands out a token and
// answers everything else with handle. It counts requests by "METHOD path"
// and remembers every Authorization header it was sent.
type stub struct {
	srv    *httptest.Server
	handle http.HandlerFunc

	mu   sync.Mutex
	hits map[string]int
	auth []string
}

const stubToken = "stub-token-4f9a7c2e"

func newStub(t *testing.T, useTLS bool, handle http.HandlerFunc) *stub {
	t.Helper()
	s := &stub{handle: handle, hits: map[string]int{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	t.Cleanup(s.srv.Close)
	return s
}

// newStubServer starts a plain-http server for s.
func newStubServer(t testing.TB, s *stub) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func (s *stub) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.Method+" "+r.URL.Path]++
	if a := r.Header.Get("Authorization"); a != "" {
		s.auth = append(s.auth, a)
	}
	s.mu.Unlock()
	s.handle(w, r)
}

func (s *stub) count(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[method+" "+path]
}

func (s *stub) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.hits {
		n += c
	}
	return n
}

func (s *stub) url() *url.URL {
	u, _ := url.Parse(s.srv.URL)
	return u
}

// client builds a client for the stub, trusting its certificate when it
// speaks TLS, with a tiny backoff so that retries cost no time.
func (s *stub) client(t *testing.T, o ipassan.Options) *ipassan.Client {
	t.Helper()
	if o.BaseURL == nil {
		o.BaseURL = s.url()
	}
	if s.srv.TLS != nil && o.RootCAs == nil {
		bundle := filepath.Join(t.TempDir(), "ca.pem")
		require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw}), 0o600))
		roots, err := ipassan.LoadCABundle(bundle)
		require.NoError(t, err)
		o.RootCAs = roots
	}
	o.SiteID, o.ClientID = siteID, clientID
	if o.ClientSecret.IsZero() {
		o.ClientSecret = secret.New(password)
	}
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	if o.Redactor == nil {
		o.Redactor = secret.NewRedactor()
	}
	c, err := ipassan.New(o)
	require.NoError(t, err)
	return c
}

// person answers a GET of a person with a person, so a test can tell a
// followed redirect from a refused one.
func person(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"uuid":"p-1","lastname":"Bos"}`)
}

// calls are the client's calls a transport rule must hold for, by name.
var calls = map[string]struct {
	method, path string
	run          func(context.Context, *ipassan.Client) error
}{
	"GET": {http.MethodGet, "/api/v1/access/site/" + siteID + "/person/p-1", func(ctx context.Context, c *ipassan.Client) error {
		_, err := c.GetPerson(ctx, "p-1")
		return err
	}},
	"PUT": {http.MethodPut, "/api/v1/access/site/" + siteID + "/person/p-1", func(ctx context.Context, c *ipassan.Client) error {
		var f ipassan.Form
		f.Set("mail", "zoe@example.org")
		_, _, err := c.UpdatePerson(ctx, "p-1", f)
		return err
	}},
	"DELETE": {http.MethodDelete, "/api/v1/access/site/" + siteID + "/person/p-1", func(ctx context.Context, c *ipassan.Client) error {
		return c.DeletePerson(ctx, "p-1")
	}},
	"POST": {http.MethodPost, "/api/v1/access/site/" + siteID + "/person", func(ctx context.Context, c *ipassan.Client) error {
		var f ipassan.Form
		f.Set("lastname", "Bos")
		_, err := c.CreatePerson(ctx, f)
		return err
	}},
	"token": {http.MethodPost, "/api/v1/token", func(ctx context.Context, c *ipassan.Client) error {
		return c.Authenticate(ctx)
	}},
	"page": {http.MethodGet, "/api/v1/access/site/" + siteID + "/person", func(ctx context.Context, c *ipassan.Client) error {
		_, err := c.ListPersons(ctx, "", 50, func(ipassan.Person) bool { return true })
		return err
	}},
}

// TestRedirectsAreNeverFollowed: a 3xx is an error naming where it pointed,
// sent once (not retried), and nothing — no request, no token, no secret —
// reaches the place it pointed to, whatever the method and the target.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		useTLS   bool
		status   int
		location func(main, other *url.URL, path string) string
		call     string
		says     []string // in the error, with OTHER and MAIN standing for the servers' addresses
	}{
		{"https to http on the same host (the bearer token in clear text)", true, 301,
			func(_, o *url.URL, p string) string { return "http://" + o.Host + p }, "GET",
			[]string{"redirects to http://OTHER/api/v1/access/site/", "set baseUrl to http://OTHER"}},
		{"https to http, a write", true, 308,
			func(_, o *url.URL, p string) string { return "http://" + o.Host + p }, "PUT",
			[]string{"redirects to http://OTHER/api/v1/", "does not follow"}},
		{"https to http, the token request (the client secret in clear text)", true, 307,
			func(_, o *url.URL, p string) string { return "http://" + o.Host + p }, "token",
			[]string{"redirects to http://OTHER/api/v1/token", "set baseUrl to http://OTHER"}},
		{"another port, a delete", false, 307,
			func(_, o *url.URL, p string) string { return o.String() + p }, "DELETE",
			[]string{"redirects to http://OTHER/api/v1/"}},
		{"another host, a page", false, 302,
			func(_, o *url.URL, p string) string { return "http://localhost:" + o.Port() + "/ipassan" + p }, "page",
			[]string{"redirects to http://localhost:", "set baseUrl to http://localhost:", "/ipassan"}},
		{"another place on the same server, a create", false, 303,
			func(m, _ *url.URL, p string) string { return "/elsewhere" + p }, "POST",
			[]string{"redirects to http://MAIN/elsewhere/api/v1/", "set baseUrl to http://MAIN/elsewhere"}},
		{"no Location at all", false, 302,
			func(*url.URL, *url.URL, string) string { return "" }, "GET",
			[]string{"names no Location", "check baseUrl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := newStub(t, false, person)
			call := calls[tt.call]
			var main *stub
			main = newStub(t, tt.useTLS, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == call.path && r.Method == call.method {
					if loc := tt.location(main.url(), other.url(), r.URL.Path); loc != "" {
						w.Header().Set("Location", loc)
					}
					w.WriteHeader(tt.status)
					return
				}
				if r.URL.Path == "/api/v1/token" {
					_, _ = io.WriteString(w, `{"access_token":"`+stubToken+`"}`)
					return
				}
				http.Error(w, "unexpected", http.StatusTeapot)
			})
			c := main.client(t, ipassan.Options{})
			err := call.run(context.Background(), c)

			require.ErrorIs(t, err, ipassan.ErrProtocol)
			for _, want := range tt.says {
				want = strings.NewReplacer("OTHER", other.url().Host, "MAIN", main.url().Host).Replace(want)
				assert.Contains(t, err.Error(), want)
			}
			assert.Contains(t, err.Error(), fmt.Sprintf("HTTP %d", tt.status))
			assert.NotContains(t, err.Error(), "temporarily unavailable")
			assert.NotContains(t, err.Error(), "attempts", "a redirect is not retried")
			assert.Equal(t, 1, main.count(call.method, call.path), "sent once")
			assert.Zero(t, other.total(), "nothing reached the place the redirect pointed to")
			assert.Zero(t, main.count(http.MethodGet, "/elsewhere"+call.path), "not followed on the same server either")
			if tt.call == "POST" {
				assert.True(t, ipassan.Ambiguous(err), "a create answered with a redirect may have happened: search before sending another")
			}
		})
	}
}

// TestRetryPolicy: which failures are tried again, for each kind of call.
// A create is repeated only when it provably never reached IPassan.
func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	const slow = 400 * time.Millisecond // longer than the request timeout below
	tests := []struct {
		name      string
		call      string
		fail      func(w http.ResponseWriter) // the first answer; later ones succeed
		tries     int                         // of the call, the successful one included
		ok        bool
		kind      error
		ambiguous bool
	}{
		{"GET 408 is retried", "GET", status(408), 2, true, nil, false},
		{"GET 504 is retried", "GET", status(504), 2, true, nil, false},
		{"GET request timeout is retried", "GET", sleep(slow), 2, true, nil, false},
		{"GET 500 is not retried", "GET", status(500), 1, false, ipassan.ErrServer, false},
		{"GET 404 is not retried", "GET", status(404), 1, false, ipassan.ErrNotFound, false},
		{"PUT 503 is retried", "PUT", status(503), 2, true, nil, false},
		{"PUT request timeout is retried", "PUT", sleep(slow), 2, true, nil, false},
		{"DELETE 502 is retried", "DELETE", status(502), 2, true, nil, false},
		{"token 408 is retried", "token", status(408), 2, true, nil, false},
		{"token request timeout is retried", "token", sleep(slow), 2, true, nil, false},
		{"POST 429 is repeated: nothing was created", "POST", status(429), 2, true, nil, false},
		{"POST 400 in IPassan's shape is not repeated", "POST", status(400), 1, false, ipassan.ErrValidation, false},
		{"POST 408 is never repeated", "POST", status(408), 1, false, ipassan.ErrTransient, true},
		{"POST 503 is never repeated", "POST", status(503), 1, false, ipassan.ErrTransient, true},
		{"POST request timeout is never repeated", "POST", sleep(slow), 1, false, ipassan.ErrTimeout, true},
		{"POST dropped connection is never repeated", "POST", drop, 1, false, ipassan.ErrTransient, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			call := calls[tt.call]
			var mu sync.Mutex
			failed := false
			s := newStub(t, false, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				first := !failed && r.Method == call.method && r.URL.Path == call.path
				failed = failed || first
				mu.Unlock()
				switch {
				case first:
					tt.fail(w)
				case r.URL.Path == "/api/v1/token":
					_, _ = io.WriteString(w, `{"access_token":"`+stubToken+`"}`)
				case r.Method == http.MethodDelete:
					w.WriteHeader(http.StatusNoContent)
				default:
					person(w, r)
				}
			})
			c := s.client(t, ipassan.Options{RequestTimeout: slow / 4})
			err := call.run(context.Background(), c)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.kind)
			}
			if tt.call == "POST" {
				assert.Equal(t, tt.ambiguous, ipassan.Ambiguous(err), "Ambiguous: the create may have happened")
			}
			assert.Equal(t, tt.tries, s.count(call.method, call.path))
		})
	}
}

func status(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"error":{"message":"injected"}}`)
	}
}

func sleep(d time.Duration) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { time.Sleep(d); status(http.StatusCreated)(w) }
}

func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// TestDowngradeRedirectSendsNothing is the reported case: https://host
// answering a read with a 301 to http://host, the same host name (and here
// the same port, as 443 and 80 share a name), so a check of the host alone
// lets it through. The bearer token must not reach the plain-http side, and
// its answer must not be trusted.
func TestDowngradeRedirectSendsNothing(t *testing.T) {
	t.Parallel()
	var plainHits atomic.Int64
	secure := newDualServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/token" {
			_, _ = io.WriteString(w, `{"access_token":"`+stubToken+`"}`)
			return
		}
		http.Redirect(w, r, "http://"+r.Host+r.URL.Path, http.StatusMovedPermanently)
	}, func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		person(w, r)
	})
	c := secure.client(t, ipassan.Options{})
	for _, name := range []string{"GET", "PUT"} {
		err := calls[name].run(context.Background(), c)
		require.ErrorIs(t, err, ipassan.ErrProtocol, name)
		assert.Contains(t, err.Error(), "redirects to http://"+secure.url().Host+"/api/v1/access/site/", name)
		assert.Contains(t, err.Error(), "set baseUrl to http://"+secure.url().Host, name)
		assert.Equal(t, 1, secure.count(calls[name].method, calls[name].path), "%s sent once, not retried", name)
	}
	assert.Zero(t, plainHits.Load(), "nothing, no token, went to plain http")
}

// newDualServer serves https (through a stub) and plain http on one port,
// telling them apart by the first byte a client sends.
func newDualServer(t *testing.T, secure, plain http.HandlerFunc) *stub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tlsSide, plainSide := newChanListener(ln.Addr()), newChanListener(ln.Addr())
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				br := bufio.NewReader(conn)
				first, err := br.Peek(1)
				if err != nil {
					_ = conn.Close()
					return
				}
				side := plainSide
				if first[0] == 0x16 { // a TLS handshake record
					side = tlsSide
				}
				side.deliver(&peekedConn{Conn: conn, r: br})
			}()
		}
	}()
	s := &stub{handle: secure, hits: map[string]int{}}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	_ = s.srv.Listener.Close()
	s.srv.Listener = tlsSide
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.StartTLS()
	plainSrv := &http.Server{Handler: plain, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = plainSrv.Serve(plainSide) }()
	t.Cleanup(func() {
		_ = ln.Close()
		s.srv.Close()
		_ = plainSrv.Close()
	})
	return s
}

type chanListener struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newChanListener(addr net.Addr) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		_ = c.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *chanListener) Addr() net.Addr { return l.addr }

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
