package ipassan_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    fake.Fault
		call     string // get, update, create, delete
		ok       bool
		requests int // on the faulted route
		kind     error
	}{
		{"429 without Retry-After", fake.Fault{Route: fake.RouteGet, Status: 429, Times: 1}, "get", true, 2, nil},
		{"429 with Retry-After 0", fake.Fault{Route: fake.RouteGet, Status: 429, RetryAfter: "0", Times: 2}, "get", true, 3, nil},
		{"503 burst within the attempts", fake.Fault{Route: fake.RouteGet, Status: 503, Times: 3}, "get", true, 4, nil},
		{"503 burst beyond the attempts", fake.Fault{Route: fake.RouteGet, Status: 503, Times: 4}, "get", false, 4, ipassan.ErrTransient},
		{"502 and 504 too", fake.Fault{Route: fake.RouteUpdate, Status: 502, Times: 1}, "update", true, 2, nil},
		{"408 too", fake.Fault{Route: fake.RouteDelete, Status: 408, Times: 1}, "delete", true, 2, nil},
		{"500 is not retried", fake.Fault{Route: fake.RouteGet, Status: 500, Times: 1}, "get", false, 1, ipassan.ErrServer},
		{"400 is not retried", fake.Fault{Route: fake.RouteUpdate, Status: 400, Times: 1}, "update", false, 1, ipassan.ErrValidation},
		{"PUT whose reply was lost is repeated", fake.Fault{Route: fake.RouteUpdate, LoseReply: true, Times: 1}, "update", true, 2, nil},
		{"DELETE dropped before the write is repeated", fake.Fault{Route: fake.RouteDelete, Drop: true, Times: 1}, "delete", true, 2, nil},
		{"POST 503 is never repeated", fake.Fault{Route: fake.RouteCreate, Status: 503, Times: 1}, "create", false, 1, ipassan.ErrTransient},
		{"POST reply lost is never repeated", fake.Fault{Route: fake.RouteCreate, LoseReply: true, Times: 1}, "create", false, 1, ipassan.ErrTransient},
		{"POST 429 is repeated: nothing was created", fake.Fault{Route: fake.RouteCreate, Status: 429, Times: 1}, "create", true, 2, nil},
		{"token 503 is repeated", fake.Fault{Route: fake.RouteToken, Status: 503, Times: 2}, "get", true, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
			h.fake.AddFault(tt.fault)
			ctx := context.Background()
			var err error
			var form ipassan.Form
			form.Set("lastname", "Jansen")
			switch tt.call {
			case "get":
				_, err = h.client.GetPerson(ctx, "p-1")
			case "update":
				_, _, err = h.client.UpdatePerson(ctx, "p-1", form)
			case "delete":
				err = h.client.DeletePerson(ctx, "p-1")
			case "create":
				_, err = h.client.CreatePerson(ctx, form)
			}
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.kind)
			}
			assert.Equal(t, tt.requests, h.fake.Count(tt.fault.Route))
			if tt.call == "create" {
				created := len(h.fake.Persons(siteID)) - 1
				if tt.fault.LoseReply {
					assert.True(t, ipassan.Ambiguous(err), "a lost reply leaves the create's outcome open")
					assert.Equal(t, 1, created)
				} else if !tt.ok {
					assert.Equal(t, 0, created)
				}
			}
		})
	}
}

// Retry-After and the deadline are tested without waiting in
// transport_internal_test.go (TestRetryWaits).

func TestDeadlineNamesTheRequest(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	require.NoError(t, h.client.Authenticate(context.Background()))
	h.fake.AddFault(fake.Fault{Route: fake.RouteGet, Delay: 5 * time.Second, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan string)
	go func() {
		time.Sleep(150 * time.Millisecond)
		done <- h.client.Activity()
	}()
	start := time.Now()
	_, err := h.client.GetPerson(ctx, "p-1")
	require.ErrorIs(t, err, ipassan.ErrTimeout)
	assert.Less(t, time.Since(start), time.Second)
	assert.Contains(t, err.Error(), "GET /api/v1/access/site/"+siteID+"/person/p-1")
	assert.Contains(t, err.Error(), "no answer before the action's deadline")
	assert.Equal(t, "GET /api/v1/access/site/"+siteID+"/person/p-1", <-done)
	assert.Empty(t, h.client.Activity())
}

func TestNothingListeningIsNotSentAndRetried(t *testing.T) {
	h := newHarness(t, fake.Options{})
	c := h.newClient(t, ipassan.Options{BaseURL: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}})
	var form ipassan.Form
	form.Set("lastname", "X")
	_, err := c.CreatePerson(context.Background(), form)
	require.ErrorIs(t, err, ipassan.ErrTransient)
	assert.False(t, ipassan.Ambiguous(err), "a refused connection created nothing")
	assert.True(t, strings.Contains(err.Error(), "after 4 attempts"), err.Error())
	assert.EqualValues(t, 4, c.Requests(), "the token request was tried 4 times")
}

// redirectTo answers every request with a redirect to another server.
func redirectTo(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	})
}
