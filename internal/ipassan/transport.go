package ipassan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// call is what the hooks resty runs need to know of the call they serve. It
// travels in the request's context (resty hands the hooks the request, not
// our arguments) and is used by one goroutine at a time: resty runs a call's
// attempts, conditions and waits one after another.
type call struct {
	ctx        context.Context // the caller's: its deadline bounds the waits
	method     string
	path       string // APIPrefix + path, as errors and logs name it
	repeatable bool   // may be repeated after it may have reached IPassan

	last        *Error // the failure of attempt lastAttempt, as shouldRetry saw it
	lastAttempt int
}

type callKey struct{}

func callOf(ctx context.Context) *call {
	cl, _ := ctx.Value(callKey{}).(*call)
	return cl
}

// checkAnswer is resty's response hook and the one way an answer that is not
// a 2xx becomes an error: the body is masked (every spelling of the secret and
// the tokens) before errorFromAnswer reads a message out of it and cuts it,
// and that message is masked again in case the reading assembled one. A 3xx
// is never followed (noRedirects): it is an error naming where it pointed.
func (c *Client) checkAnswer(_ *resty.Client, resp *resty.Response) error {
	status := resp.StatusCode()
	if status >= 200 && status < 300 {
		return nil
	}
	cl := callOf(resp.Request.Context())
	if cl == nil { // not built by exchange
		cl = &call{method: resp.Request.Method, path: resp.Request.URL}
	}
	body := c.opts.Redactor.Redact(string(resp.Body()))
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody] // only after masking: a secret cut in half here would no longer be recognised
	}
	e := errorFromAnswer(cl.method, cl.path, status, resp.Header(), []byte(body))
	e.Message = c.opts.Redactor.Redact(e.Message)
	if status >= 300 && status < 400 {
		e.Message = c.redirectMessage(resp)
	}
	if e.Kind == ErrRateLimited {
		c.rateLimits.Add(1)
	}
	return e
}

// maxErrorBody is how much of an error answer is searched for its message,
// which is cut to a few hundred characters anyway.
const maxErrorBody = 64 << 10

// noRedirects hands a 3xx back as it is (checkAnswer turns it into an error):
// a redirect to http would send the bearer token in clear text, one to
// another host would hand it to a stranger, and a redirected write could land
// anywhere.
var noRedirects = resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
})

// origin is a scheme, host and port, the way a browser tells sites apart.
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	if o.port == "" {
		o.port = map[string]string{"http": "80", "https": "443"}[o.scheme]
	}
	return o
}

func (o origin) String() string {
	return o.scheme + "://" + net.JoinHostPort(o.host, o.port)
}

// guard is the last step before a request leaves the process, so its checks
// hold whatever built the request (a redirect, a path gone wrong): nothing
// goes to another scheme, host or port than baseUrl's, and a read-only client
// sends nothing but reads and the token request. It also counts and logs
// every attempt, and names it for the deadline message (Activity).
type guard struct {
	c    *Client
	next http.RoundTripper
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	c := g.c
	cl := callOf(req.Context())
	if cl == nil { // not built by exchange: name it by its URL
		cl = &call{method: req.Method, path: req.URL.Path}
	}
	if err := c.refuse(req, cl); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		c.opts.Logger.Debug().Str("method", cl.method).Str("path", cl.path).Str("refused", err.Message).Msg("ipassan request refused")
		return nil, err
	}
	c.requests.Add(1)
	c.setActivity(cl.method + " " + cl.path)
	start := time.Now()
	resp, err := g.next.RoundTrip(req)
	log := c.opts.Logger.Debug().Str("method", cl.method).Str("path", cl.path).Stringer("took", time.Since(start).Round(time.Millisecond))
	if err != nil {
		log.Str("error", clip(c.opts.Redactor.Redact(err.Error()))).Msg("ipassan request failed")
		return nil, err
	}
	log.Int("status", resp.StatusCode).Msg("ipassan request")
	return resp, nil
}

// refuse says why a request must not leave, or returns nil.
func (c *Client) refuse(req *http.Request, cl *call) *Error {
	if to := originOf(req.URL); to != c.origin {
		return &Error{Kind: ErrProtocol, Method: cl.method, Path: cl.path, NotSent: true,
			Message: fmt.Sprintf("not sent to %s: requests go to baseUrl's %s only", to, c.origin)}
	}
	if c.opts.ReadOnly && req.Method != http.MethodGet && !(req.Method == http.MethodPost && cl.path == APIPrefix+tokenPath) {
		return &Error{Kind: ErrReadOnly, Method: cl.method, Path: cl.path, NotSent: true}
	}
	return nil
}

// ErrTimeout: no answer in time.
var ErrTimeout = errors.New("no answer in time")

// transportError maps a call that brought no usable answer to an *Error: the
// caller's deadline, a TLS failure, a connection that could not be opened
// (NotSent: nothing reached IPassan), a request timeout, an answer too large,
// or the connection failing on the way. An *Error already made (the guard's
// refusal) is returned as it is.
func (c *Client) transportError(ctx context.Context, method, path string, err error) *Error {
	var made *Error
	if errors.As(err, &made) {
		return made
	}
	e := &Error{Kind: ErrTransient, Method: method, Path: path, Err: err}
	var ue *url.Error
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		e.Kind, e.Message = ErrTimeout, "the action was interrupted"
	case ctx.Err() != nil:
		e.Kind, e.Message = ErrTimeout, "no answer before the action's deadline"
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.DeadlineExceeded) {
			e.Message = "no answer in time: " + cause.Error() // a deadline the caller set, and said why
		}
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		e.Kind, e.Message = ErrProtocol, fmt.Sprintf("the answer is larger than %d MiB", maxBody>>20)
	case isTLSFailure(err):
		// Certificates and protocol versions do not fix themselves: no retry.
		e.Kind, e.Message = ErrTLS, clip(c.opts.Redactor.Redact(err.Error()))
	case errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect"):
		// Nothing reached IPassan: even a create may be sent again.
		e.NotSent = true
		e.Message = clip(c.opts.Redactor.Redact(op.Err.Error()))
	case errors.As(err, &ne) && ne.Timeout():
		e.Kind, e.Message = ErrTimeout, fmt.Sprintf("no answer within %s", c.opts.RequestTimeout)
	default:
		msg := err.Error()
		if errors.As(err, &ue) {
			msg = ue.Err.Error()
		}
		e.Message = clip(c.opts.Redactor.Redact(msg))
	}
	return e
}
