package connector_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// indexSite is a site of 60 persons at 10 a page, Zoë among them.
func indexSite() []fake.Person {
	var persons []fake.Person
	for i := range 59 {
		persons = append(persons, fake.Person{UUID: fmt.Sprintf("p-%02d", i), Lastname: "P", Number: fmt.Sprint(3000 + i),
			Mail: fmt.Sprintf("p%d@example.org", i)})
	}
	return append(persons, fake.Person{UUID: "existing-1", Firstname: "Zoë", Lastname: "d'Hondt", Number: "1001", Mail: "zoe.dhondt@example.org"})
}

func correlateZoe(e *env) *helloid.Output {
	return e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")})
}

// At go-live every existing employee is correlated; with the site index each
// create after the first costs a token and one read of the candidate.
func TestSiteIndexSparesTheWholeSiteRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{MaxPageSize: 10}, indexSite()...)
	first := correlateZoe(e)
	succeeded(t, first, helloid.CorrelateAccount)
	assert.Positive(t, e.fake.Count(fake.RouteList), "the first create reads the site")

	e.fake.ResetCountsForNextAction()
	again := correlateZoe(e)
	succeeded(t, again, helloid.CorrelateAccount)
	assert.Equal(t, "existing-1", *again.AccountReference)
	assert.Zero(t, e.fake.Count(fake.RouteList), "no whole-site read")
	assert.Equal(t, 2, e.fake.Total(), "a token and the candidate's read")

	// A create of somebody new always reads the whole site: a miss is never trusted.
	e.fake.ResetCountsForNextAction()
	hire := newHire()
	hire["number"] = "4004"
	out := e.run("create", m{"Data": hire, "CorrelationConfiguration": correlation("4004")})
	log := succeeded(t, out, helloid.CreateAccount)
	assert.Positive(t, e.fake.Count(fake.RouteList))
	assert.Contains(t, log.Message, "Created")

	// The create added its person: the next correlation finds it there.
	e.fake.ResetCountsForNextAction()
	out = e.run("create", m{"Data": hire, "CorrelationConfiguration": correlation("4004")})
	succeeded(t, out, helloid.CorrelateAccount)
	assert.Zero(t, e.fake.Count(fake.RouteList))
}

// A stale or damaged index ends in the same result as a full read.
func TestStaleSiteIndexIsNeverWrong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// change is what happens after the index was built.
		change func(t *testing.T, e *env)
		// correlated: the existing person is taken over; else a new one is made.
		correlated string
	}{
		{"the person was removed", func(t *testing.T, e *env) { e.behindOurBack(t, http.MethodDelete, "existing-1", nil) }, ""},
		{"the person's number changed", func(t *testing.T, e *env) {
			e.behindOurBack(t, http.MethodPut, "existing-1", url.Values{"number": {"9999"}})
		}, ""},
		{"the number moved to another person", func(t *testing.T, e *env) {
			e.behindOurBack(t, http.MethodPut, "existing-1", url.Values{"number": {"9999"}})
			e.behindOurBack(t, http.MethodPut, "p-07", url.Values{"number": {"1001"}})
		}, "p-07"},
		{"the index file was cut short", func(t *testing.T, e *env) { damageIndex(t, e, func(b []byte) []byte { return b[:len(b)/2] }) }, "existing-1"},
		{"the index file was overwritten", func(t *testing.T, e *env) {
			damageIndex(t, e, func(b []byte) []byte { return []byte("garbage") })
		}, "existing-1"},
		{"a byte of the index flipped", func(t *testing.T, e *env) {
			damageIndex(t, e, func(b []byte) []byte { b[len(b)/3] ^= 0x20; return b })
		}, "existing-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, fake.Options{MaxPageSize: 10}, indexSite()...)
			succeeded(t, correlateZoe(e), helloid.CorrelateAccount) // builds the index
			tt.change(t, e)
			e.fake.ResetCountsForNextAction()

			out := correlateZoe(e)
			require.True(t, out.Success, "audit: %+v", out.AuditLogs)
			assert.Positive(t, e.fake.Count(fake.RouteList), "fell back to a full read")
			if tt.correlated == "" {
				assert.False(t, *out.AccountCorrelated)
				assert.Equal(t, 1, countNumber(e, "1001"), "one new person, no duplicate")
			} else {
				assert.True(t, *out.AccountCorrelated)
				assert.Equal(t, tt.correlated, *out.AccountReference)
			}
		})
	}
}

