package connector_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// Never act on a wrong reading: answers a proxy, a load balancer or a new
// IPassan release might give, against every action on an existing account,
// asserting the outcome and IPassan's final state — no write to another
// person, no leaver who keeps a profile while the answer says it is gone, no
// success built on an answer that was not understood.

// accountActions are the actions on an existing account: setup, context,
// and what "done" and "untouched" look like. emp-1 is the account; other-1
// another person that nothing may touch.
var accountActions = map[string]struct {
	account  fake.Person
	context  func() m
	intended func(e *env) bool
}{
	"update": {employee(floor1),
		func() m {
			d := withKey(newHire(), "Teamleider")
			d["mail"] = "zoe@example.org"
			return m{"Data": d, "References": m{"Account": "emp-1"}}
		},
		func(e *env) bool {
			p, _ := e.person("emp-1")
			return p.Mail == "zoe@example.org" && slot(p) == allDoors
		}},
	"enable": {employee(""), func() m { return enableContext("Medewerker Servicedesk") },
		func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == floor1 }},
	"disable": {employee(allDoors), func() m { return m{"References": m{"Account": "emp-1"}} },
		func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == "" }},
	"delete": {employee(floor1), func() m { return m{"References": m{"Account": "emp-1"}} },
		func(e *env) bool { _, exists := e.person("emp-1"); return !exists }},
	"grant": {employee(""), func() m { return grantContext("emp-1", floor2) },
		func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == floor2 }},
	"revoke": {employee(floor2), func() m { return grantContext("emp-1", floor2) },
		func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == "" }},
}

func otherPerson() fake.Person {
	return fake.Person{UUID: "other-1", Firstname: "Anouk", Lastname: "Jansen", Number: "2002", Type: 2,
		AccessType: fake.Slots{DoorPermanent: ptr(floor1)}}
}

func TestNeverActOnAWrongReading(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault fake.Fault // on the action's first read of the person (route get)
		// done: the action reaches its intended state and succeeds; otherwise
		// it fails and IPassan is as it was.
		done     bool
		contains string
	}{
		{"a proxy's HTML 404", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 404, ContentType: "text/html",
			Body: "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>nginx</p></body></html>"},
			false, "HTTP 404"},
		{"a 404 that is plain text", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 404, ContentType: "text/plain", Body: "no route"},
			false, "HTTP 404"},
		{"200 with success false", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 200, Body: `{"success": false, "message": "Maintenance"}`},
			false, "Maintenance"},
		{"200 with an error", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 200, Body: `{"error": {"message": "Internal failure"}}`},
			false, "Internal failure"},
		{"a message without a person", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 200, Body: `{"message": "OK"}`},
			false, ""},
		{"200 with data an empty list", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 200, Body: `{"data": []}`},
			false, "not a person"},
		{"200 with data an empty object", fake.Fault{Route: fake.RouteGet, Times: 1, Status: 200, Body: `{"data": {}}`},
			false, "not a person"},
		{"another person's answer", fake.Fault{Route: fake.RouteGet, Times: 1, AnswerAs: "other-1"},
			false, "other-1"},
		{"a write answered 200 with an error, and not done", fake.Fault{Route: "write", Times: 1, Status: 200, Body: `{"error": "Person is locked"}`},
			false, "Person is locked"},
		{"a write answered 204 and not done", fake.Fault{Route: "write", Times: 1, Status: 204},
			false, ""},
	}
	writeRoute := map[string]string{"update": fake.RouteUpdate, "enable": fake.RouteUpdate, "disable": fake.RouteUpdate,
		"delete": fake.RouteDelete, "grant": fake.RouteUpdate, "revoke": fake.RouteUpdate}
	for _, tc := range cases {
		for action, aa := range accountActions {
			t.Run(fmt.Sprintf("%s/%s", tc.name, action), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, fake.Options{}, aa.account, otherPerson())
				f := tc.fault
				if f.Route == "write" {
					f.Route = writeRoute[action]
				}
				e.fake.AddFault(f)
				before := e.fake.Persons(siteID)

				out := e.run(action, aa.context())

				other, _ := e.person("other-1")
				assert.Equal(t, otherPerson().AccessType, other.AccessType, "nothing was written to another person")
				if tc.done {
					assert.True(t, out.Success, "audit: %+v", out.AuditLogs)
					assert.True(t, aa.intended(e))
					return
				}
				require.False(t, out.Success, "audit: %+v", out.AuditLogs)
				last := out.AuditLogs[len(out.AuditLogs)-1]
				assert.True(t, last.IsError)
				assert.Contains(t, last.Message, tc.contains)
				assert.NotContains(t, last.Message, "does not exist", "never taken for a person already gone")
				assert.Equal(t, before, e.fake.Persons(siteID), "IPassan is as it was")
			})
		}
	}
}

