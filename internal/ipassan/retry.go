package ipassan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-resty/resty/v2"
)

// Retry defaults, as the contract states them: up to 4 tries, backing off
// from about half a second, doubling, with jitter.
const (
	DefaultAttempts = 4
	// DefaultRequestTimeout bounds one request when Options say nothing.
	DefaultRequestTimeout = 10 * time.Second
	DefaultBackoff        = 500 * time.Millisecond
	maxBackoff            = 8 * time.Second
	// maxWaitWithoutDeadline bounds a Retry-After when the caller set no
	// deadline (every action sets one; this is for other callers).
	maxWaitWithoutDeadline = time.Minute
	// unboundedWait is resty's cap on a wait: out of the way, retryWait bounds them.
	unboundedWait = 24 * time.Hour
)

// The retry policy, which resty runs through shouldRetry (its retry
// condition) and retryWait (its Retry-After hook):
//   - GET, PUT, DELETE and the token request are tried up to Attempts times
//     on 408, 429, 502, 503, 504, a request timeout or a connection error;
//   - a create (POST) is repeated only when it provably never reached
//     IPassan: the connection could not be opened, or IPassan answered 429
//     in its own JSON error shape (a 429 in any other shape proves nothing;
//     any other 4xx is not retried at all);
//   - the wait is IPassan's Retry-After when given, else a backoff from
//     Backoff, doubling, give or take a quarter, up to 8 s; a wait that would
//     pass the caller's deadline is not started: the call fails at once,
//     saying so;
//   - a refusal (a redirect, another origin, a read-only write), a TLS
//     failure, a 5xx other than 502, 503, 504 and an answer that cannot be
//     used are never retried.
func retryable(repeatable bool, e *Error) bool {
	switch {
	case e.Kind == ErrRateLimited:
		// IPassan's own 429 says it did nothing, whatever the method; one
		// that is not in its shape proves nothing for a create.
		return repeatable || !e.Foreign
	case e.NotSent:
		return e.Kind == ErrTransient // the connection could not be opened
	case !repeatable:
		return false
	}
	return e.Kind == ErrTransient || e.Kind == ErrTimeout
}

// shouldRetry is the call's resty retry condition, asked after every failed
// attempt. It maps the failure (checkAnswer already did for an answer) and
// keeps it for retryWait and for the call's outcome.
func (c *Client) shouldRetry(cl *call, resp *resty.Response, err error) bool {
	if err == nil || resp == nil { // a 2xx, or a request resty could not even build
		return false
	}
	e := c.transportError(cl.ctx, cl.method, cl.path, err)
	cl.last, cl.lastAttempt = e, resp.Request.Attempt
	return cl.ctx.Err() == nil && retryable(cl.repeatable, e)
}

// retryWait is resty's Retry-After hook: how long to wait before the next
// attempt of the call resp belongs to. It refuses (resty then stops) a wait
// that does not fit before the deadline, and says so in the call's error.
func (c *Client) retryWait(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	cl := callOf(resp.Request.Context())
	if cl == nil || cl.last == nil {
		return 0, errors.New("ipassan: a retry without a failure") // cannot happen: shouldRetry ran first
	}
	e, attempt := cl.last, resp.Request.Attempt
	deadline, hasDeadline := cl.ctx.Deadline()
	wait, gaveUp := c.nextWait(e, attempt, deadline, hasDeadline)
	if gaveUp != "" {
		e.GaveUp = gaveUp
		return 0, errGaveUp
	}
	c.opts.Logger.Debug().Str("method", e.Method).Str("path", e.Path).Int("attempt", attempt).
		Dur("wait", wait).Str("reason", e.Kind.Error()).Msg("ipassan retry")
	c.setActivity(fmt.Sprintf("waiting %s to retry %s %s (%s)", wait.Round(time.Millisecond), e.Method, e.Path, e.reason()))
	if c.shortenWait != nil {
		wait = c.shortenWait(wait)
	}
	return max(wait, time.Nanosecond), nil // 0 would ask resty for its own backoff
}

var errGaveUp = errors.New("ipassan: retrying stopped")

// nextWait chooses the wait before the attempt after attempt: IPassan's
// Retry-After, else the backoff. gaveUp is set instead when the wait would
// pass the deadline.
func (c *Client) nextWait(e *Error, attempt int, deadline time.Time, hasDeadline bool) (wait time.Duration, gaveUp string) {
	wait = c.backoff(attempt)
	if e.RetryAfter != 0 {
		wait = e.RetryAfter
	}
	switch {
	case wait < 0: // a Retry-After too large to hold
		return 0, "IPassan asks to wait longer than the action's deadline allows"
	case hasDeadline && c.now().Add(wait).After(deadline):
		return 0, fmt.Sprintf("waiting %s more would pass the action's deadline", wait.Round(100*time.Millisecond))
	case !hasDeadline:
		wait = min(wait, maxWaitWithoutDeadline)
	}
	return wait, ""
}

// backoff is the wait before the next attempt: doubling from the configured
// base, give or take a quarter at random so that many agents do not retry in
// step (the first of the default waits is 375 to 625 ms), never above 8 s.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.Backoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return min(d-d/4+rand.N(d/2+1), maxBackoff)
}

// outcome is the call's error once resty has stopped: the failure of the
// last attempt as shouldRetry mapped it (with why retrying stopped early), or,
// when resty stopped before asking (the deadline came during the attempt or
// during a wait, or retries are off), the error mapped now.
func (cl *call) outcome(c *Client, attempts int, err error) *Error {
	if cl.last != nil && cl.lastAttempt == attempts {
		// resty returns the context's own error when it ends during a wait.
		if (err == context.DeadlineExceeded || err == context.Canceled) && cl.last.GaveUp == "" {
			cl.last.GaveUp = "the action's deadline came while waiting to retry"
		}
		return cl.last
	}
	return c.transportError(cl.ctx, cl.method, cl.path, err)
}

// setActivity records what the client is doing, for a deadline message.
func (c *Client) setActivity(s string) { c.activity.Store(&s) }

// Activity says what the client is waiting for right now ("" when idle): the
// request in flight, or the wait before a retry.
func (c *Client) Activity() string {
	if p := c.activity.Load(); p != nil {
		return *p
	}
	return ""
}
