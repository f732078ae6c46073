package connector_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// answerWritesWithoutDoingThem answers every write of method with status and
// body, without passing it to the fake: a server (or a proxy in front of it)
// that says yes and does nothing.
func answerWritesWithoutDoingThem(method string, status int, body func(r *http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method || !strings.Contains(r.URL.Path, "/person/") {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body(r)))
		})
	}
}

// Writes are confirmed: a success that did nothing is a failure, and IPassan
// keeps the state it had.
func TestWritesAnsweredWithSuccessButNotDoneFail(t *testing.T) {
	t.Parallel()
	const staleEmployee = `{"uuid":"emp-1","firstname":"Zoë","lastname":"d'Hondt","mail":"zoe.dhondt@example.org","number":"1001","type":2,` +
		`"accessType":{"doorPermanent":"` + floor1 + `","doorTemporary":null,"floorPermanent":null,"floorTemporary":null}}`
	tests := []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		action   string
		context  m
		contains string
	}{
		{"delete answered 204", answerWritesWithoutDoingThem(http.MethodDelete, http.StatusNoContent, func(*http.Request) string { return "" }),
			"delete", m{"References": m{"Account": "emp-1"}}, "IPassan answered the delete with success, but the person is still there"},
		{"delete answered 200 with success true", answerWritesWithoutDoingThem(http.MethodDelete, http.StatusOK, func(*http.Request) string { return `{"success":true}` }),
			"delete", m{"References": m{"Account": "emp-1"}}, "the person is still there"},
		{"update answered with the person unchanged", answerWritesWithoutDoingThem(http.MethodPut, http.StatusOK, func(*http.Request) string { return staleEmployee }),
			"update", m{"Data": m{"mail": "zoe@example.org"}, "References": m{"Account": "emp-1"}},
			`IPassan answered the update with success, but the person read afterwards shows mail is "zoe.dhondt@example.org"`},
		{"update answered 204", answerWritesWithoutDoingThem(http.MethodPut, http.StatusNoContent, func(*http.Request) string { return "" }),
			"update", m{"Data": m{"mail": "zoe@example.org"}, "References": m{"Account": "emp-1"}},
			`shows mail is "zoe.dhondt@example.org"`},
		{"disable answered with the profile cleared, but nothing done", answerWritesWithoutDoingThem(http.MethodPut, http.StatusOK,
			func(*http.Request) string {
				return strings.Replace(staleEmployee, `"doorPermanent":"`+floor1+`"`, `"doorPermanent":null`, 1)
			}),
			"disable", m{"References": m{"Account": "emp-1"}}, "IPassan accepted clearing doorPermanent, but it still holds Floor.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvBehind(t, fake.Options{}, tt.wrap, employee(floor1))
			before, _ := e.person("emp-1")
			out := e.run(tt.action, tt.context)
			require.False(t, out.Success, "audit: %+v", out.AuditLogs)
			last := out.AuditLogs[len(out.AuditLogs)-1]
			assert.True(t, last.IsError)
			assert.Contains(t, last.Message, tt.contains)
			after, exists := e.person("emp-1")
			assert.True(t, exists)
			assert.Equal(t, before, after, "IPassan is as it was")
		})
	}
}

// By hand (MissingAccountFails), a reference that names nobody is a failure
// for the actions HelloID lets succeed: a mistyped reference must not look
// like access removed.
func TestMissingAccountFailsByHand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		action  string
		context m
		verb    string
	}{
		{"disable", m{"References": m{"Account": "c0a80101-0000-4000-8000-000000000999"}}, "disabled"},
		{"delete", m{"References": m{"Account": "c0a80101-0000-4000-8000-000000000999"}}, "deleted"},
		{"revoke", grantContext("c0a80101-0000-4000-8000-000000000999", floor1), "revoked"},
	} {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, fake.Options{}, employee(floor1))
			helloidRule := e.run(tt.action, tt.context)
			assert.True(t, helloidRule.Success, "HelloID's rule: nothing left to do")

			e.tune = func(c *connector.Connector) { c.MissingAccountFails = true }
			out := e.run(tt.action, tt.context)
			require.False(t, out.Success)
			assert.Contains(t, out.AuditLogs[0].Message, "IPassan person c0a80101-0000-4000-8000-000000000999 does not exist, so nothing was "+tt.verb)
			assert.Contains(t, out.AuditLogs[0].Message, "--allow-missing")
			assert.Zero(t, e.fake.Writes())
		})
	}
}

// Reconciliation acts on the reference alone and says so; the actions that
// need person data fail naming why.
func TestReconciliation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{}, employee(floor1))
	rec := func(ac m) m { ac["Origin"] = "reconciliation"; return ac }

	out := e.runWithPerson("revoke", rec(grantContext("emp-1", floor1)), nil)
	succeeded(t, out, helloid.RevokePermission)
	assert.Contains(t, out.AuditLogs[0].Message, "Revoked access profile")
	assert.True(t, strings.HasSuffix(out.AuditLogs[0].Message, "(started by HelloID reconciliation)"))

	e2 := newEnv(t, fake.Options{}, employee(floor1))
	out = e2.runWithPerson("disable", rec(m{"References": m{"Account": "emp-1"}}), nil)
	log := succeeded(t, out, helloid.DisableAccount)
	assert.Contains(t, log.Message, "Disabled IPassan person emp-1")
	assert.Contains(t, log.Message, "(started by HelloID reconciliation)")
	p, _ := e2.person("emp-1")
	assert.Empty(t, slot(p))

	out = e2.runWithPerson("delete", rec(m{"References": m{"Account": "emp-1"}}), nil)
	log = succeeded(t, out, helloid.DeleteAccount)
	assert.Contains(t, log.Message, "(started by HelloID reconciliation)")

	for _, action := range []string{"enable", "update"} {
		e3 := newEnv(t, fake.Options{}, employee(""))
		out = e3.runWithPerson(action, rec(m{"References": m{"Account": "emp-1"}}), nil)
		require.False(t, out.Success, action)
		assert.Contains(t, out.AuditLogs[0].Message, "actionContext.Data is missing: HelloID reconciliation (Origin = reconciliation) sends no person data", action)
		assert.Zero(t, e3.fake.Total(), "%s sent nothing", action)
	}
}

// Update permission is an idempotent grant: a profile removed by hand in
// IPassan comes back, and one that is there is left as it is.
func TestUpdatePermissionPutsARemovedProfileBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{}, employee(""))
	out := e.run("update-permission", grantContext("emp-1", floor1))
	log := succeeded(t, out, helloid.UpdatePermission)
	assert.Contains(t, log.Message, "Granted IPassan person emp-1 (Zoë d'Hondt) access profile")
	p, _ := e.person("emp-1")
	assert.Equal(t, floor1, slot(p))

	e.fake.ResetCounts()
	out = e.run("update-permission", grantContext("emp-1", floor1))
	log = succeeded(t, out, helloid.UpdatePermission)
	assert.Contains(t, log.Message, "already has access profile")
	assert.Zero(t, e.fake.Writes())
}
