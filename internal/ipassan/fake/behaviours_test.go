package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	person1 = "c0a80101-0000-4000-8000-000000000001"
	person2 = "c0a80101-0000-4000-8000-000000000002"
	secret  = "demo-secret-not-for-production"
)

// raw sends a request and returns the status, the headers and the body.
func raw(t *testing.T, c *http.Client, srvURL, tok, method, path, form string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srvURL+"/api/v1"+path, strings.NewReader(form))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func page(t *testing.T, srvURL, tok, query string) (data []json.RawMessage, next any) {
	t.Helper()
	status, _, body := raw(t, http.DefaultClient, srvURL, tok, "GET", "/access/site/"+demoSite+"/person?"+query, "")
	require.Equal(t, 200, status, body)
	var p struct {
		Data []json.RawMessage `json:"data"`
		Next any               `json:"next_cursor"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &p))
	return p.Data, p.Next
}

func uuids(t *testing.T, rows []json.RawMessage) []string {
	var out []string
	for _, r := range rows {
		var p struct{ UUID string }
		require.NoError(t, json.Unmarshal(r, &p))
		out = append(out, p.UUID)
	}
	return out
}

func TestFaultsChangeTheSiteWhenAPageIsAsked(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{MaxPageSize: 2})
	tok := token(t, srv)
	f.AddFault(Fault{Route: RouteList, Offset: At(1), Times: 1, Insert: &Person{UUID: "new-1", Lastname: "New"}})
	f.AddFault(Fault{Route: RouteList, Offset: At(3), Times: 1, RemoveAt: At(0)})

	rows, _ := page(t, srv.URL, tok, "limit=2&offset=0")
	assert.Equal(t, []string{person1, person2}, uuids(t, rows), "another offset: untouched")
	rows, next := page(t, srv.URL, tok, "limit=2&offset=1")
	assert.Equal(t, []string{person1, person2}, uuids(t, rows), "new-1 went first, so offset 1 is what offset 0 was")
	assert.Equal(t, float64(3), next)
	rows, _ = page(t, srv.URL, tok, "limit=2&offset=1")
	assert.Equal(t, []string{person1, person2}, uuids(t, rows), "once: the site stays as it became")
	rows, _ = page(t, srv.URL, tok, "limit=2&offset=3")
	assert.Equal(t, []string{"c0a80101-0000-4000-8000-000000000004"}, uuids(t, rows), "new-1 removed: everything moved back one")
	assert.Len(t, f.Persons(demoSite), 4)

	f.AddFault(Fault{Route: RouteList, Offset: At(0), Insert: &Person{Lastname: "Again"}})
	page(t, srv.URL, tok, "limit=2")
	page(t, srv.URL, tok, "limit=2&offset=0")
	assert.Len(t, f.Persons(demoSite), 6, "every time, each with a uuid of its own")
}

func TestFaultsMakeOddPages(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{MaxPageSize: 3})
	tok := token(t, srv)
	f.AddFault(Fault{Route: RouteList, Offset: At(0), Times: 1, EmptyPage: true})
	rows, next := page(t, srv.URL, tok, "limit=3&offset=0")
	assert.Empty(t, rows)
	assert.Equal(t, float64(3), next, "the cursor the page would have had")

	for _, odd := range []string{`null`, `42`, `"x"`, `{"firstname":"no uuid"}`} {
		f.AddFault(Fault{Route: RouteList, Times: 1, Row: json.RawMessage(odd), RowAt: 1})
		rows, _ = page(t, srv.URL, tok, "limit=3")
		require.Len(t, rows, 3)
		assert.JSONEq(t, odd, string(rows[1]))
	}
	f.AddFault(Fault{Route: RouteList, Times: 1, Row: json.RawMessage(`null`), RowAt: 9})
	rows, _ = page(t, srv.URL, tok, "limit=3&offset=3")
	assert.Equal(t, "null", string(rows[len(rows)-1]), "past the end of a short page it comes last")
}

func TestFaultsAnswerErrorsAndPages(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{})
	tok := token(t, srv)
	path := "/access/site/" + demoSite + "/person/" + person1
	f.AddFault(Fault{Route: RouteUpdate, Times: 1, Status: 200, Body: `{"success":false,"message":"Database unavailable"}`})
	status, _, body := raw(t, http.DefaultClient, srv.URL, tok, "PUT", path, "lastname=Changed")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"success":false,"message":"Database unavailable"}`, body)
	p, _ := f.Person(demoSite, person1)
	assert.Equal(t, "de Vries", p.Lastname, "an answer instead of the work: nothing changed")

	f.AddFault(Fault{Route: RouteDelete, Times: 1, Status: 404, ContentType: "text/html", Body: "<html><h1>404 Not Found</h1></html>"})
	status, header, body := raw(t, http.DefaultClient, srv.URL, tok, "DELETE", path, "")
	assert.Equal(t, 404, status)
	assert.Equal(t, "text/html", header.Get("Content-Type"))
	assert.Contains(t, body, "<h1>404 Not Found</h1>")
	_, ok := f.Person(demoSite, person1)
	assert.True(t, ok)

	f.AddFault(Fault{Route: RouteGet, Times: 1, AnswerAs: person2})
	_, _, body = raw(t, http.DefaultClient, srv.URL, tok, "GET", path, "")
	assert.Contains(t, body, `"uuid":"`+person2+`"`, "another person's record")

	f.AddFault(Fault{Route: RouteGet, Times: 1, Status: 301, Location: "http://{host}:8081{path}"})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status, header, _ = raw(t, noFollow, srv.URL, tok, "GET", path+"?x=1", "")
	assert.Equal(t, 301, status)
	u, _ := url.Parse(srv.URL)
	assert.Equal(t, "http://"+u.Hostname()+":8081/api/v1"+path+"?x=1", header.Get("Location"))
	assert.Equal(t, 1, f.Count(RouteUpdate))
	assert.Equal(t, 1, f.Count(RouteDelete))
	assert.Equal(t, 2, f.Count(RouteGet))
	assert.Equal(t, 2, f.Writes(), "answered or not, a write is counted")

	// A gateway's bare 429: no body at all, not IPassan's error JSON.
	f.AddFault(Fault{Route: RouteCreate, Times: 1, Status: 429, EmptyBody: true})
	status, _, body = raw(t, http.DefaultClient, srv.URL, tok, "POST", "/access/site/"+demoSite+"/person", "lastname=New")
	assert.Equal(t, 429, status)
	assert.Empty(t, body)
}

