package connector_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestUniqueness(t *testing.T) {
	t.Parallel()
	site := []fake.Person{
		{UUID: "emp-1", Lastname: "d'Hondt", Mail: "zoe.dhondt@example.org", Number: "1001"},
		{UUID: "other-1", Lastname: "Jansen", Mail: " ANOUK@example.org ", Number: "2002"},
	}
	tests := []struct {
		name     string
		context  m
		want     []string
		contains string
	}{
		{"create: mail held by another, compared trimmed and without case", m{"Data": m{"Mail": "anouk@EXAMPLE.org", "number": "3003"}},
			[]string{"Mail"}, `Mail "anouk@EXAMPLE.org" is held by IPassan person other-1`},
		{"create: free mail", m{"Data": m{"mail": "new@example.org"}}, []string{}, "No other of the 2 persons of the site holds the same mail"},
		{"update: the account's own values are not a collision", m{"Data": m{"mail": "zoe.dhondt@example.org"}, "References": m{"Account": "EMP-1"}},
			[]string{}, "No other"},
		{"fields named by the context, number too", m{"Data": m{"mail": "zoe.dhondt@example.org", "number": "2002"}, "UniqueFieldNames": []string{"mail", "number"},
			"CorrelationConfiguration": m{"Enabled": false}},
			[]string{"mail", "number"}, "number \"2002\" is held by IPassan person other-1"},
		{"fields as text", m{"Data": m{"number": "2002"}, "UniqueFieldNames": "number, other", "CorrelationConfiguration": m{"Enabled": false}},
			[]string{"number"}, "held by"},
		{"an empty value collides with nobody", m{"Data": m{"mail": "  "}}, []string{}, "Nothing to check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, fake.Options{}, site...)
			out := e.run("uniqueness", tt.context)
			require.True(t, out.Success, "audit: %+v", out.AuditLogs)
			require.NotNil(t, out.NonUniqueFields)
			assert.Equal(t, tt.want, *out.NonUniqueFields)
			assert.Contains(t, out.AuditLogs[0].Message, tt.contains)
			assert.Zero(t, e.fake.Writes())
		})
	}
}

func TestUniquenessFailsClearly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{})
	out := e.run("uniqueness", m{})
	require.False(t, out.Success)
	assert.Contains(t, out.AuditLogs[0].Message, "actionContext.Data is missing")
	out = e.run("uniqueness", m{"Data": m{"mail": "x@example.org"}, "UniqueFieldNames": []any{m{"a": 1}}})
	require.False(t, out.Success)
	assert.Contains(t, out.AuditLogs[0].Message, "UniqueFieldNames[0] must be a field name")
}

// HelloID runs the uniqueness check before a create correlates: the IPassan
// person that create would take over is this person, so its mail is not
// "another's". It is found by the context's correlation, else by Data's
// number (importCorrelationField). Its number still counts when number
// itself is checked.
func TestUniquenessIgnoresThePersonACreateCorrelatesWith(t *testing.T) {
	t.Parallel()
	site := []fake.Person{
		{UUID: "femke", Lastname: "de Vries", Mail: "femke@example.org", Number: "1002"},
		{UUID: "other-1", Lastname: "Jansen", Mail: "anouk@example.org", Number: "2002"},
	}
	byNumber := m{"Enabled": true, "PersonField": "Person.ExternalId", "PersonFieldValue": "1002", "AccountField": "number", "AccountFieldValue": "1002"}
	tests := []struct {
		name     string
		context  m
		want     []string
		contains string
	}{
		{"by the context's correlation", m{"Data": m{"mail": "FEMKE@example.org", "number": "1002"}, "CorrelationConfiguration": byNumber},
			[]string{}, `IPassan person femke has number = "1002": the person a create of this person correlates with`},
		{"by Data's number, without correlation in the context", m{"Data": m{"mail": "femke@example.org", "number": "1002"}},
			[]string{}, "the person a create of this person correlates with"},
		{"another person's mail still clashes", m{"Data": m{"mail": "anouk@example.org", "number": "1002"}, "CorrelationConfiguration": byNumber},
			[]string{"mail"}, "held by IPassan person other-1"},
		{"a new person with Femke's mail clashes", m{"Data": m{"mail": "femke@example.org", "number": "3003"}},
			[]string{"mail"}, "held by IPassan person femke"},
		{"the twin's number is its own too", m{"Data": m{"mail": "femke@example.org", "number": "1002"}, "UniqueFieldNames": []string{"mail", "number"}},
			[]string{}, "the person a create of this person correlates with"},
		{"correlation off: a create makes a new person, so Femke is another", m{"Data": m{"mail": "femke@example.org", "number": "1002"},
			"CorrelationConfiguration": m{"Enabled": false}}, []string{"mail"}, "held by IPassan person femke"},
		{"an update's check: only References.Account is this person", m{"Data": m{"mail": "femke@example.org", "number": "1002"},
			"References": m{"Account": "other-1"}}, []string{"mail"}, "held by IPassan person femke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, fake.Options{}, site...)
			out := e.run("uniqueness", tt.context)
			require.True(t, out.Success, "audit: %+v", out.AuditLogs)
			require.NotNil(t, out.NonUniqueFields)
			assert.Equal(t, tt.want, *out.NonUniqueFields)
			var said []string
			for _, l := range out.AuditLogs {
				said = append(said, l.Message)
			}
			assert.Contains(t, strings.Join(said, "\n"), tt.contains)
			assert.Zero(t, e.fake.Writes())
		})
	}
}

// With two persons holding the correlation value, correlation would fail:
// neither is this person for sure, so both count.
func TestUniquenessWithTwoTwinsCountsBoth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{},
		fake.Person{UUID: "twin-1", Lastname: "A", Mail: "a@example.org", Number: "1002"},
		fake.Person{UUID: "twin-2", Lastname: "B", Mail: "b@example.org", Number: "1002"})
	out := e.run("uniqueness", m{"Data": m{"mail": "a@example.org", "number": "1002"}, "UniqueFieldNames": []string{"mail", "number"}})
	require.True(t, out.Success, "audit: %+v", out.AuditLogs)
	assert.Equal(t, []string{"mail", "number"}, *out.NonUniqueFields)
}
