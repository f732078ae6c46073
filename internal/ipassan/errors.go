package ipassan

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
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
	// ErrWrongPerson: asked for one person, the answer is about another.
	ErrWrongPerson = errors.New("the answer is about another person")
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
	// Foreign marks a 4xx that is not in IPassan's own JSON error shape (a
	// proxy's page, an empty body): it does not prove that IPassan never
	// acted on the request, so a create is not sent again after it.
	Foreign bool
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

// reason is the kind of failure with its first words, for a line that says
// what the client is waiting for: "temporarily unavailable: connection
// refused", not only the kind.
func (e *Error) reason() string {
	const most = 80 // characters of the message; a progress line is one line
	msg := strings.Join(strings.Fields(e.Message), " ")
	if msg == "" {
		return e.Kind.Error()
	}
	if r := []rune(msg); len(r) > most {
		msg = string(r[:most]) + "…"
	}
	return e.Kind.Error() + ": " + msg
}

// Ambiguous reports whether a failed create may nonetheless have created the
// person: the request went out but no clear answer came back (a timeout, a
// dropped connection, a 5xx, an answer that cannot be read, a 4xx that is not
// in IPassan's own shape). A 429 or other 4xx in IPassan's shape means nothing
// was created.
func Ambiguous(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.NotSent {
		return false
	}
	if e.Foreign {
		return true // a 4xx nobody can vouch for: the create may have landed
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
// error. body has been masked (secrets, tokens) and may be cut.
//
// A 404 or 410 is "not found" only when it looks like IPassan's: an empty
// body, or IPassan's JSON error ({"error": …} or {"error_description": …}).
// A proxy's or a load balancer's page (HTML, text, a gateway's
// {"message": "no route matched"}) says nothing about the person: taking it
// for "gone" would let a leaver keep access, so it is an ErrProtocol naming
// the status, the content type and the first words of the body.
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
		if !ipassanError(body) {
			e.Kind = ErrProtocol
			e.Message = fmt.Sprintf("a %d that is not IPassan's, so nothing is concluded about the person: %s", status, describe(header, body))
		}
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
	if status >= 400 && status < 500 && e.Kind != ErrNotFound && e.Kind != ErrProtocol {
		e.Foreign = !ipassanJSONError(body)
	}
	return e
}

// ipassanJSONError reports an answer in IPassan's own JSON error shape: an
// object holding error or error_description. Only such a 4xx proves that
// IPassan itself refused a request (the contract's "At most one POST").
func ipassanJSONError(body []byte) bool {
	o, err := object.DecodeObject(body)
	return err == nil && (o.Has("error") || o.Has("error_description"))
}

// ipassanError reports a body IPassan answers an error with: nothing at all,
// or a JSON object holding error or error_description.
func ipassanError(body []byte) bool {
	return len(bytes.TrimSpace(body)) == 0 || ipassanJSONError(body)
}

// describe names what came back, for a message about an answer that is not
// understood: its content type (when header is given) and its first words
// (tags of an HTML page left out). body must be masked already.
func describe(header http.Header, body []byte) string {
	ct := ""
	if header != nil {
		ct = cmp.Or(header.Get("Content-Type"), "no content type")
	}
	words := string(body)
	if strings.Contains(strings.ToLower(ct), "html") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) {
		words = htmlText(words)
	}
	words = clip(words)
	if r := []rune(words); len(r) > firstWords {
		words = string(r[:firstWords]) + "…"
	}
	quoted := strconv.Quote(words)
	if words == "" {
		quoted = "an empty body"
	}
	if ct == "" {
		return quoted
	}
	return ct + ", " + quoted
}

// firstWords is how much of an answer that is not understood is quoted.
const firstWords = 120

// htmlText keeps the text of an HTML page: tags, scripts and styles go.
func htmlText(s string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(lower[i:], "<script"), strings.HasPrefix(lower[i:], "<style"):
			tag := "</script>"
			if strings.HasPrefix(lower[i:], "<style") {
				tag = "</style>"
			}
			end := strings.Index(lower[i:], tag)
			if end < 0 {
				return b.String()
			}
			i += end + len(tag)
		case s[i] == '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

// maxMessage bounds how much of an answer lands in an audit log.
const maxMessage = 300

// messageFrom extracts IPassan's message: error_description (OAuth style),
// error.message, error given as plain text, message, then the raw body.
func messageFrom(body []byte) string {
	o, err := object.DecodeObject(body)
	if err != nil {
		return clip(string(body))
	}
	text := func(v any, _ bool) string {
		s, _ := object.Text(v)
		return strings.TrimSpace(s)
	}
	if s := text(o.Path("error_description")); s != "" {
		return clip(s)
	}
	switch e, _ := o.Get("error"); v := e.(type) {
	case *object.Object:
		if s := text(v.Path("message")); s != "" {
			return clip(s)
		}
	case string:
		if s := strings.TrimSpace(v); s != "" {
			return clip(s)
		}
	}
	if s := text(o.Path("message")); s != "" {
		return clip(s)
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