func TestFaultsShapeAccessTypes(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{})
	tok := token(t, srv)
	path := "/access/site/" + demoSite + "/person/" + person1
	for _, shape := range ShapeNames() {
		f.AddFault(Fault{Route: RouteGet, Times: 1, AccessTypeShape: shape})
		status, _, body := raw(t, http.DefaultClient, srv.URL, tok, "GET", path, "")
		require.Equal(t, 200, status, shape)
		var p map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &p), shape)
		at, present := p["accessType"]
		switch shape {
		case "absent":
			assert.False(t, present)
		case "null":
			assert.Nil(t, at)
		case "list":
			assert.Equal(t, []any{map[string]any{"type": "doorPermanent", "uuid": "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51"}}, at)
		case "snakeCase":
			assert.Equal(t, "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51", at.(map[string]any)["door_permanent"])
		case "caseTwins":
			assert.Contains(t, at, "DOORPERMANENT")
			assert.Contains(t, at, "doorPermanent")
		case "number":
			assert.Equal(t, float64(42), at.(map[string]any)["doorPermanent"])
		case "text":
			assert.Equal(t, "doorPermanent=a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51", at)
		default:
			assert.True(t, present, shape)
		}
	}
	f.AddFault(Fault{Route: RouteList, Times: 1, AccessTypeShape: "absent"})
	rows, _ := page(t, srv.URL, tok, "")
	for _, r := range rows {
		assert.NotContains(t, string(r), "accessType")
	}
}

