// Package ipassan is a typed client for the IPassan REST API: client-credential
// tokens, the persons of one site, and the admin tree of bases and sites.
// Every failure comes back as an *Error with a Kind (see errors.go).
//
// The HTTP work is resty's: it builds each request, bounds the answer
// (maxBody), runs the retries through the policy's retry condition and
// Retry-After hook (retry.go), and maps every answer that is not a 2xx in one
// response hook (transport.go). What resty cannot express stays here, small:
// logging in again once after a 401 (do), and a transport that refuses to
// send anything anywhere but baseUrl (transport.go).
package ipassan

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// APIPrefix is where the API lives under the base URL.
const APIPrefix = "/api/v1"

// Options configure a Client.
type Options struct {
	BaseURL        *url.URL // scheme, host and optional path prefix
	SiteID         string
	ClientID       string
	ClientSecret   secret.Secret
	RequestTimeout time.Duration // per request; 0 means 10 s
	Attempts       int           // tries of a retryable request; 0 means DefaultAttempts
	Backoff        time.Duration // first wait between tries; 0 means DefaultBackoff
	// ReadOnly refuses every write before it leaves the process: the dry-run
	// guarantee does not rest on each action remembering to check.
	ReadOnly  bool
	Logger    zerolog.Logger
	Redactor  *secret.Redactor // learns every token the client receives
	UserAgent string
	RootCAs   *x509.CertPool // nil: the system's (see LoadCABundle)
}

// Client talks to one IPassan site. It is safe for concurrent use.
type Client struct {
	opts       Options
	http       *resty.Client
	base       string // base URL + APIPrefix
	origin     origin // the one scheme, host and port requests may go to
	requests   atomic.Int64
	rateLimits atomic.Int64 // 429 answers seen, so scans can slow down
	activity   atomic.Pointer[string]

	// now is the clock of token lifetimes and retry deadlines; tests move it.
	now func() time.Time
	// shortenWait, when set (tests only), turns the wait the policy chose into
	// the one resty sleeps, so a test checks a 30 s Retry-After without waiting.
	shortenWait func(time.Duration) time.Duration

	mu      sync.Mutex
	token   string
	expires time.Time
}

// New checks the options and builds a client.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == nil || opts.BaseURL.Host == "" {
		return nil, errors.New("ipassan: no base URL")
	}
	if opts.BaseURL.Scheme != "https" && !(opts.BaseURL.Scheme == "http" && IsLoopback(opts.BaseURL.Hostname())) {
		return nil, fmt.Errorf("ipassan: %s is not https; plain http is allowed only for a loopback host", opts.BaseURL.Redacted())
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Attempts <= 0 {
		opts.Attempts = DefaultAttempts
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "ipassan-connector"
	}
	opts.Redactor.Add(opts.ClientSecret.Reveal())
	c := &Client{opts: opts, base: strings.TrimRight(opts.BaseURL.String(), "/") + APIPrefix,
		origin: originOf(opts.BaseURL), now: time.Now}
	// No cookie jar (resty.New would add one): IPassan authenticates by token,
	// and nothing a server sets should ride along unasked.
	c.http = resty.NewWithClient(&http.Client{}).
		SetTransport(&guard{c: c, next: transport(opts.RootCAs)}).
		SetRedirectPolicy(noRedirects).
		SetTimeout(opts.RequestTimeout).
		SetLogger(restyLogger{opts.Logger}).
		SetResponseBodyLimit(maxBody).
		SetHeader("User-Agent", opts.UserAgent).
		SetHeader("Accept", "application/json").
		SetRetryCount(opts.Attempts - 1).
		SetRetryWaitTime(0).                // the waits are all retryWait's
		SetRetryMaxWaitTime(unboundedWait). // and it bounds them itself
		SetRetryAfter(c.retryWait).
		OnAfterResponse(c.checkAnswer)
	return c, nil
}

