package ipassan_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// oddServer answers every API call but the token with status and body: the
// shapes a real IPassan (a PHP back end), or something in front of it, may
// use that the fake does not.
func oddServer(t *testing.T, status int, body string) *url.URL {
	t.Helper()
	return oddServerTyped(t, status, "application/json", body)
}

func oddServerTyped(t *testing.T, status int, contentType, body string) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/token") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"tok-123456"}`))
			return
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

// Only IPassan's own empty answers mean "no such person"; an error dressed as
// success, a message, a record without uuid or another person's record is an
// error that says what came back.
func TestOddAnswersForOnePerson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		kind       error
		says       string
	}{
		{"an error with 200 is not 'not found'", `{"error":{"message":"Access Denied"}}`, ipassan.ErrAccessDenied, "Access Denied"},
		{"an OAuth error with 200", `{"error":"invalid_token","error_description":"expired"}`, ipassan.ErrProtocol, "an error answered as success: expired"},
		{"error as plain text", `{"error":"no such thing"}`, ipassan.ErrProtocol, "an error answered as success: no such thing"},
		{"success false", `{"success":false,"message":"Person could not be loaded"}`, ipassan.ErrProtocol, "Person could not be loaded"},
		{"success false as text", `{"success":"false"}`, ipassan.ErrProtocol, "an error answered as success"},
		{"success 0", `{"success":0,"message":"nope"}`, ipassan.ErrProtocol, "nope"},
		{"a message without a person", `{"success":true,"message":"OK"}`, ipassan.ErrProtocol, `it holds no uuid): "{\"success\":true,\"message\":\"OK\"}"`},
		{"not found said in words", `{"message":"Person not found"}`, ipassan.ErrProtocol, "it holds no uuid"},
		{"empty body", ``, ipassan.ErrNotFound, "the answer holds no person"},
		{"null", `null`, ipassan.ErrNotFound, ""},
		{"a PHP empty map", `[]`, ipassan.ErrNotFound, ""},
		{"an empty object", `{}`, ipassan.ErrNotFound, ""},
		{"data null", `{"data":null}`, ipassan.ErrNotFound, ""},
		{"an empty text", `""`, ipassan.ErrNotFound, ""},
		// Only the shapes the contract lists mean "no such person"; these
		// do not, and must not let a leaver keep access as "already gone".
		{"data an empty list", `{"data":[]}`, ipassan.ErrProtocol, `"{\"data\":[]}"`},
		{"data an empty object", ` {"data": {}} `, ipassan.ErrProtocol, "not a person"},
		{"Data null, spelled otherwise", `{"Data":null}`, ipassan.ErrProtocol, "not a person"},
		{"some text", `"gone"`, ipassan.ErrProtocol, "not a person"},
		{"no uuid", `{"firstname":"x"}`, ipassan.ErrProtocol, "it holds no uuid"},
		{"a list of persons", `[{"uuid":"p-1"}]`, ipassan.ErrProtocol, "not a person"},
		{"a page", `<html><body><h1>Welcome</h1><p>Please log in</p></body></html>`, ipassan.ErrProtocol, `"Welcome Please log in"`},
		{"another person", `{"uuid":"p-2","lastname":"Other"}`, ipassan.ErrWrongPerson, "asked for person p-1, the answer is about person p-2"},
		{"another person, wrapped", `{"data":{"uuid":"p-2"}}`, ipassan.ErrWrongPerson, "p-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newHarness(t, fake.Options{}).newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, tt.body)})
			_, err := c.GetPerson(context.Background(), "p-1")
			require.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.says)
			assert.Contains(t, err.Error(), "HTTP 200")
		})
	}
	h := newHarness(t, fake.Options{})
	for _, body := range []string{`{"uuid":"P-1"}`, `{"data":{"uuid":"p-1","lastname":"Bos"}}`, `{"uuid":"p-1","success":true}`} {
		c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, body)})
		p, err := c.GetPerson(context.Background(), "p-1")
		require.NoError(t, err, body)
		assert.True(t, strings.EqualFold("p-1", p.UUID), body)
	}
}

