package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Routes, as faults and request counts name them.
const (
	RouteToken  = "token"
	RouteList   = "list"   // GET persons of a site
	RouteGet    = "get"    // GET one person
	RouteCreate = "create" // POST a person
	RouteUpdate = "update" // PUT a person
	RouteDelete = "delete" // DELETE a person
	RouteBases  = "bases"
	RouteSites  = "sites"
)

// IsWrite reports whether a route changes persons.
func IsWrite(route string) bool {
	return route == RouteCreate || route == RouteUpdate || route == RouteDelete
}

// Fault is a misbehaviour injected into the next Times requests of a route.
// Faults apply in the order added; a request meets at most one, which may
// combine several of the fields below. As JSON (POST /_fake/faults) the
// fields are named as their tags say, durations in nanoseconds:
//
//	{"route": "list", "offset": 49, "times": 1, "insert": {"lastname": "New"}}
//	{"route": "get", "status": 404, "contentType": "text/html", "body": "<html><h1>Not Found</h1></html>"}
//	{"route": "create", "delay": 11000000000, "complete": true, "visibleAfter": 2000000000}
//	{"route": "update", "status": 400, "body": "{\"error\":{\"message\":\"bad secret {secret:json}\"}}"}
//	{"route": "token", "expiresIn": "1733000000000"}
type Fault struct {
	Route string `json:"route"` // a Route… constant, or "*" for any
	Times int    `json:"times"` // how many requests it hits; 0 means every one
	// Offset limits the fault to the list request for this offset, as the
	// client asked it (the "p" of an opaque cursor ignored). Nil: any page.
	Offset *int `json:"offset,omitempty"`

	// An answer instead of the work: nothing is done.
	Status      int    `json:"status,omitempty"`      // answer this status (a 2xx too) and do nothing
	RetryAfter  string `json:"retryAfter,omitempty"`  // with this Retry-After header
	Body        string `json:"body,omitempty"`        // and this body (default: IPassan's error JSON); see ExpandBody for its placeholders
	ContentType string `json:"contentType,omitempty"` // of Body (default application/json), e.g. text/html for a proxy's page
	EmptyBody   bool   `json:"emptyBody,omitempty"`   // answer Status with no body at all (a gateway's bare 429), not IPassan's error JSON
	Location    string `json:"location,omitempty"`    // a Location header, for a 3xx; see ExpandLocation

	// The connection.
	Drop         bool          `json:"drop,omitempty"`         // close the connection before doing anything
	LoseReply    bool          `json:"loseReply,omitempty"`    // do the work, then close the connection unanswered
	Garbage      bool          `json:"garbage,omitempty"`      // do the work, then answer 200 with broken JSON
	Delay        time.Duration `json:"delay,omitempty"`        // wait this long first; the request is abandoned when the client goes away, unless Complete
	RevokeTokens bool          `json:"revokeTokens,omitempty"` // invalidate every token first

	// A write finished by the server after the client gave up.
	Complete     bool          `json:"complete,omitempty"`     // wait the whole Delay and do the work even when the client has disconnected
	VisibleAfter time.Duration `json:"visibleAfter,omitempty"` // a write's effect shows in reads only this long after it is answered: a created person is listed and found only then, an update or delete applies only then

	// The site changing while it is read (list, usually with Offset): before
	// the page is answered, a person is added at position InsertAt (0 is the
	// first of the site) and/or the person at position RemoveAt is removed.
	Insert   *Person `json:"insert,omitempty"`   // a uuid is made when it has none (each time)
	InsertAt int     `json:"insertAt,omitempty"` // position of the added person
	RemoveAt *int    `json:"removeAt,omitempty"` // position of the removed person

	// Odd pages (list, bases, sites).
	EmptyPage bool            `json:"emptyPage,omitempty"` // no rows, but next_cursor as the page would have had it: the page's rows are skipped
	Row       json.RawMessage `json:"row,omitempty"`       // this JSON (null, 42, "x", {"firstname":"no uuid"}) replaces the row at RowAt (or comes last when the page is shorter)
	RowAt     int             `json:"rowAt,omitempty"`

	// Odd persons.
	AnswerAs        string `json:"answerAs,omitempty"`        // get: answer the stored person with this uuid instead of the one asked for
	AccessTypeShape string `json:"accessTypeShape,omitempty"` // get, list: write accessType in this shape (see AccessTypeShapes)

	// Odd tokens.
	ExpiresIn string `json:"expiresIn,omitempty"` // token: expires_in as this raw JSON (-5, "3600", 1733000000000, 1e400), or "absent" to leave it out
}