// A real server finishes a write the client stopped waiting for; the fake
// does too when told, and may show it only later.
func TestWritesCompletedAfterTheClientGaveUp(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{})
	tok := token(t, srv)
	impatient := &http.Client{Timeout: 30 * time.Millisecond}
	persons := "/access/site/" + demoSite + "/person"

	f.AddFault(Fault{Route: RouteCreate, Times: 1, Delay: 150 * time.Millisecond})
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1"+persons, strings.NewReader("lastname=Abandoned"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err := impatient.Do(req)
	require.Error(t, err)

	f.AddFault(Fault{Route: RouteCreate, Times: 1, Delay: 150 * time.Millisecond, Complete: true, VisibleAfter: 300 * time.Millisecond})
	req, _ = http.NewRequest("POST", srv.URL+"/api/v1"+persons, strings.NewReader("lastname=Finished"))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err = impatient.Do(req)
	require.Error(t, err, "the client gave up")

	stored := func(lastname string) bool {
		for _, p := range f.Persons(demoSite) {
			if p.Lastname == lastname {
				return true
			}
		}
		return false
	}
	listed := func(lastname string) bool {
		rows, _ := page(t, srv.URL, tok, "limit=100")
		return strings.Contains(string(rawList(rows).mustJSON()), `"lastname":"`+lastname+`"`)
	}
	require.Eventually(t, func() bool { return stored("Finished") }, 2*time.Second, 10*time.Millisecond, "done after the delay")
	assert.False(t, listed("Finished"), "not visible yet")
	require.Eventually(t, func() bool { return listed("Finished") }, 2*time.Second, 20*time.Millisecond, "visible later")
	assert.False(t, stored("Abandoned"), "without Complete the request is abandoned, as before")

	f.AddFault(Fault{Route: RouteDelete, Times: 1, VisibleAfter: 200 * time.Millisecond})
	status, _, _ := raw(t, http.DefaultClient, srv.URL, tok, "DELETE", persons+"/"+person1, "")
	assert.Equal(t, 200, status)
	_, still := f.Person(demoSite, person1)
	assert.True(t, still, "the delete shows only later")
	require.Eventually(t, func() bool { _, ok := f.Person(demoSite, person1); return !ok }, 2*time.Second, 10*time.Millisecond)

	f.AddFault(Fault{Route: RouteUpdate, Times: 1, VisibleAfter: 200 * time.Millisecond})
	status, _, body := raw(t, http.DefaultClient, srv.URL, tok, "PUT", persons+"/"+person2, "lastname=Later")
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `"lastname":"Later"`, "answered as done")
	p, _ := f.Person(demoSite, person2)
	assert.Equal(t, "El Amrani", p.Lastname)
	require.Eventually(t, func() bool { p, _ := f.Person(demoSite, person2); return p.Lastname == "Later" }, 2*time.Second, 10*time.Millisecond)
}

func (l rawList) mustJSON() []byte {
	b, _ := l.MarshalJSON()
	return b
}

