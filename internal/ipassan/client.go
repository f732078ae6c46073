// Package ipassan is a typed client for the IPassan REST API: client-credential
// tokens, the persons of one site, and the admin tree of bases and sites.
// Every failure comes back as an *Error with a Kind (see errors.go).
package ipassan

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
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
	requests   atomic.Int64
	rateLimits atomic.Int64 // 429 answers seen, so scans can slow down
	activity   atomic.Pointer[string]

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
	if opts.UserAgent == "" {
		opts.UserAgent = "ipassan-connector"
	}
	opts.Redactor.Add(opts.ClientSecret.Reveal())
	c := &Client{opts: opts, base: strings.TrimRight(opts.BaseURL.String(), "/") + APIPrefix}
	c.http = resty.New().
		SetTransport(transport(opts.RootCAs)).
		SetTimeout(opts.RequestTimeout).
		SetRedirectPolicy(sameHostRedirects(opts.BaseURL.Host)).
		SetLogger(restyLogger{opts.Logger}).
		SetResponseBodyLimit(maxBody).
		SetHeader("User-Agent", opts.UserAgent).
		SetHeader("Accept", "application/json")
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

// maxBody bounds a buffered answer. Pages are streamed and not bound by it.
const maxBody = 16 << 20

// Requests is how many HTTP requests the client has sent, token included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// SiteID is the site this client works on.
func (c *Client) SiteID() string { return c.opts.SiteID }

// sameHostRedirects follows at most three redirects, only to the configured
// host and only for reads: a redirected write could land anywhere.
func sameHostRedirects(host string) resty.RedirectPolicy {
	return resty.RedirectPolicyFunc(func(req *http.Request, via []*http.Request) error {
		switch {
		case len(via) >= 3:
			return errors.New("too many redirects")
		case !strings.EqualFold(req.URL.Host, host):
			return fmt.Errorf("refusing a redirect to another host (%s)", req.URL.Host)
		case via[0].Method != http.MethodGet:
			return fmt.Errorf("refusing to follow a redirect of a %s", via[0].Method)
		}
		return nil
	})
}

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
	stream bool // the caller reads and closes the body
}

// answer is a 2xx response.
type answer struct {
	status int
	body   []byte        // when not streaming
	stream io.ReadCloser // when streaming
}

// Authenticate fetches a fresh token, proving the credentials work.
func (c *Client) Authenticate(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
	_, err := c.tokenLocked(ctx)
	return err
}

func (c *Client) bearer(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenLocked(ctx)
}

// tokenExpiryMargin renews a token a little before IPassan says it expires.
const tokenExpiryMargin = 30 * time.Second

// defaultTokenLifetime is assumed when IPassan does not say (expires_in is not
// confirmed): short, because a 401 costs a round trip anyway.
const defaultTokenLifetime = 2 * time.Minute

func (c *Client) tokenLocked(ctx context.Context) (string, error) {
	if c.token != "" && time.Now().Before(c.expires) {
		return c.token, nil
	}
	var form Form
	form.Set("grant_type", "client_credentials")
	form.Set("scope", "all")
	form.Set("client_id", c.opts.ClientID)
	form.Set("client_secret", c.opts.ClientSecret.Reveal())
	// Asking for a token twice is harmless, so the token request retries like a read.
	ans, err := c.retrying(ctx, http.MethodGet, func() (answer, error) {
		return c.send(ctx, request{method: http.MethodPost, path: "/token", form: &form}, "")
	})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && (e.Kind == ErrValidation || e.Kind == ErrAccessDenied) {
			e.Kind = ErrAuth // the token endpoint answers bad credentials with 400
		}
		return "", err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   any    `json:"expires_in"`
	}
	if err := decodeJSON(ans.body, &tok); err != nil || tok.AccessToken == "" {
		return "", &Error{Kind: ErrAuth, Method: http.MethodPost, Path: APIPrefix + "/token", Status: ans.status,
			Message: "the token answer holds no access_token"}
	}
	c.opts.Redactor.Add(tok.AccessToken)
	lifetime := defaultTokenLifetime
	if n, ok := object.Int(tok.ExpiresIn); ok && n > 0 {
		lifetime = time.Duration(n) * time.Second
	}
	if lifetime > 2*tokenExpiryMargin {
		lifetime -= tokenExpiryMargin
	}
	c.token, c.expires = tok.AccessToken, time.Now().Add(lifetime)
	return c.token, nil
}

