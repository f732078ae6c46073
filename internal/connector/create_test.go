package connector_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func succeeded(t *testing.T, out *helloid.Output, action string) helloid.AuditLog {
	t.Helper()
	require.True(t, out.Success, "audit: %+v", out.AuditLogs)
	require.Len(t, out.AuditLogs, 1)
	assert.Equal(t, action, out.AuditLogs[0].Action)
	assert.False(t, out.AuditLogs[0].IsError)
	return out.AuditLogs[0]
}

func failed(t *testing.T, out *helloid.Output, action, contains string) {
	t.Helper()
	require.False(t, out.Success, "audit: %+v", out.AuditLogs)
	require.Len(t, out.AuditLogs, 1)
	assert.Equal(t, action, out.AuditLogs[0].Action)
	assert.True(t, out.AuditLogs[0].IsError)
	assert.Contains(t, out.AuditLogs[0].Message, contains)
}

func newHire() m {
	return m{
		"firstname": "Zoë", "lastname": "d'Hondt", "mail": "zoe.dhondt@example.org", "phone": "+31 6 1234",
		"number": "1001", "type": "2",
		"_extension": m{"accessProfileLookupKey": "Medewerker Servicedesk"},
	}
}

func correlation(value any) m {
	return m{"Enabled": true, "PersonField": "Person.ExternalId", "PersonFieldValue": value, "AccountField": "number", "AccountFieldValue": value}
}

func TestCreateWithoutMatchCreatesFromDataWithoutExtension(t *testing.T) {
	e := newEnv(t, fake.Options{}, fake.Person{Lastname: "Other", Number: "999"})
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")})

	log := succeeded(t, out, helloid.CreateAccount)
	require.NotNil(t, out.AccountReference)
	assert.False(t, *out.AccountCorrelated)
	p, ok := e.person(*out.AccountReference)
	require.True(t, ok)
	assert.Equal(t, "Zoë", p.Firstname)
	assert.Equal(t, "d'Hondt", p.Lastname)
	assert.Equal(t, "1001", p.Number)
	assert.Equal(t, fake.PersonType(2), p.Type)
	assert.Empty(t, p.AccessType.Slot("doorPermanent"), "create does not give access: enable does")
	assert.Contains(t, log.Message, "Created IPassan person "+p.UUID+" (Zoë d'Hondt)")

	v, _ := out.Data.Get("type")
	assert.Equal(t, "2", v, "Data is the account as IPassan stored it, type as text")
	assert.False(t, out.Data.Has("_extension"))
	assert.ElementsMatch(t, []string{"firstname", "lastname", "mail", "phone", "number", "type"}, out.Data.Keys())
	assert.Equal(t, 1, e.fake.Count(fake.RouteCreate))
	assert.Equal(t, 2, len(e.fake.Persons(siteID)))
}

func TestCreateCorrelatesWithExactlyOne(t *testing.T) {
	tests := []struct {
		name  string
		opts  fake.Options
		value any
	}{
		{"same page", fake.Options{}, "1001"},
		{"number compared as text", fake.Options{}, 1001},
		{"on a later page, server clamps to 3", fake.Options{MaxPageSize: 3}, "1001"},
		{"cursor as text", fake.Options{MaxPageSize: 4, CursorAsText: true}, " 1001 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var persons []fake.Person
			for i := range 10 {
				persons = append(persons, fake.Person{Lastname: fmt.Sprint("P", i), Number: fmt.Sprint(2000 + i)})
			}
			persons = append(persons, fake.Person{UUID: "existing-1", Firstname: "Zoë", Lastname: "d'Hondt", Number: "1001", Type: 2})
			e := newEnv(t, tt.opts, persons...)

			out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation(tt.value)})
			log := succeeded(t, out, helloid.CorrelateAccount)
			assert.Equal(t, "existing-1", *out.AccountReference)
			assert.True(t, *out.AccountCorrelated)
			assert.Contains(t, log.Message, "existing-1 (Zoë d'Hondt)")
			assert.Zero(t, e.fake.Writes(), "correlation writes nothing")
			v, _ := out.Data.Get("number")
			assert.Equal(t, "1001", v)
			if tt.opts.MaxPageSize == 3 {
				pages := e.fake.Count(fake.RouteList)
				// Pages overlap by one row to notice a site that shifts: 11 persons
				// at 3 a page are 5 pages; the pages in flight may ask a few past the end.
				assert.True(t, pages >= 5 && pages <= 10, "11 persons at 3 a page, overlapping by one: %d", pages)
			}
		})
	}
}

