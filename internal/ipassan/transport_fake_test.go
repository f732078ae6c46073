package ipassan_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// The transport's guarantees against the fake IPassan's own misbehaviours
// (redirects, echoed credentials, odd expires_in, a create finished after
// the client gave up), next to the httptest stubs of transport_test.go.

// echoFake is the fake with one person, whose client logs in with the
// pasted secret (spaces around it included).
func echoFake(t *testing.T) (*fake.Server, *ipassan.Client) {
	t.Helper()
	f := fake.New(fake.Seed{
		Clients: []fake.Credential{{ClientID: clientID, ClientSecret: pastedSecret}},
		Bases: []fake.BaseSeed{{UUID: "b-1", Name: "hq", Sites: []fake.SiteSeed{
			{UUID: siteID, Name: "Main", Persons: []fake.Person{{UUID: "p-1", Lastname: "Bos"}}}}}},
	}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := ipassan.New(ipassan.Options{BaseURL: u, SiteID: siteID, ClientID: clientID, ClientSecret: secret.New(pastedSecret),
		Backoff: time.Millisecond, Redactor: secret.NewRedactor()})
	require.NoError(t, err)
	return f, c
}

// fakeRoutes names the fake's route of each call of calls.
var fakeRoutes = map[string]string{"GET": fake.RouteGet, "PUT": fake.RouteUpdate, "DELETE": fake.RouteDelete,
	"POST": fake.RouteCreate, "token": fake.RouteToken, "page": fake.RouteList}

func TestFakeRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	port := other.URL[strings.LastIndexByte(other.URL, ':')+1:]
	for call, route := range fakeRoutes {
		for _, status := range []int{301, 302, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", call, status), func(t *testing.T) {
				t.Parallel()
				f, c := echoFake(t)
				if call != "token" {
					require.NoError(t, c.Authenticate(context.Background()))
				}
				f.AddFault(fake.Fault{Route: route, Status: status, Location: "http://{host}:" + port + "{path}"})
				err := calls[call].run(context.Background(), c)
				require.ErrorIs(t, err, ipassan.ErrProtocol)
				assert.Contains(t, err.Error(), "redirects to http://127.0.0.1:"+port+"/api/v1/")
				assert.Contains(t, err.Error(), "set baseUrl to http://127.0.0.1:"+port)
				assert.Equal(t, 1, f.Count(route), "sent once, not retried")
			})
		}
	}
	t.Cleanup(func() { assert.Zero(t, elsewhere.Load(), "nothing reached the place a redirect pointed to") })
}

func TestFakeEchoesShowNoSecret(t *testing.T) {
	t.Parallel()
	bodies := []string{
		`{"error":{"message":"bad secret {secret}"}}`,
		`{"error":{"message":"bad secret {secret:trimmed}"}}`,
		`{"error":{"message":"bad secret {secret:json}"}}`,
		`{"error":"client_secret={secret:percent}"}`,
		`{"error":"client_secret={secret:PERCENT}"}`,
		`{"error_description":"{pad:290} {secret:json} and more"}`,
		`{"error_description":"{pad:295} {secret:trimmed} and more"}`,
		`{"error":{"message":"token {token} refused"}}`,
		`{"error":"Bearer {token:json}"}`,
		`<html><body>{pad:280} Authorization: Bearer {token:percent}</body></html>`,
	}
	for call, route := range fakeRoutes {
		for _, status := range []int{200, 400, 401, 500} {
			for _, body := range bodies {
				if call == "token" && strings.Contains(body, "{token") {
					continue // the token request carries no token to echo
				}
				t.Run(fmt.Sprintf("%s %d %s", call, status, body), func(t *testing.T) {
					t.Parallel()
					f, c := echoFake(t)
					require.NoError(t, c.Authenticate(context.Background()))
					f.AddFault(fake.Fault{Route: route, Status: status, Body: body})
					err := calls[call].run(context.Background(), c)
					if err == nil {
						return // a 2xx the client could use (a PUT, a DELETE): nothing to show
					}
					if l := leak(err.Error()); l != "" {
						t.Errorf("%s shows %q", err, l)
					}
					assert.NotContains(t, err.Error(), "fake-", "no token")
				})
			}
		}
	}
}

func TestFakeOddExpiresInServesTheActionWithOneToken(t *testing.T) {
	t.Parallel()
	for _, expiresIn := range []string{"absent", "null", "-5", "0", `"soon"`, "1733000000000", "1e400", "99999999999999999999", `"3600"`} {
		t.Run(expiresIn, func(t *testing.T) {
			t.Parallel()
			f, c := echoFake(t)
			f.AddFault(fake.Fault{Route: fake.RouteToken, ExpiresIn: expiresIn})
			for range 21 {
				_, err := c.GetPerson(context.Background(), "p-1")
				require.NoError(t, err)
			}
			assert.Equal(t, 1, f.Count(fake.RouteToken), "one token for 21 calls")
		})
	}
}

// TestFakeCreateFinishedAfterTheClientGaveUp: the server completes a create
// the client stopped waiting for; the client never sends it again, and says
// the outcome is open.
func TestFakeCreateFinishedAfterTheClientGaveUp(t *testing.T) {
	t.Parallel()
	f, _ := echoFake(t)
	f.AddFault(fake.Fault{Route: fake.RouteCreate, Delay: 300 * time.Millisecond, Complete: true, Times: 1})
	short := newShortClient(t, f)
	var form ipassan.Form
	form.Set("lastname", "Jansen")
	_, err := short.CreatePerson(context.Background(), form)
	require.ErrorIs(t, err, ipassan.ErrTimeout)
	assert.True(t, ipassan.Ambiguous(err), "the create may have happened: search before sending another")
	assert.Equal(t, 1, f.Count(fake.RouteCreate), "never sent twice")
	assert.Eventually(t, func() bool { return len(f.Persons(siteID)) == 2 }, 2*time.Second, 20*time.Millisecond,
		"the server finished the create the client gave up on")
}

func newShortClient(t *testing.T, f *fake.Server) *ipassan.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := ipassan.New(ipassan.Options{BaseURL: u, SiteID: siteID, ClientID: clientID, ClientSecret: secret.New(pastedSecret),
		RequestTimeout: 100 * time.Millisecond, Backoff: time.Millisecond, Redactor: secret.NewRedactor()})
	require.NoError(t, err)
	return c
}