func (f *Fault) matches(route string, r *http.Request) bool {
	if f.Route != "*" && !strings.EqualFold(f.Route, route) {
		return false
	}
	if f.Offset != nil {
		offset, err := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("offset"), "p"))
		if err != nil {
			offset = 0
		}
		return offset == *f.Offset
	}
	return true
}

// At is an offset for Fault.Offset and a position for Fault.RemoveAt.
func At(n int) *int { return &n }

// AddFault queues a fault. Faults apply in the order added; a request meets at
// most one.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fc := f
	s.faults = append(s.faults, &fc)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the fault this request meets, if any, using one of its
// Times.
func (s *Server) takeFault(route string, r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(route, r) {
			continue
		}
		hit := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		if hit.RevokeTokens {
			s.tokens = map[string]issued{}
		}
		return &hit
	}
	return nil
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection
}

// Echoes are the values a body may echo (see ExpandBody).
type Echoes struct {
	Secret string // the client secret the request's client logged in with (as sent on the token request)
	Token  string // the bearer token the request carried
}

// ExpandBody fills a fault's Body, so that a server echoing credentials can
// be played in every spelling real ones use:
//
//	{secret}          the client secret as the client sent it
//	{token}           the request's bearer token
//	{secret:trimmed}  without surrounding white space (an admin pasted " s3cret ")
//	{secret:json}     JSON-escaped the PHP way: \/ for /, \uXXXX for all but ASCII
//	{secret:percent}  percent-encoded, lower-case hex, + for a space
//	{secret:PERCENT}  percent-encoded, upper-case hex, + for a space
//	{pad:N}           N times x: puts what follows past where a client cuts a long message
//
// and the same spellings of {token:…}. Anything else in braces stays as it is.
func ExpandBody(body string, e Echoes) string {
	if !strings.Contains(body, "{") {
		return body
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(body, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(body[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(body[:open])
		v, ok := placeholder(body[open+1:open+end], e)
		if !ok { // not a placeholder: the brace stays, and what follows is read on
			b.WriteByte('{')
			body = body[open+1:]
			continue
		}
		b.WriteString(v)
		body = body[open+end+1:]
	}
	b.WriteString(body)
	return b.String()
}

func placeholder(name string, e Echoes) (string, bool) {
	what, spelling, _ := strings.Cut(name, ":")
	var v string
	switch what {
	case "secret":
		v = e.Secret
	case "token":
		v = e.Token
	case "pad":
		n, err := strconv.Atoi(spelling)
		if err != nil || n < 0 || n > 1<<20 {
			return "", false
		}
		return strings.Repeat("x", n), true
	default:
		return "", false
	}
	switch spelling {
	case "":
		return v, true
	case "trimmed":
		return strings.TrimSpace(v), true
	case "json":
		return phpJSON(v), true
	case "percent":
		return lowerHex(url.QueryEscape(v)), true
	case "PERCENT":
		return url.QueryEscape(v), true
	}
	return "", false
}

// phpJSON escapes text as PHP's json_encode does by default, without the
// quotes: \/ for a slash and \uXXXX (UTF-16) for every non-ASCII character.
func phpJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r >= 0x7f:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lowerHex turns the %XX escapes of s to lower case.
func lowerHex(s string) string {
	out := []byte(s)
	for i := 0; i+2 < len(out); i++ {
		if out[i] == '%' {
			out[i+1] = toLower(out[i+1])
			out[i+2] = toLower(out[i+2])
		}
	}
	return string(out)
}

func toLower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ExpandLocation fills a fault's Location: {host} is the host the request
// went to without its port, {port} its port, {path} the request's path and
// query. "http://{host}:8081{path}" sends the client to plain http on
// another port of the same host.
func ExpandLocation(location string, r *http.Request) string {
	host, port := r.Host, ""
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host, port = host[:i], host[i+1:]
	}
	return strings.NewReplacer("{host}", host, "{port}", port, "{path}", r.URL.RequestURI()).Replace(location)
}