// An index of another site, or with the index off, is never used.
func TestSiteIndexOffOrForeign(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{MaxPageSize: 10}, indexSite()...)
	succeeded(t, correlateZoe(e), helloid.CorrelateAccount)

	e.fake.ResetCountsForNextAction()
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
		"Configuration": e.configuration(m{"siteIndexMaxAgeSeconds": 0})})
	succeeded(t, out, helloid.CorrelateAccount)
	assert.Positive(t, e.fake.Count(fake.RouteList), "0 turns the index off")

	// Another fake (another base URL) with the same directory: the index is
	// foreign to it and the site is read.
	other := newEnv(t, fake.Options{MaxPageSize: 10}, indexSite()...)
	other.indexDir = e.indexDir
	out = correlateZoe(other)
	succeeded(t, out, helloid.CorrelateAccount)
	assert.Positive(t, other.fake.Count(fake.RouteList))
}

// damageIndex rewrites the one index file of e's site.
func damageIndex(t *testing.T, e *env, damage func([]byte) []byte) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(e.indexDir, "*.idx"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], damage(b), 0o600))
}

// behindOurBack changes a person through IPassan's API without the connector,
// as an admin in IPassan's own screens would: the site index does not hear of it.
func (e *env) behindOurBack(t *testing.T, method, uuid string, form url.Values) {
	t.Helper()
	resp, err := http.PostForm(e.url+"/api/v1/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"all"},
		"client_id": {clientID}, "client_secret": {clientSecret}})
	require.NoError(t, err)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	req, err := http.NewRequest(method, e.url+"/api/v1/access/site/"+siteID+"/person/"+uuid, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300)
}

// A person added after the index was built is not in it: the miss is not
// trusted, the whole site is read, and the create takes that person over
// instead of making a second one.
func TestSiteIndexMissReadsTheSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{MaxPageSize: 10}, indexSite()...)
	succeeded(t, correlateZoe(e), helloid.CorrelateAccount) // builds the index
	added, ok := e.fake.AddPerson(siteID, fake.Person{UUID: "added-later", Firstname: "Ĳsbrand", Lastname: "Visser", Number: "4004"})
	require.True(t, ok)

	e.fake.ResetCountsForNextAction()
	hire := newHire()
	hire["number"] = "4004"
	out := e.run("create", m{"Data": hire, "CorrelationConfiguration": correlation("4004")})
	succeeded(t, out, helloid.CorrelateAccount)
	assert.Equal(t, added.UUID, *out.AccountReference)
	assert.Positive(t, e.fake.Count(fake.RouteList), "a miss is never trusted")
	assert.Equal(t, 1, countNumber(e, "4004"), "no duplicate")
}

// An index built for other fields is never used, even under this one's name:
// the two index files of a site (one per set of fields) swapped, each is
// foreign where it lies, and both correlations read the site and still find
// Zoë.
func TestSiteIndexForOtherFieldsIsNotUsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{MaxPageSize: 10}, indexSite()...)
	byLastname := m{"Enabled": true, "PersonField": "Person.Name.FamilyName", "PersonFieldValue": "d'Hondt", "AccountField": "lastname", "AccountFieldValue": "d'Hondt"}
	succeeded(t, correlateZoe(e), helloid.CorrelateAccount)
	succeeded(t, e.run("create", m{"Data": newHire(), "CorrelationConfiguration": byLastname}), helloid.CorrelateAccount)
	files, err := filepath.Glob(filepath.Join(e.indexDir, "*.idx"))
	require.NoError(t, err)
	require.Len(t, files, 2, "one index per set of fields")
	a, err := os.ReadFile(files[0])
	require.NoError(t, err)
	b, err := os.ReadFile(files[1])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], b, 0o600))
	require.NoError(t, os.WriteFile(files[1], a, 0o600))

	for name, correlate := range map[string]m{"number": correlation("1001"), "lastname": byLastname} {
		e.fake.ResetCountsForNextAction()
		out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlate})
		succeeded(t, out, helloid.CorrelateAccount)
		assert.Equal(t, "existing-1", *out.AccountReference, name)
		assert.Positive(t, e.fake.Count(fake.RouteList), "%s: the foreign index was not used", name)
	}
}