// An access slot that cannot be read is not an empty one: disable and revoke
// still clear it and confirm the clear by a read-back in a known shape.
func TestUnreadableSlotsAreClearedAllTheSame(t *testing.T) {
	t.Parallel()
	unreadable := []string{"absent", "list", "snakeCase", "caseTwins", "number", "objectWithoutID", "text", "unknownSlot"}
	for _, shape := range unreadable {
		for _, action := range []string{"disable", "revoke"} {
			aa := accountActions[action]
			t.Run(shape+"/"+action, func(t *testing.T) {
				t.Parallel()
				// Only the first read is odd: the read-back confirms the clear.
				e := newEnv(t, fake.Options{}, aa.account)
				e.fake.AddFault(fake.Fault{Route: fake.RouteGet, Times: 1, AccessTypeShape: shape})
				out := e.run(action, aa.context())
				require.True(t, out.Success, "audit: %+v", out.AuditLogs)
				assert.True(t, aa.intended(e), "the leaver's profile is gone")
				assert.Contains(t, out.AuditLogs[0].Message, "could not be read")
				assert.NotContains(t, out.AuditLogs[0].Message, "nothing to")

				// Every read odd: the clear is sent, but it cannot be
				// confirmed, so the action says so instead of "done".
				e2 := newEnv(t, fake.Options{}, aa.account)
				e2.fake.AddFault(fake.Fault{Route: fake.RouteGet, AccessTypeShape: shape})
				out = e2.run(action, aa.context())
				require.False(t, out.Success, "audit: %+v", out.AuditLogs)
				assert.Contains(t, out.AuditLogs[0].Message, "cannot confirm it")
				assert.True(t, aa.intended(e2), "the clear was sent all the same")
			})
		}
	}
}

// A site read that is incomplete or shifts under the reader never makes a
// create miss the existing person (a duplicate) or see it twice.
func TestCreateNeverMissesThePersonOnAnOddSite(t *testing.T) {
	t.Parallel()
	// Pages of 10 overlap by one row: the client asks offsets 0, 9, 18, …
	zero, ten, twenty := 0, 9, 18
	cases := []struct {
		name   string
		faults []fake.Fault
	}{
		{"an empty page with a cursor", []fake.Fault{{Route: fake.RouteList, Offset: &ten, EmptyPage: true, Times: 1}}},
		{"a person removed while the site is read", []fake.Fault{{Route: fake.RouteList, Offset: &ten, RemoveAt: &zero, Times: 1}}},
		{"a person added while the site is read", []fake.Fault{{Route: fake.RouteList, Offset: &ten, Insert: &fake.Person{Lastname: "New", Number: "7777"}, Times: 1}}},
		{"added and removed on two pages", []fake.Fault{
			{Route: fake.RouteList, Offset: &ten, Insert: &fake.Person{Lastname: "New", Number: "7777"}, Times: 1},
			{Route: fake.RouteList, Offset: &twenty, RemoveAt: &zero, Times: 1}}},
	}
	for _, tc := range cases {
		for _, concurrency := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s/concurrency %d", tc.name, concurrency), func(t *testing.T) {
				t.Parallel()
				var persons []fake.Person
				for i := range 40 {
					persons = append(persons, fake.Person{Lastname: fmt.Sprint("P", i), Number: fmt.Sprint(3000 + i)})
				}
				persons = append(persons, fake.Person{UUID: "existing-1", Firstname: "Zoë", Lastname: "d'Hondt", Number: "1001"})
				e := newEnv(t, fake.Options{MaxPageSize: 10}, persons...)
				for _, f := range tc.faults {
					e.fake.AddFault(f)
				}
				out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
					"Configuration": e.configuration(m{"concurrency": concurrency, "pageSize": 10})})
				require.True(t, out.Success, "audit: %+v", out.AuditLogs)
				assert.True(t, *out.AccountCorrelated)
				assert.Equal(t, "existing-1", *out.AccountReference)
				assert.Equal(t, 1, countNumber(e, "1001"), "no duplicate")
				assert.Zero(t, e.fake.Count(fake.RouteCreate))
				assert.Empty(t, e.fake.Faults(), "every fault met a request")
			})
		}
	}
}

// A row that is not a person fails the read, naming the page: a create sends
// nothing, an import fails instead of printing a short list.
func TestARowThatIsNotAPersonFailsTheRead(t *testing.T) {
	t.Parallel()
	nine := 9 // pages of 10 overlap by one row
	for _, row := range []string{`null`, `42`, `"x"`, `[]`, `{"firstname": "no uuid"}`} {
		t.Run(row, func(t *testing.T) {
			t.Parallel()
			var persons []fake.Person
			for i := range 30 {
				persons = append(persons, fake.Person{Lastname: fmt.Sprint("P", i), Number: fmt.Sprint(3000 + i)})
			}
			e := newEnv(t, fake.Options{MaxPageSize: 10}, persons...)
			e.fake.AddFault(fake.Fault{Route: fake.RouteList, Offset: &nine, Row: []byte(row), RowAt: 3, Times: 1})
			out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"),
				"Configuration": e.configuration(m{"pageSize": 10})})
			require.False(t, out.Success)
			assert.Contains(t, out.AuditLogs[0].Message, "offset")
			assert.Zero(t, e.fake.Count(fake.RouteCreate), "nothing created on an incomplete read")
			assert.Empty(t, e.fake.Faults(), "the fault met a request")
		})
	}
}
