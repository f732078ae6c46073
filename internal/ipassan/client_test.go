package ipassan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

const (
	siteID    = "5a1b2c3d-0000-4000-8000-00000000a1b2"
	otherSite = "5a1b2c3d-0000-4000-8000-00000000ffff"
	profileA  = "51ee893c-bb6e-4a65-b852-f79d09e242b1"
	profileB  = "8b32bb39-5e9f-459b-8bf1-a864c35b3f79"
	clientID  = "connector"
	password  = "s3cr3t-Zoë&=+%"
)

func seed(persons ...fake.Person) fake.Seed {
	return fake.Seed{
		Clients:        []fake.Credential{{ClientID: clientID, ClientSecret: password}},
		AccessProfiles: []fake.Profile{{UUID: profileA, Name: "Floor.1"}, {UUID: profileB, Name: "Floor.2"}},
		Bases: []fake.BaseSeed{{UUID: "b-1", Name: "hq", DisplayName: "Head office", Sites: []fake.SiteSeed{
			{UUID: siteID, Name: "Main", Persons: persons},
			{UUID: "s-2", Name: "Annex"},
		}}},
	}
}

type harness struct {
	fake   *fake.Server
	client *ipassan.Client
	logs   *bytes.Buffer
	url    *url.URL
}

func newHarness(t testing.TB, opts fake.Options, persons ...fake.Person) *harness {
	t.Helper()
	f := fake.New(seed(persons...), opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	h := &harness{fake: f, logs: &bytes.Buffer{}, url: u}
	h.client = h.newClient(t, ipassan.Options{})
	return h
}

func (h *harness) newClient(t testing.TB, o ipassan.Options) *ipassan.Client {
	t.Helper()
	red := secret.NewRedactor()
	if o.BaseURL == nil {
		o.BaseURL = h.url
	}
	if o.SiteID == "" {
		o.SiteID = siteID
	}
	if o.ClientID == "" {
		o.ClientID = clientID
	}
	if o.ClientSecret.IsZero() {
		o.ClientSecret = secret.New(password)
	}
	o.Redactor = red
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	o.Logger = zerolog.New(red.Writer(h.logs)).Level(zerolog.DebugLevel)
	c, err := ipassan.New(o)
	require.NoError(t, err)
	return c
}

func TestTokenAndBadCredentials(t *testing.T) {
	h := newHarness(t, fake.Options{})
	require.NoError(t, h.client.Authenticate(context.Background()))

	bad := h.newClient(t, ipassan.Options{ClientSecret: secret.New("wrong-secret")})
	err := bad.Authenticate(context.Background())
	require.ErrorIs(t, err, ipassan.ErrAuth)
	assert.Contains(t, err.Error(), "Client authentication failed.")
	assert.Contains(t, err.Error(), "HTTP 401")
	assert.NotContains(t, err.Error(), "wrong-secret")
}

func TestGetPerson(t *testing.T) {
	for _, opts := range []fake.Options{{}, {WrapPerson: true}, {NotFoundAsEmpty: true}} {
		t.Run(fmt.Sprintf("%+v", opts), func(t *testing.T) {
			h := newHarness(t, opts, fake.Person{UUID: "p-1", Firstname: "Zoë", Lastname: "d'Hondt", Number: "1001", Type: 2,
				AccessType: fake.Slots{DoorPermanent: ptr(profileA)}})
			p, err := h.client.GetPerson(context.Background(), "p-1")
			require.NoError(t, err)
			assert.Equal(t, "Zoë", p.Firstname)
			assert.Equal(t, "2", p.Type, "type arrives as a number and is read as text")
			assert.Equal(t, profileA, p.AccessType.DoorPermanent)
			assert.NotEmpty(t, p.Architecture)

			_, err = h.client.GetPerson(context.Background(), "nobody")
			assert.ErrorIs(t, err, ipassan.ErrNotFound)
		})
	}
}

func TestReferencesThatCannotBeUUIDsAreRefusedBeforeSending(t *testing.T) {
	h := newHarness(t, fake.Options{})
	for _, ref := range []string{"../other", "a?b", "..", "a/b", "x y"} {
		_, err := h.client.GetPerson(context.Background(), ref)
		assert.ErrorIs(t, err, ipassan.ErrBadReference, ref)
		assert.ErrorIs(t, h.client.DeletePerson(context.Background(), ref), ipassan.ErrBadReference, ref)
	}
	assert.Zero(t, h.fake.Total(), "nothing was sent")
}

func TestWrongSiteIsAccessDenied(t *testing.T) {
	h := newHarness(t, fake.Options{})
	c := h.newClient(t, ipassan.Options{SiteID: otherSite})
	_, err := c.GetPerson(context.Background(), "p-1")
	require.ErrorIs(t, err, ipassan.ErrAccessDenied)
	assert.Contains(t, err.Error(), "Access Denied")
}

func TestValuesSurviveCreateAndUpdateByteForByte(t *testing.T) {
	h := newHarness(t, fake.Options{})
	ctx := context.Background()
	values := []string{"Zoë & Ĳsbrand", "d'Hondt=1+1", "100% \"quoted\"", "a;b,c/d?e#f", "  spaced  ", "line\nbreak", "日本語", "emoji 🚪"}
	for _, v := range values {
		var f ipassan.Form
		f.Set("firstname", v)
		f.Set("lastname", v)
		f.Set("other", v)
		f.Set("type", "2")
		created, err := h.client.CreatePerson(ctx, f)
		require.NoError(t, err, v)
		stored, _ := h.fake.Person(siteID, created.UUID)
		assert.Equal(t, v, stored.Firstname)
		assert.Equal(t, v, created.Lastname)

		var u ipassan.Form
		u.Set("mail", v+"@example.org")
		_, _, err = h.client.UpdatePerson(ctx, created.UUID, u)
		require.NoError(t, err)
		stored, _ = h.fake.Person(siteID, created.UUID)
		assert.Equal(t, v+"@example.org", stored.Mail)
		assert.Equal(t, v, stored.Other, "fields not sent stay")
	}
}

func TestSlotsSetClearAndUnknownGUIDIgnored(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos", AccessType: fake.Slots{DoorTemporary: ptr(profileB)}})
	ctx := context.Background()
	set := func(guid string) {
		var f ipassan.Form
		f.SetSlot(ipassan.SlotDoorPermanent, guid)
		_, _, err := h.client.UpdatePerson(ctx, "p-1", f)
		require.NoError(t, err)
	}
	set(profileA)
	p, _ := h.client.GetPerson(ctx, "p-1")
	assert.Equal(t, profileA, p.AccessType.DoorPermanent)
	set("00000000-0000-0000-0000-000000000000") // IPassan ignores unknown GUIDs
	p, _ = h.client.GetPerson(ctx, "p-1")
	assert.Equal(t, profileA, p.AccessType.DoorPermanent)
	set("")
	p, _ = h.client.GetPerson(ctx, "p-1")
	assert.Equal(t, "", p.AccessType.DoorPermanent)
	assert.Equal(t, profileB, p.AccessType.DoorTemporary, "other slots untouched")
}

func TestValidationErrorCarriesIPassansMessage(t *testing.T) {
	h := newHarness(t, fake.Options{})
	var f ipassan.Form
	f.Set("lastname", "Bos")
	f.Set("type", "9")
	_, err := h.client.CreatePerson(context.Background(), f)
	require.ErrorIs(t, err, ipassan.ErrValidation)
	assert.Contains(t, err.Error(), "type must be 1, 2 or 3")
}

func TestPersonsFollowsCursorWhateverTheServerClamps(t *testing.T) {
	var persons []fake.Person
	for i := range 23 {
		persons = append(persons, fake.Person{UUID: fmt.Sprintf("p-%02d", i), Lastname: "L", Number: fmt.Sprint(i)})
	}
	for _, opts := range []fake.Options{{MaxPageSize: 7}, {MaxPageSize: 100}, {MaxPageSize: 1, CursorAsText: true}, {MaxPageSize: 23}} {
		t.Run(fmt.Sprintf("%+v", opts), func(t *testing.T) {
			h := newHarness(t, opts, persons...)
			var got []string
			_, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 50, Concurrency: 1},
				func(p ipassan.Person) error { got = append(got, p.UUID); return nil })
			require.NoError(t, err)
			require.Len(t, got, 23)
			for i, id := range got {
				assert.Equal(t, fmt.Sprintf("p-%02d", i), id)
			}
			pages := (23 + min(opts.MaxPageSize, 50) - 1) / min(opts.MaxPageSize, 50)
			assert.Equal(t, pages, h.fake.Count(fake.RouteList))
		})
	}
}