// do sends an authenticated request, retrying what is safe to retry (see
// retry.go). A 401 means the token went stale: log in again once and repeat.
func (c *Client) do(ctx context.Context, req request) (answer, error) {
	if c.opts.ReadOnly && req.method != http.MethodGet {
		return answer{}, &Error{Kind: ErrReadOnly, Method: req.method, Path: APIPrefix + req.path}
	}
	relogged := false
	return c.retrying(ctx, req.method, func() (answer, error) {
		for {
			tok, err := c.bearer(ctx)
			if err != nil {
				return answer{}, final{err} // the token request did its own retrying
			}
			ans, err := c.send(ctx, req, tok)
			if !relogged && errors.Is(err, ErrAuth) {
				relogged = true
				c.forget(tok)
				continue
			}
			return ans, err
		}
	})
}

// forget drops a token IPassan no longer accepts.
func (c *Client) forget(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// send performs one HTTP exchange and maps the outcome: 2xx is an answer,
// anything else an *Error (errorFromAnswer), no answer at all an ErrTransient
// or ErrTimeout *Error.
func (c *Client) send(ctx context.Context, req request, tok string) (answer, error) {
	r := c.http.R().SetContext(ctx).SetDoNotParseResponse(true)
	if tok != "" {
		r.SetAuthToken(tok)
	}
	if req.query != nil {
		r.SetQueryParamsFromValues(req.query)
	}
	if req.form != nil {
		r.SetHeader("Content-Type", "application/x-www-form-urlencoded").SetBody(req.form.Encode())
	}
	path := APIPrefix + req.path
	start := time.Now()
	c.requests.Add(1)
	c.setActivity(req.method + " " + path)
	defer c.setActivity("")
	resp, err := r.Execute(req.method, c.base+req.path)
	log := c.opts.Logger.Debug().Str("method", req.method).Str("path", path)
	if err != nil {
		log.Dur("took", time.Since(start)).Msg("ipassan request failed")
		return answer{}, c.transportError(ctx, req.method, path, err)
	}
	log.Int("status", resp.StatusCode()).Dur("took", time.Since(start)).Msg("ipassan request")
	body := resp.RawBody()
	if resp.StatusCode() >= 200 && resp.StatusCode() < 300 {
		if req.stream {
			return answer{status: resp.StatusCode(), stream: body}, nil
		}
		defer body.Close()
		b, err := io.ReadAll(io.LimitReader(body, maxBody))
		if err != nil {
			return answer{}, c.transportError(ctx, req.method, path, err)
		}
		return answer{status: resp.StatusCode(), body: b}, nil
	}
	defer body.Close()
	b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	// Redact before the message is cut: a secret cut in half would escape.
	b = []byte(c.opts.Redactor.Redact(string(b)))
	return answer{}, errorFromAnswer(req.method, path, resp.StatusCode(), resp.Header(), b)
}

// ErrTimeout: no answer in time.
var ErrTimeout = errors.New("no answer in time")

func (c *Client) transportError(ctx context.Context, method, path string, err error) *Error {
	e := &Error{Kind: ErrTransient, Method: method, Path: path, Err: err}
	var ue *url.Error
	var op *net.OpError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind, e.Message = ErrTimeout, "the action was interrupted"
	case ctx.Err() != nil:
		e.Kind, e.Message = ErrTimeout, "no answer before the action's deadline"
	case isTLSFailure(err):
		// Certificates and protocol versions do not fix themselves: no retry.
		e.Kind, e.Message = ErrTLS, c.opts.Redactor.Redact(clip(err.Error()))
	case errors.As(err, &op) && op.Op == "dial":
		// Nothing reached IPassan: even a create may be sent again.
		e.NotSent = true
		e.Message = c.opts.Redactor.Redact(clip(op.Err.Error()))
	case errors.As(err, &ue) && ue.Timeout():
		e.Kind, e.Message = ErrTimeout, fmt.Sprintf("no answer within %s", c.opts.RequestTimeout)
	default:
		msg := err.Error()
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		e.Message = c.opts.Redactor.Redact(clip(msg))
	}
	return e
}