func TestBodiesEchoCredentialsInEverySpelling(t *testing.T) {
	t.Parallel()
	e := Echoes{Secret: " s3/crét+&x ", Token: "fake-abc/def"}
	for in, want := range map[string]string{
		"{secret}":         " s3/crét+&x ",
		"{secret:trimmed}": "s3/crét+&x",
		"{secret:json}":    ` s3\/cr\u00e9t+&x `,
		"{secret:percent}": "+s3%2fcr%c3%a9t%2b%26x+",
		"{secret:PERCENT}": "+s3%2Fcr%C3%A9t%2B%26x+",
		"{token:json}":     `fake-abc\/def`,
		"{pad:5}{token}":   "xxxxxfake-abc/def",
		"{nothing} {pad}":  "{nothing} {pad}",
		`{"a":1}`:          `{"a":1}`,
	} {
		assert.Equal(t, want, ExpandBody(in, e), in)
	}
	assert.Equal(t, `\ud83d\udeaa`, phpJSON("🚪"))

	f, srv := start(t, Options{})
	tok := token(t, srv)
	f.AddFault(Fault{Route: RouteGet, Times: 1, Status: 400, Body: `{"error":{"message":"token {token} secret {secret:json}"}}`})
	_, _, body := raw(t, http.DefaultClient, srv.URL, tok, "GET", "/access/site/"+demoSite+"/person/"+person1, "")
	assert.Equal(t, `{"error":{"message":"token `+tok+` secret demo-secret-not-for-production"}}`, body)

	f.AddFault(Fault{Route: RouteToken, Times: 1, Status: 401, Body: `{"error":"invalid_client","error_description":"bad {secret:PERCENT}"}`})
	resp, err := http.PostForm(srv.URL+"/api/v1/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"all"},
		"client_id": {"demo-client"}, "client_secret": {"a b/c"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), "bad a+b%2Fc", "the secret as this request sent it")
}

func TestTokenAnswersWithOddExpiresIn(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{})
	for _, v := range []string{`-5`, `"3600"`, `"soon"`, `1733000000000`, `1e400`, `99999999999999999999999`, "absent"} {
		f.AddFault(Fault{Route: RouteToken, Times: 1, ExpiresIn: v})
		resp, err := http.PostForm(srv.URL+"/api/v1/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"all"},
			"client_id": {"demo-client"}, "client_secret": {secret}})
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var tok map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(b, &tok), v)
		if v == "absent" {
			assert.NotContains(t, tok, "expires_in")
		} else {
			assert.Equal(t, v, string(tok["expires_in"]))
		}
		var access string
		require.NoError(t, json.Unmarshal(tok["access_token"], &access))
		status, _ := call(t, srv, access, "GET", "/access/site/"+demoSite+"/person", "")
		assert.Equal(t, 200, status, "the token works whatever expires_in says")
	}
}

func TestFaultsAsJSON(t *testing.T) {
	t.Parallel()
	f, srv := start(t, Options{})
	post := func(body string) (int, string) {
		resp, err := http.Post(srv.URL+"/_fake/faults", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, _ := post(`[{"route":"list","offset":49,"times":1,"insert":{"lastname":"New"}},
		{"route":"get","status":404,"contentType":"text/html","body":"<h1>Not Found</h1>"},
		{"route":"create","delay":11000000000,"complete":true,"visibleAfter":2000000000},
		{"route":"token","expiresIn":"1733000000000"},
		{"route":"list","row":null,"rowAt":3},
		{"route":"get","accessTypeShape":"caseTwins","answerAs":"x"}]`)
	assert.Equal(t, 204, status)
	faults := f.Faults()
	require.Len(t, faults, 6)
	assert.Equal(t, 49, *faults[0].Offset)
	assert.Equal(t, "New", faults[0].Insert.Lastname)
	assert.Equal(t, 11*time.Second, faults[2].Delay)

	for body, says := range map[string]string{
		`{"route":"get","stauts":500}`:             `unknown field "stauts"`,
		`{"route":"nowhere"}`:                      `fault route "nowhere" is none of`,
		`{"route":"get","accessTypeShape":"odd"}`:  `fault accessTypeShape "odd" is none of absent, caseTwins`,
		`{"route":"token","expiresIn":"not json"}`: `must be JSON or absent`,
		`{"route":"list","times":-1}`:              "times must be 0",
		`not json`:                                 "a fault is a JSON object",
	} {
		status, answer := post(body)
		assert.Equal(t, 400, status, body)
		var e struct{ Error struct{ Message string } }
		require.NoError(t, json.Unmarshal([]byte(answer), &e))
		assert.Contains(t, e.Error.Message, says, body)
	}
	resp, err := http.Get(srv.URL + "/_fake/faults")
	require.NoError(t, err)
	var listed []Fault
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&listed))
	resp.Body.Close()
	assert.Len(t, listed, 6)
}
