package ipassan

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kinds of failure. Every error the client returns for an answer or a
// connection problem is an *Error whose Kind is one of these, so callers ask
// errors.Is(err, ipassan.ErrNotFound) and never look at status codes.
var (
	ErrNotFound     = errors.New("not found")
	ErrAccessDenied = errors.New("access denied")
	ErrAuth         = errors.New("authentication failed")
	ErrValidation   = errors.New("request rejected")
	ErrRateLimited  = errors.New("rate limited")
	ErrTransient    = errors.New("temporarily unavailable")
	ErrServer       = errors.New("server error")
	ErrProtocol     = errors.New("unexpected answer")
	ErrReadOnly     = errors.New("dry run: writes are switched off")
)

// Error is a failed IPassan call.
type Error struct {
	Kind       error         // one of the Err… values above
	Method     string        // GET, POST, …
	Path       string        // the API path, e.g. /api/v1/access/site/…/person/…
	Status     int           // HTTP status; 0 when no answer arrived
	Message    string        // IPassan's own words, or what went wrong on the way
	RetryAfter time.Duration // from a Retry-After header, when given
	Err        error         // the transport error, when there was no answer
	NotSent    bool          // the request never reached IPassan (connecting failed)
	Attempts   int           // how many times it was sent, when more than once
	GaveUp     string        // why retrying stopped early, when it did
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "IPassan %s %s: ", e.Method, e.Path)
	switch {
	case e.Status > 0:
		fmt.Fprintf(&b, "%s (HTTP %d)", e.Kind, e.Status)
	default:
		b.WriteString(e.Kind.Error())
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.GaveUp != "" {
		b.WriteString("; ")
		b.WriteString(e.GaveUp)
	}
	return b.String()
}

// Ambiguous reports whether a failed create may nonetheless have created the
// person: the request went out but no clear answer came back (a timeout, a
// dropped connection, a 5xx, an answer that cannot be read). 429 and other 4xx
// mean nothing was created.
func Ambiguous(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.NotSent {
		return false
	}
	switch e.Kind {
	case ErrTransient, ErrTimeout, ErrServer, ErrProtocol:
		return true
	}
	return false
}

// Is makes errors.Is(err, ErrNotFound) and friends work.
func (e *Error) Is(target error) bool { return target == e.Kind }

func (e *Error) Unwrap() error { return e.Err }

// errorFromAnswer is the one place that turns a non-2xx answer into a typed
// error.
func errorFromAnswer(method, path string, status int, header http.Header, body []byte) *Error {
	e := &Error{Method: method, Path: path, Status: status, Message: messageFrom(body)}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	switch {
	case status == http.StatusUnauthorized:
		e.Kind = ErrAuth
	case status == http.StatusForbidden || strings.EqualFold(e.Message, "Access Denied"):
		e.Kind = ErrAccessDenied
	case status == http.StatusNotFound || status == http.StatusGone:
		e.Kind = ErrNotFound
	case status == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
		e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	case status == http.StatusRequestTimeout || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		e.Kind = ErrTransient
		e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	case status >= 500:
		e.Kind = ErrServer
	case status >= 400:
		e.Kind = ErrValidation
	default:
		e.Kind = ErrProtocol
	}
	return e
}

// maxMessage bounds how much of an answer lands in an audit log.
const maxMessage = 300

// messageFrom extracts IPassan's message in the order the public connector
// reads it: error_description (OAuth style), error.message, then the raw body.
func messageFrom(body []byte) string {
	var shaped struct {
		Description string          `json:"error_description"`
		Error       json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &shaped) == nil {
		if s := strings.TrimSpace(shaped.Description); s != "" {
			return clip(s)
		}
		var nested struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(shaped.Error, &nested) == nil && strings.TrimSpace(nested.Message) != "" {
			return clip(nested.Message)
		}
	}
	return clip(string(body))
}

// clip makes a message fit for one audit line: control characters become
// spaces, runs of white space fold, and it is cut at maxMessage runes.
func clip(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxMessage {
		s = string(r[:maxMessage]) + "…"
	}
	return s
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
