package ipassan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// pastedSecret is a client secret as an admin pasted it, spaces around it
// included, holding every character encoders like to escape; echoToken is a
// bearer token in standard base64, which holds / + and =.
const (
	pastedSecret = `  Kx9/aB3+ Zoë<&>"\%🚪  `
	echoToken    = "tk/9+Qz=Ab.cD-eF_gH"
)

// spelling writes one character of a secret the way a server may echo it.
type spelling func(r rune) string

// spellings are the ways the contract names, written here independently of
// the Redactor: as sent, trimmed (see spelled), JSON-escaped as PHP writes it
// (\/ and \u in lower case), JSON with \u in upper case for < > & + / and
// every non-ASCII character, Go's JSON, percent-encoded in upper and lower
// case with + for a space, percent-encoded as a path, and HTML.
var spellings = map[string]spelling{
	"raw": func(r rune) string { return string(r) },
	"PHP JSON": func(r rune) string {
		switch {
		case r == '/':
			return `\/`
		case r == '"' || r == '\\':
			return `\` + string(r)
		case r > 0x7E:
			return uEscape(r, "%04x")
		}
		return string(r)
	},
	"JSON upper": func(r rune) string {
		switch {
		case r == '"' || r == '\\':
			return `\` + string(r)
		case r > 0x7E || strings.ContainsRune("<>&+/", r):
			return uEscape(r, "%04X")
		}
		return string(r)
	},
	"Go JSON":       func(r rune) string { b, _ := json.Marshal(string(r)); return string(b[1 : len(b)-1]) },
	"percent upper": func(r rune) string { return url.QueryEscape(string(r)) },
	"percent lower": func(r rune) string {
		s := url.QueryEscape(string(r))
		if strings.HasPrefix(s, "%") {
			return strings.ToLower(s)
		}
		return s
	},
	"percent path": func(r rune) string { return url.PathEscape(string(r)) },
	"HTML":         func(r rune) string { return html.EscapeString(string(r)) },
}

func uEscape(r rune, format string) string {
	if r > 0xFFFF {
		r -= 0x10000
		return `\u` + fmt.Sprintf(format, 0xD800+(r>>10)) + `\u` + fmt.Sprintf(format, 0xDC00+(r&0x3FF))
	}
	return `\u` + fmt.Sprintf(format, r)
}

// spelled is value written in sp, one unit per character.
func spelled(value string, sp spelling) []string {
	var units []string
	for _, r := range value {
		units = append(units, sp(r))
	}
	return units
}

// secretForms are the values a server may echo: the secret as sent, the
// secret trimmed, the token.
var secretForms = []string{pastedSecret, strings.TrimSpace(pastedSecret), echoToken}

// leakForms are, for every value and spelling, the whole spelled value and
// each way of cutting it after three characters or more (a cut may fall
// inside a character's escape), computed once.
var leakForms = sync.OnceValues(func() (wholes, heads []string) {
	for _, v := range secretForms {
		for _, sp := range spellings {
			units := spelled(v, sp)
			wholes = append(wholes, strings.Join(units, ""))
			for n := 3; n < len(units); n++ {
				head := strings.Join(units[:n], "")
				for cut := 0; cut < len(units[n]); cut++ {
					heads = append(heads, head+units[n][:cut])
				}
			}
		}
	}
	return wholes, heads
})

// leak returns a spelling of the secret or the token found in out, whole or
// cut short before an ellipsis, or "".
func leak(out string) string {
	wholes, heads := leakForms()
	for _, w := range wholes {
		if strings.Contains(out, w) {
			return w
		}
	}
	for _, ellipsis := range []string{"…", "..."} {
		for rest := out; ; {
			i := strings.Index(rest, ellipsis)
			if i < 0 {
				break
			}
			for _, h := range heads {
				if strings.HasSuffix(rest[:i], h) {
					return h + ellipsis
				}
			}
			rest = rest[i+1:]
		}
	}
	return ""
}

// echo is what the echoing server answers the call under test.
type echo struct {
	status   int
	body     string
	location string
}

// echoServer answers the token request with echoToken and the call under
// test with the current echo.
type echoServer struct {
	*stub
	now    atomic.Pointer[echo]
	target atomic.Pointer[string] // "METHOD path" of the call under test
}

func newEchoServer(t testing.TB) *echoServer {
	e := &echoServer{}
	e.stub = &stub{hits: map[string]int{}}
	e.handle = func(w http.ResponseWriter, r *http.Request) {
		if target := e.target.Load(); target != nil && *target == r.Method+" "+r.URL.Path {
			ans := e.now.Load()
			if ans.location != "" {
				w.Header().Set("Location", ans.location)
			}
			w.WriteHeader(ans.status)
			_, _ = io.WriteString(w, ans.body)
			return
		}
		if r.URL.Path == "/api/v1/token" {
			_, _ = io.WriteString(w, `{"access_token":"`+echoToken+`","expires_in":3600}`)
			return
		}
		person(w, r)
	}
	e.srv = newStubServer(t, e.stub)
	return e
}

// run sends call against ans and returns every text the client produced: the
// error, and its logs as written, without any redacting writer of its own.
func (e *echoServer) run(c *ipassan.Client, logs *bytes.Buffer, call string, ans echo) string {
	target := calls[call].method + " " + calls[call].path
	e.target.Store(&target)
	e.now.Store(&ans)
	logs.Reset()
	err := calls[call].run(context.Background(), c)
	if err != nil {
		return err.Error() + "\n" + logs.String()
	}
	return logs.String()
}

func (e *echoServer) newClient(t testing.TB, logs *bytes.Buffer) *ipassan.Client {
	u, _ := url.Parse(e.srv.URL)
	c, err := ipassan.New(ipassan.Options{BaseURL: u, SiteID: siteID, ClientID: clientID, ClientSecret: secret.New(pastedSecret),
		Attempts: 1, Redactor: secret.NewRedactor(), Logger: zerolog.New(logs).Level(zerolog.DebugLevel)})
	require.NoError(t, err)
	return c
}

// shapes wrap an echo into an answer body the way servers write errors.
var shapes = map[string]func(string) string{
	"error_description": func(s string) string { return `{"error":"invalid_client","error_description":"` + s + `"}` },
	"error.message":     func(s string) string { return `{"error":{"message":"` + s + `"}}` },
	"error as text":     func(s string) string { return `{"error":"` + s + `"}` },
	"raw text":          func(s string) string { return s },
	"HTML page":         func(s string) string { return "<html><body><h1>Bad Request</h1><p>" + s + "</p></body></html>" },
}

// TestNoSecretInAnyMessage: whatever a server echoes of the client secret or
// a bearer token, in any spelling, in any of the shapes error answers take,
// for any call and status, no message the client builds shows it.
func TestNoSecretInAnyMessage(t *testing.T) {
	t.Parallel()
	e := newEchoServer(t)
	var logs bytes.Buffer
	c := e.newClient(t, &logs)
	require.NoError(t, c.Authenticate(context.Background()), "the client learns the token")
	for _, v := range secretForms {
		for spName, sp := range spellings {
			echoed := "echo: " + strings.Join(spelled(v, sp), "") + " :end"
			for shapeName, shape := range shapes {
				for _, tc := range []struct {
					call   string
					status int
				}{{"GET", 400}, {"token", 401}, {"DELETE", 500}, {"GET", 200}, {"page", 200}, {"POST", 200}, {"PUT", 302}} {
					ans := echo{status: tc.status, body: shape(echoed)}
					if tc.status == 302 {
						ans.location = "https://elsewhere.example/" + strings.Join(spelled(v, sp), "")
					}
					out := e.run(c, &logs, tc.call, ans)
					if l := leak(out); l != "" {
						t.Errorf("%s %s in %s, %s answered %d: %s shows %q", v, spName, shapeName, tc.call, tc.status, out, l)
					}
				}
			}
		}
	}
}

// maxMessageRunes is where the client cuts a message from an answer.
const maxMessageRunes = 300

// TestNoSecretInAMessageCutShort: a long message is cut at some point; where
// the cut falls inside the echoed secret, none of it shows (it was masked
// before the cut), whatever the spelling.
func TestNoSecretInAMessageCutShort(t *testing.T) {
	t.Parallel()
	for _, v := range secretForms {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			noSecretInAMessageCutShort(t, v)
		})
	}
}

func noSecretInAMessageCutShort(t *testing.T, v string) {
	e := newEchoServer(t)
	var logs bytes.Buffer
	c := e.newClient(t, &logs)
	for spName, sp := range spellings {
		whole := strings.Join(spelled(v, sp), "")
		for shapeName, shape := range map[string]func(string) string{"error_description": shapes["error_description"], "raw text": shapes["raw text"]} {
			// The cut falls on the message, which is the decoded text when
			// the shape is JSON: try every cut across the secret in it.
			inMessage := whole
			if shapeName != "raw text" {
				_ = json.Unmarshal([]byte(`"`+whole+`"`), &inMessage)
			}
			for pad := maxMessageRunes - utf8.RuneCountInString(inMessage) - 2; pad <= maxMessageRunes; pad++ {
				body := shape(strings.Repeat("x", pad) + " " + whole + " and more")
				out := e.run(c, &logs, "GET", echo{status: 400, body: body})
				if l := leak(out); l != "" {
					t.Errorf("%s padded %d in %s: shows %q in %s", spName, pad, shapeName, l, out)
				}
			}
		}
	}
}

// FuzzNoSecretInMessages: any message the client builds from an answer whose
// body holds the client secret (as pasted or trimmed) or the bearer token, in
// any of the spellings, mixed into arbitrary text at arbitrary length, for
// any call and status, shows neither, whole or cut short. The seeds are the
// cases above; make fuzz runs it further.
func FuzzNoSecretInMessages(f *testing.F) {
	names := slices.Sorted(maps.Keys(spellings))
	shapeNames := slices.Sorted(maps.Keys(shapes))
	callNames := []string{"GET", "page", "POST", "PUT", "DELETE", "token"}
	statuses := []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 200, 301, 302, 307}
	for v := range secretForms {
		for sp := range names {
			seed := v*len(names) + sp
			f.Add("IPassan says: bad credentials ", uint8(v), uint8(sp), uint8(seed%len(shapeNames)), uint8(seed%len(callNames)),
				uint8(seed%len(statuses)), uint16(29), uint16(0))
			f.Add("x", uint8(v), uint8(sp), uint8(seed%len(shapeNames)), uint8(0), uint8(0), uint16(1), uint16(maxMessageRunes-10-seed%7))
		}
	}
	e := newEchoServer(f)
	var logs bytes.Buffer
	c := e.newClient(f, &logs)
	f.Fuzz(func(t *testing.T, text string, value, spell, shape, call, status uint8, at, pad uint16) {
		v := secretForms[int(value)%len(secretForms)]
		whole := strings.Join(spelled(v, spellings[names[int(spell)%len(names)]]), "")
		cut := int(at) % (len(text) + 1)
		body := text[:cut] + strings.Repeat("x", int(pad)%1000) + whole + text[cut:]
		ans := echo{status: statuses[int(status)%len(statuses)], body: shapes[shapeNames[int(shape)%len(shapeNames)]](body)}
		if ans.status >= 300 && ans.status < 400 {
			ans.location = "https://elsewhere.example/" + whole
		}
		name := callNames[int(call)%len(callNames)]
		out := e.run(c, &logs, name, ans)
		if l := leak(out); l != "" {
			t.Fatalf("%s answered %d with %q: the client shows %q in %s", name, ans.status, ans.body, l, out)
		}
	})
}