// transport keeps enough idle connections for a concurrent scan: resty's
// default keeps GOMAXPROCS+1, so with eight pages in flight most requests
// would open a new connection (and TLS session) to IPassan.
func transport(roots *x509.CertPool) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConfig(roots),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// maxBody bounds every answer, pages included: resty refuses a larger one
// (an ErrProtocol, see transportError) instead of reading it into memory.
const maxBody = 16 << 20

// Requests is how many HTTP requests the client has sent, token included:
// every attempt that left the process, also one whose connection failed.
func (c *Client) Requests() int64 { return c.requests.Load() }

// SiteID is the site this client works on.
func (c *Client) SiteID() string { return c.opts.SiteID }

// restyLogger sends resty's own messages to the debug log.
type restyLogger struct{ l zerolog.Logger }

func (r restyLogger) Errorf(f string, v ...any) { r.l.Debug().Msgf("resty: "+f, v...) }
func (r restyLogger) Warnf(f string, v ...any)  { r.l.Debug().Msgf("resty: "+f, v...) }
func (r restyLogger) Debugf(f string, v ...any) { r.l.Debug().Msgf("resty: "+f, v...) }

// request is one API call.
type request struct {
	method string
	path   string // under APIPrefix, already escaped
	query  url.Values
	form   *Form
}

// answer is a 2xx response, its body read whole by resty and bounded by maxBody.
type answer struct {
	status int
	body   []byte
}

// do sends an authenticated request; resty retries what the policy allows
// (retry.go). A 401 means the token went stale: log in again once and repeat.
// That stays outside resty's retries because it needs another request, the
// token, between two tries, and that request's own failure must come back as
// what it is.
func (c *Client) do(ctx context.Context, req request) (answer, error) {
	if c.opts.ReadOnly && req.method != http.MethodGet {
		return answer{}, &Error{Kind: ErrReadOnly, Method: req.method, Path: APIPrefix + req.path, NotSent: true}
	}
	for relogged := false; ; relogged = true {
		tok, err := c.bearer(ctx)
		if err != nil {
			return answer{}, err
		}
		repeatable := req.method != http.MethodPost
		ans, err := c.exchange(ctx, req, tok, repeatable)
		if relogged || !errors.Is(err, ErrAuth) || (!repeatable && foreign(err)) {
			return ans, err // a create is repeated only after IPassan's own 401
		}
		c.forget(tok)
	}
}

// foreign reports an *Error marked Foreign.
func foreign(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Foreign
}

// exchange runs one call through resty: the request with its retries. A 2xx
// is an answer; anything else comes back as an *Error (checkAnswer for an
// answer, transportError when none came). repeatable says whether the call
// may be repeated after it may have reached IPassan (everything but a create).
func (c *Client) exchange(ctx context.Context, req request, tok string, repeatable bool) (answer, error) {
	cl := &call{method: req.method, path: APIPrefix + req.path, repeatable: repeatable, ctx: ctx}
	r := c.http.R().SetContext(context.WithValue(ctx, callKey{}, cl))
	r.AddRetryCondition(func(resp *resty.Response, err error) bool { return c.shouldRetry(cl, resp, err) })
	if tok != "" {
		r.SetAuthToken(tok)
	}
	if req.query != nil {
		r.SetQueryParamsFromValues(req.query)
	}
	if req.form != nil {
		r.SetHeader("Content-Type", "application/x-www-form-urlencoded").SetBody(req.form.Encode())
	}
	defer c.setActivity("")
	resp, err := r.Execute(req.method, c.base+req.path)
	if err != nil {
		e := cl.outcome(c, r.Attempt, err)
		if r.Attempt > 1 {
			e.Attempts = r.Attempt
		}
		return answer{}, e
	}
	return answer{status: resp.StatusCode(), body: resp.Body()}, nil
}

// forget drops a token IPassan no longer accepts.
func (c *Client) forget(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}