// A 404 means the person is gone only when it is IPassan's 404: a proxy's
// page or a gateway's JSON says nothing about the person.
func TestNotFoundMustLookLikeIPassans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		kind        error
		says        string
	}{
		{"IPassan's error", 404, "application/json", `{"error":{"code":404,"message":"Person not found"}}`, ipassan.ErrNotFound, "Person not found"},
		{"IPassan's error as text/html (PHP)", 404, "text/html; charset=UTF-8", `{"error":{"message":"Person not found"}}`, ipassan.ErrNotFound, "Person not found"},
		{"OAuth style", 404, "application/json", `{"error":"not_found","error_description":"No such person"}`, ipassan.ErrNotFound, "No such person"},
		{"no body", 404, "", ``, ipassan.ErrNotFound, "Not Found"},
		{"gone", 410, "", `  `, ipassan.ErrNotFound, "Gone"},
		{"a proxy's page", 404, "text/html", "<html><head><title>404 Not Found</title><style>b{}</style></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>",
			ipassan.ErrProtocol, `a 404 that is not IPassan's, so nothing is concluded about the person: text/html, "404 Not Found 404 Not Found nginx"`},
		{"plain text", 404, "text/plain", "Not Found", ipassan.ErrProtocol, `text/plain, "Not Found"`},
		{"a gateway's JSON", 404, "application/json", `{"message":"no Route matched with those values"}`, ipassan.ErrProtocol, `application/json, "{\"message\":\"no Route matched with those values\"}"`},
		{"a page, its type sniffed", 410, "", "<h1>Gone fishing</h1>", ipassan.ErrProtocol, `text/html; charset=utf-8, "Gone fishing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newHarness(t, fake.Options{}).newClient(t, ipassan.Options{BaseURL: oddServerTyped(t, tt.status, tt.contentType, tt.body)})
			_, err := c.GetPerson(context.Background(), "p-1")
			require.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.says)
			err = c.DeletePerson(context.Background(), "p-1")
			assert.ErrorIs(t, err, tt.kind, "a delete reads the 404 alike")
		})
	}
}

// The fake's HTML 404 and errors answered with 200 (per route) end the same
// way, and a write answered with an error is a failure that changed nothing.
func TestWritesAnsweredWithAnErrorFail(t *testing.T) {
	t.Parallel()
	errorBodies := []string{`{"error":{"message":"Database unavailable"}}`, `{"success":false,"message":"Database unavailable"}`,
		`{"error":"server_error","error_description":"Database unavailable"}`}
	for _, body := range errorBodies {
		h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos", AccessType: fake.Slots{DoorPermanent: ptr(profileA)}})
		ctx := context.Background()
		for _, route := range []string{fake.RouteCreate, fake.RouteUpdate, fake.RouteDelete, fake.RouteGet, fake.RouteList} {
			h.fake.AddFault(fake.Fault{Route: route, Status: 200, Body: body, Times: 1})
		}
		var f ipassan.Form
		f.Set("lastname", "New")
		_, err := h.client.CreatePerson(ctx, f)
		assert.ErrorIs(t, err, ipassan.ErrProtocol, body)
		assert.True(t, ipassan.Ambiguous(err), "a create answered so may have happened all the same")
		assert.ErrorContains(t, err, "Database unavailable")

		var clear ipassan.Form
		clear.SetSlot(ipassan.SlotDoorPermanent, "")
		_, _, err = h.client.UpdatePerson(ctx, "p-1", clear)
		assert.ErrorIs(t, err, ipassan.ErrProtocol, body)
		assert.ErrorContains(t, err, "an error answered as success: Database unavailable")

		assert.ErrorIs(t, h.client.DeletePerson(ctx, "p-1"), ipassan.ErrProtocol, body)
		_, err = h.client.GetPerson(ctx, "p-1")
		assert.ErrorIs(t, err, ipassan.ErrProtocol, body)
		_, err = h.client.Scan(ctx, ipassan.ScanOptions{}, func(ipassan.Person) error { return nil })
		assert.ErrorIs(t, err, ipassan.ErrProtocol, body)

		persons := h.fake.Persons(siteID)
		require.Len(t, persons, 1, "nothing was created or deleted")
		assert.Equal(t, profileA, persons[0].AccessType.Slot(ipassan.SlotDoorPermanent), "nothing was cleared")
	}

	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	h.fake.AddFault(fake.Fault{Route: fake.RouteGet, Status: 404, ContentType: "text/html", Body: "<html><body><h1>404 Not Found</h1><p>The proxy knows no such page.</p></body></html>"})
	_, err := h.client.GetPerson(context.Background(), "p-1")
	require.ErrorIs(t, err, ipassan.ErrProtocol)
	assert.NotErrorIs(t, err, ipassan.ErrNotFound)
	assert.Contains(t, err.Error(), `text/html, "404 Not Found The proxy knows no such page."`)
}

// An update answered with another person's record does not pass for the
// person written: the caller reads back.
func TestUpdateAnsweredAboutAnotherPersonIsNotAConfirmation(t *testing.T) {
	t.Parallel()
	c := newHarness(t, fake.Options{}).newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, `{"uuid":"p-2","lastname":"Other"}`)})
	var f ipassan.Form
	f.Set("lastname", "New")
	_, ok, err := c.UpdatePerson(context.Background(), "p-1", f)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestOddAnswersForAPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{})
	for body, kind := range map[string]error{
		`{"error":{"message":"Access Denied"}}`: ipassan.ErrAccessDenied,
		`{"success":false,"data":[]}`:           ipassan.ErrProtocol,
		`{"next_cursor":null}`:                  ipassan.ErrProtocol,
		`{"data":[],"data":[]}`:                 ipassan.ErrProtocol,
		`[]`:                                    ipassan.ErrProtocol,
		`{"data":[{"uuid":"a"},null]}`:          ipassan.ErrProtocol,
		`{"data":[{"uuid":"a","UUID":"b"}]}`:    ipassan.ErrProtocol,
		`{"data":{"uuid":"a"}}`:                 ipassan.ErrProtocol,
		`{"data":[],"next_cursor":true}`:        ipassan.ErrProtocol,
	} {
		c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, body)})
		_, err := c.Scan(context.Background(), ipassan.ScanOptions{}, func(ipassan.Person) error { return nil })
		assert.ErrorIs(t, err, kind, body)
	}
	c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, `{"data":null,"next_cursor":null}`)})
	stats, err := c.Scan(context.Background(), ipassan.ScanOptions{}, func(ipassan.Person) error { return nil })
	require.NoError(t, err, "data null is an empty page")
	assert.Zero(t, stats.Persons)
}

// A secret echoed near where a message is cut must not survive in part.
func TestEchoedSecretIsMaskedBeforeTheMessageIsCut(t *testing.T) {
	t.Parallel()
	const secretValue = "SuperSecretValue1234"
	body := `{"error":{"message":"` + strings.Repeat("x", 290) + ` secret ` + secretValue + `"}}`
	h := newHarness(t, fake.Options{})
	c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 400, body), ClientSecret: secret.New(secretValue)})
	_, err := c.GetPerson(context.Background(), "p-1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Super")
	assert.NotContains(t, err.Error(), "Secr")
}

// Every accessType shape the fake can write is read either exactly or as
// unreadable, by GET and by the list alike.
func TestAccessTypeShapesFromTheFake(t *testing.T) {
	t.Parallel()
	want := map[string]string{ // shape -> Unreadable ("" when read exactly)
		"absent": "accessType is absent", "null": "", "emptyList": "", "emptyObject": "", "objects": "",
		"list":            "accessType is a list",
		"snakeCase":       "accessType holds door_permanent, which is none of doorPermanent, doorTemporary, floorPermanent, floorTemporary",
		"caseTwins":       "accessType holds both DOORPERMANENT and doorPermanent",
		"number":          "doorPermanent holds 42",
		"objectWithoutID": "doorPermanent holds an object without uuid, id or guid",
		"text":            "accessType is text",
		"unknownSlot":     "accessType holds doorSpecial, which is none of doorPermanent, doorTemporary, floorPermanent, floorTemporary",
	}
	require.Len(t, want, len(fake.AccessTypeShapes), "every shape of the fake is covered")
	for shape, unreadable := range want {
		t.Run(shape, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos", AccessType: fake.Slots{DoorPermanent: ptr(profileA)}})
			h.fake.AddFault(fake.Fault{Route: fake.RouteGet, AccessTypeShape: shape})
			h.fake.AddFault(fake.Fault{Route: fake.RouteList, AccessTypeShape: shape})
			p, err := h.client.GetPerson(context.Background(), "p-1")
			require.NoError(t, err)
			assert.Equal(t, unreadable, p.AccessType.Unreadable)
			if shape == "objects" {
				assert.Equal(t, profileA, p.AccessType.DoorPermanent)
			}
			_, err = h.client.Scan(context.Background(), ipassan.ScanOptions{}, func(q ipassan.Person) error {
				assert.Equal(t, p.AccessType, q.AccessType, "the list reads it as GET does")
				return nil
			})
			require.NoError(t, err)
		})
	}
}