func TestPersonsStopsEarlyWhenTheLoopBreaks(t *testing.T) {
	var persons []fake.Person
	for i := range 30 {
		persons = append(persons, fake.Person{Lastname: fmt.Sprint(i)})
	}
	h := newHarness(t, fake.Options{MaxPageSize: 10}, persons...)
	n := 0
	enough := errors.New("enough")
	_, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 10, Concurrency: 1}, func(ipassan.Person) error {
		if n++; n == 12 {
			return enough
		}
		return nil
	})
	require.ErrorIs(t, err, enough)
	assert.Equal(t, 2, h.fake.Count(fake.RouteList), "no page is read after the consumer stops")
}

func TestReadOnlyClientSendsNoWrites(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	c := h.newClient(t, ipassan.Options{ReadOnly: true})
	ctx := context.Background()
	var f ipassan.Form
	f.Set("lastname", "X")
	_, err := c.CreatePerson(ctx, f)
	assert.ErrorIs(t, err, ipassan.ErrReadOnly)
	_, _, err = c.UpdatePerson(ctx, "p-1", f)
	assert.ErrorIs(t, err, ipassan.ErrReadOnly)
	assert.ErrorIs(t, c.DeletePerson(ctx, "p-1"), ipassan.ErrReadOnly)
	_, err = c.GetPerson(ctx, "p-1")
	assert.NoError(t, err, "reads still work")
	assert.Zero(t, h.fake.Writes())
}

