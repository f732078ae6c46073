package ipassan

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// Retry defaults, as the contract states them: up to 4 tries, backing off
// from about half a second, doubling, with jitter.
const (
	DefaultAttempts = 4
	// DefaultRequestTimeout bounds one request when Options say nothing.
	DefaultRequestTimeout = 10 * time.Second
	DefaultBackoff        = 500 * time.Millisecond
	maxBackoff            = 8 * time.Second
)

// retrying calls try until it succeeds or retrying stops being safe or useful.
// GET, PUT and DELETE (and the token request) are repeated on 429, 502, 503,
// 504 and connection errors; a POST only when it provably never reached
// IPassan (429, or connecting failed): a create is never repeated blindly. A
// wait honours Retry-After and never runs past the action's deadline.
func (c *Client) retrying(ctx context.Context, method string, try func() (answer, error)) (answer, error) {
	attempts := c.opts.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	for attempt := 1; ; attempt++ {
		ans, err := try()
		if f, ok := err.(final); ok {
			return ans, f.err
		}
		var e *Error
		if err == nil || !errors.As(err, &e) || ctx.Err() != nil || !retryable(method, e) {
			return ans, err
		}
		if e.Kind == ErrRateLimited {
			c.rateLimits.Add(1)
		}
		if attempt >= attempts {
			e.Attempts = attempt
			return ans, e
		}
		wait := e.RetryAfter
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			e.Attempts = attempt
			e.GaveUp = fmt.Sprintf("waiting %s more would pass the action's deadline", wait.Round(100*time.Millisecond))
			return ans, e
		}
		c.opts.Logger.Debug().Str("method", e.Method).Str("path", e.Path).Int("attempt", attempt).
			Dur("wait", wait).Str("reason", e.Kind.Error()).Msg("ipassan retry")
		c.setActivity(fmt.Sprintf("waiting %s to retry %s %s (%s)", wait.Round(time.Millisecond), e.Method, e.Path, e.Kind))
		if err := sleep(ctx, wait); err != nil {
			e.Attempts = attempt
			return ans, e
		}
	}
}

// final carries an error out of retrying untouched.
type final struct{ err error }

func (f final) Error() string { return f.err.Error() }

func retryable(method string, e *Error) bool {
	if e.NotSent || e.Kind == ErrRateLimited {
		return true // IPassan did nothing, whatever the method
	}
	return method != http.MethodPost && (e.Kind == ErrTransient || e.Kind == ErrTimeout)
}

// backoff is the wait before the next attempt: doubling from the configured
// base, capped, give or take a quarter at random so that many agents do not
// retry in step (the first of the default waits is 375 to 625 ms).
func (c *Client) backoff(attempt int) time.Duration {
	base := c.opts.Backoff
	if base <= 0 {
		base = DefaultBackoff
	}
	d := min(base<<(attempt-1), maxBackoff)
	return d - d/4 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