func TestCreateCorrelationFailures(t *testing.T) {
	dupes := []fake.Person{{UUID: "a-1", Lastname: "A", Number: "1001"}, {UUID: "a-2", Lastname: "B", Number: "1001"}, {UUID: "a-3", Lastname: "C", Number: "1001"}}
	tests := []struct {
		name     string
		corr     m
		persons  []fake.Person
		contains string
		requests int
	}{
		{"several", correlation("1001"), dupes, `Found 3 IPassan persons with number = "1001" (a-1, a-2, a-3)`, -1},
		{"empty value", correlation(""), nil, "correlation value (Person.ExternalId) is empty", 0},
		{"null value", correlation(nil), nil, "is empty", 0},
		{"no account field", m{"Enabled": true, "PersonField": "Person.ExternalId", "PersonFieldValue": "1001"}, nil, "AccountField is empty", 0},
		{"Data writes another value than correlation looks for", m{"Enabled": true, "PersonField": "Person.ExternalId", "PersonFieldValue": "01001", "AccountField": "Number"}, nil,
			`Data.number "1001" is not the correlation value "01001" (Person.ExternalId)`, 0},
		{"field IPassan does not have", m{"Enabled": "True", "PersonFieldValue": "1001", "AccountField": "ExternalId"}, dupes,
			`Data has no ExternalId, the correlation field (CorrelationConfiguration.AccountField) (and "ExternalId" is not an IPassan person field`, 0},
		{"Data without the correlation field", m{"Enabled": true, "PersonField": "Person.ExternalId", "PersonFieldValue": "1001", "AccountField": "other"}, nil,
			`Data has no other, the correlation field`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fake.Options{}, tt.persons...)
			out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": tt.corr})
			failed(t, out, helloid.CorrelateAccount, tt.contains)
			assert.Nil(t, out.AccountReference)
			assert.Zero(t, e.fake.Writes(), "nothing was sent")
			if tt.requests >= 0 {
				assert.Equal(t, tt.requests, e.fake.Total())
			}
			assert.Len(t, e.fake.Persons(siteID), len(tt.persons))
		})
	}
}

func TestCreateWithCorrelationDisabledAlwaysCreates(t *testing.T) {
	e := newEnv(t, fake.Options{}, fake.Person{UUID: "existing-1", Lastname: "d'Hondt", Number: "1001"})
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": m{"Enabled": false, "AccountField": "number", "PersonFieldValue": "1001"}})
	succeeded(t, out, helloid.CreateAccount)
	assert.NotEqual(t, "existing-1", *out.AccountReference)
	assert.Zero(t, e.fake.Count(fake.RouteList), "no scan")
	assert.Equal(t, 2, e.fake.Total(), "token and POST")
}

func TestCreateDryRunWritesNothing(t *testing.T) {
	e := newEnv(t, fake.Options{})
	out := e.run("create", m{"Data": newHire(), "CorrelationConfiguration": correlation("1001"), "DryRun": true})
	log := succeeded(t, out, helloid.CreateAccount)
	assert.Contains(t, log.Message, `DryRun: would create IPassan person "Zoë d'Hondt" with firstname, lastname, mail, number, phone, type`)
	require.NotNil(t, out.AccountReference)
	assert.Equal(t, "Currently not available", *out.AccountReference, "HelloID's placeholder for an account a preview did not create")
	assert.Zero(t, e.fake.Writes())
	assert.Equal(t, 1, e.fake.Count(fake.RouteList), "the correlation scan still runs")
	v, _ := out.Data.Get("firstname")
	assert.Equal(t, "Zoë", v)
}

func TestCreateFailsClearly(t *testing.T) {
	e := newEnv(t, fake.Options{})
	out := e.run("create", m{})
	failed(t, out, helloid.CreateAccount, "actionContext.Data is missing")

	data := newHire()
	data["type"] = "9"
	out = e.run("create", m{"Data": data})
	failed(t, out, helloid.CreateAccount, `Could not create IPassan person "Zoë d'Hondt"`)
	assert.Contains(t, out.AuditLogs[0].Message, "type must be 1, 2 or 3", "IPassan's own message")

	data = newHire()
	data["firstname"] = m{"nested": true}
	out = e.run("create", m{"Data": data})
	failed(t, out, helloid.CreateAccount, "Data.firstname must be text, got an object")
	assert.Zero(t, e.fake.Count(fake.RouteCreate)-1, "only the type=9 attempt reached IPassan")
}

func TestCreateNeverSendsFieldsIPassanOwns(t *testing.T) {
	e := newEnv(t, fake.Options{})
	data := newHire()
	data["architecture"] = "x"
	data["uuid"] = "chosen"
	data["accessType"] = m{"doorPermanent": floor1}
	out := e.run("create", m{"Data": data})
	succeeded(t, out, helloid.CreateAccount)
	p, _ := e.person(*out.AccountReference)
	assert.NotEqual(t, "chosen", p.UUID)
	assert.Empty(t, p.AccessType.Slot("doorPermanent"))
	assert.Contains(t, e.logs.String(), "are not sent")
}

func TestValuesSurviveCreateAndUpdateByteForByte(t *testing.T) {
	values := []string{"Zoë & Ĳsbrand", "d'Hondt=1+1", "100% echt", "a;b,c/d?e#f", "Ångström\u00a0nbsp", "line\nbreak", "emoji 🚪"}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			data := newHire()
			data["firstname"], data["other"] = v, v
			out := e.run("create", m{"Data": data})
			succeeded(t, out, helloid.CreateAccount)
			ref := *out.AccountReference
			p, _ := e.person(ref)
			assert.Equal(t, v, p.Firstname)
			assert.Equal(t, v, p.Other)

			data["lastname"] = v + " (updated)"
			out = e.run("update", m{"Data": data, "References": m{"Account": ref}})
			succeeded(t, out, helloid.UpdateAccount)
			p, _ = e.person(ref)
			assert.Equal(t, v+" (updated)", p.Lastname)
			assert.Equal(t, v, p.Firstname)
			got, _ := out.Data.Get("lastname")
			assert.Equal(t, v+" (updated)", got)
		})
	}
}