func TestStaleTokenLogsInAgainOnce(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	ctx := context.Background()
	_, err := h.client.GetPerson(ctx, "p-1")
	require.NoError(t, err)
	h.fake.RevokeTokens()
	_, err = h.client.GetPerson(ctx, "p-1")
	require.NoError(t, err)
	assert.Equal(t, 2, h.fake.Count(fake.RouteToken))
	assert.Equal(t, 3, h.fake.Count(fake.RouteGet))
	assert.EqualValues(t, 5, h.client.Requests())
}

func TestHTTPOnlyForLoopback(t *testing.T) {
	_, err := ipassan.New(ipassan.Options{BaseURL: &url.URL{Scheme: "http", Host: "ipassan.com"}})
	assert.ErrorContains(t, err, "not https")
	_, err = ipassan.New(ipassan.Options{BaseURL: &url.URL{Scheme: "http", Host: "127.0.0.1:9"}})
	assert.NoError(t, err)
}

func TestSecretsNeverInLogsOrErrors(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	ctx := context.Background()
	_, err := h.client.GetPerson(ctx, "p-1")
	require.NoError(t, err)
	h.fake.AddFault(fake.Fault{Route: fake.RouteGet, Status: 400, Body: `{"error":{"message":"bad secret s3cr3t-Zoë&=+% echoed"}}`})
	_, err = h.client.GetPerson(ctx, "p-1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), password)
	assert.Contains(t, err.Error(), secret.Mask)
	assert.Contains(t, h.logs.String(), `"path":"/api/v1/token"`, "requests are logged at debug")
	assert.NotContains(t, h.logs.String(), password)
	assert.NotContains(t, h.logs.String(), "fake-", "no token in the log")
}

func TestConnectionErrorsAreTransient(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	h.fake.AddFault(fake.Fault{Route: fake.RouteGet, Drop: true})
	_, err := h.client.GetPerson(context.Background(), "p-1")
	assert.ErrorIs(t, err, ipassan.ErrTransient)
	assert.ErrorContains(t, err, "(after 4 attempts)")
	h.fake.ClearFaults()

	h.fake.AddFault(fake.Fault{Route: fake.RouteList, Garbage: true, Times: 1})
	_, err = h.client.Scan(context.Background(), ipassan.ScanOptions{}, func(ipassan.Person) error { return nil })
	assert.ErrorIs(t, err, ipassan.ErrProtocol)
	var e *ipassan.Error
	_, err = h.client.GetPerson(context.Background(), "zzz")
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 404, e.Status)
}

func TestBasesAndSites(t *testing.T) {
	h := newHarness(t, fake.Options{})
	var names []string
	for b, err := range h.client.Bases(context.Background()) {
		require.NoError(t, err)
		names = append(names, b.DisplayName)
		for s, err := range h.client.Sites(context.Background(), b.UUID) {
			require.NoError(t, err)
			names = append(names, s.Name+"="+s.UUID)
		}
	}
	assert.Equal(t, []string{"Head office", "Main=" + siteID, "Annex=s-2"}, names)
}

func ptr(s string) *string { return &s }
