package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// hrPerson is a HelloID person as an HR export holds it, mapped by the
// project's fieldMapping.json.
func hrPerson(id, nick, family, mail, title string, inConditions bool) *object.Object {
	raw, _ := json.Marshal(m{"Person": m{
		"ExternalId": id, "DisplayName": nick + " " + family,
		"Name":            m{"NickName": nick, "FamilyName": family, "Convention": "B"},
		"Contact":         m{"Business": m{"Email": mail, "Phone": m{"Mobile": "+31 6 1234"}}},
		"PrimaryContract": m{"Title": m{"Name": title}, "Context": m{"InConditions": inConditions}},
		"Contracts":       []m{{"Title": m{"Name": title}, "Context": m{"InConditions": inConditions}}},
	}})
	o, err := object.DecodeObject(raw)
	if err != nil {
		panic(err)
	}
	return o
}

func TestPlanSaysWhatEnforcementWouldDo(t *testing.T) {
	e := newEnv(t, fake.Options{MaxPageSize: 3},
		fake.Person{UUID: "same", Firstname: "Femke", Lastname: "de Vries", Mail: "f@x.nl", Phone: "+31 6 1234", Number: "1002", Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
		fake.Person{UUID: "mail", Firstname: "Bram", Lastname: "Bos", Mail: "old@x.nl", Phone: "+31 6 1234", Number: "1003", Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
		fake.Person{UUID: "job", Firstname: "Anouk", Lastname: "Jansen", Mail: "a@x.nl", Phone: "+31 6 1234", Number: "1004", Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
		fake.Person{UUID: "off", Firstname: "Daan", Lastname: "Smit", Mail: "d@x.nl", Phone: "+31 6 1234", Number: "1005", Type: 2},
		fake.Person{UUID: "leaver", Firstname: "Eva", Lastname: "Mol", Mail: "e@x.nl", Phone: "+31 6 1234", Number: "1006", Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(allDoors)}},
		fake.Person{UUID: "twin-1", Lastname: "Twin", Number: "1007"},
		fake.Person{UUID: "twin-2", Lastname: "Twin", Number: "1007"},
		fake.Person{UUID: "orphan", Firstname: "Oud", Lastname: "Gediende", Number: "0999", AccessType: fake.Slots{DoorPermanent: ptr(floor2)}},
	)
	persons := []*object.Object{
		hrPerson("1001", "Zoë", "d'Hondt", "z@x.nl", "Medewerker Servicedesk", true),
		hrPerson("1002", "Femke", "de Vries", "f@x.nl", "Medewerker Servicedesk", true),
		hrPerson("1003", "Bram", "Bos", "bram@x.nl", "Medewerker Servicedesk", true),
		hrPerson("1004", "Anouk", "Jansen", "a@x.nl", "Teamleider", true),
		hrPerson("1005", "Daan", "Smit", "d@x.nl", "Consultant", true),
		hrPerson("1006", "Eva", "Mol", "e@x.nl", "Teamleider", false),
		hrPerson("1007", "Tom", "Twin", "t@x.nl", "Consultant", true),
		hrPerson("", "Nobody", "Known", "n@x.nl", "Consultant", true),
		hrPerson("1009", "Kees", "Kok", "k@x.nl", "Kok", true),
	}
	mapping, err := fieldmapping.Load(repotest.Path("fieldMapping.json"))
	require.NoError(t, err)
	raw, _ := json.Marshal(m{"actionContext": m{"Configuration": e.configuration(nil)}})
	in, err := helloid.Decode(raw)
	require.NoError(t, err)
	red := secret.NewRedactor()
	conn, err := connector.New(in, connector.Env{Redactor: red, Log: zerolog.Nop()})
	require.NoError(t, err)

	res, err := conn.Plan(context.Background(), persons, connector.PlanOptions{Mapping: mapping})
	require.NoError(t, err)
	plans := map[string]string{}
	for _, entry := range res.Entries {
		line := ""
		for _, s := range entry.Steps {
			line += "[" + s.Action + ": " + s.Detail + "]"
		}
		plans[entry.ExternalID] = line
	}
	assert.Equal(t, `[create: firstname, lastname, mail, number, phone, type][enable: Floor.1 (`+floor1+`)]`, plans["1001"])
	assert.Equal(t, `[correlate: same (Femke de Vries)][no change: ]`, plans["1002"])
	assert.Equal(t, `[correlate: mail (Bram Bos)][update: mail "old@x.nl" → "bram@x.nl"]`, plans["1003"])
	assert.Equal(t, `[correlate: job (Anouk Jansen)][move profile: Floor.1 (`+floor1+`) → Alle deuren (`+allDoors+`)]`, plans["1004"])
	assert.Equal(t, `[correlate: off (Daan Smit)][enable: Floor.2 (`+floor2+`)]`, plans["1005"])
	assert.Equal(t, `[correlate: leaver (Eva Mol)][disable: remove Alle deuren (`+allDoors+`)]`, plans["1006"])
	assert.Equal(t, `[error: 2 IPassan persons have number = "1007": correlation would fail]`, plans["1007"])
	assert.Equal(t, `[error: the correlation value (Person.ExternalId) is empty]`, plans[""])
	assert.Equal(t, `[create: firstname, lastname, mail, number, phone, type][error: lookup key "Kok" is not in the access-profile mapping table]`, plans["1009"])

	require.Len(t, res.Orphans, 3)
	assert.Equal(t, connector.PlanOrphan{Account: "orphan", Name: "Oud Gediende", Value: "0999", DoorProfile: "Floor.2 (" + floor2 + ")"}, res.Orphans[2])
	assert.Equal(t, map[string]int{"create": 2, "correlate": 5, "update": 1, "enable": 2, "move profile": 1, "disable": 1,
		"no change": 1, "error": 3, "orphan": 3}, res.Summary)
	assert.Equal(t, 8, res.Site)
	assert.Zero(t, e.fake.Writes(), "a plan writes nothing")
}

// With UseIndex, a plan whose persons the site index all names (each
// confirmed by reading it) does not read the site and agrees with the plan
// made from the whole site, orphans aside; one person the index cannot answer
// (a new hire) sends it to the whole site.
func TestPlanThroughTheSiteIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{MaxPageSize: 3},
		fake.Person{UUID: "same", Firstname: "Femke", Lastname: "de Vries", Mail: "f@x.nl", Phone: "+31 6 1234", Number: "1002", Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
		fake.Person{UUID: "job", Firstname: "Anouk", Lastname: "Jansen", Mail: "a@x.nl", Phone: "+31 6 1234", Number: "1004", Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
		fake.Person{UUID: "orphan", Firstname: "Oud", Lastname: "Gediende", Number: "0999"},
	)
	mapping, err := fieldmapping.Load(repotest.Path("fieldMapping.json"))
	require.NoError(t, err)
	known := []*object.Object{
		hrPerson("1002", "Femke", "de Vries", "f@x.nl", "Medewerker Servicedesk", true),
		hrPerson("1004", "Anouk", "Jansen", "a@x.nl", "Teamleider", true),
	}
	// Each plan is a run of its own, with a token of its own, as by hand.
	plan := func(persons []*object.Object, useIndex bool) *connector.PlanResult {
		e.fake.ResetCountsForNextAction()
		res, err := e.planner().Plan(context.Background(), persons, connector.PlanOptions{Mapping: mapping, UseIndex: useIndex})
		require.NoError(t, err)
		return res
	}
	// No index yet: the site is read, and the plan leaves the index behind.
	first := plan(known, true)
	assert.False(t, first.Indexed)
	assert.Positive(t, e.fake.Count(fake.RouteList))

	indexed := plan(known, true)
	assert.True(t, indexed.Indexed)
	assert.Zero(t, e.fake.Count(fake.RouteList), "the site was not read")
	assert.Equal(t, len(known), e.fake.Count(fake.RouteGet), "one read a person")
	assert.Nil(t, indexed.Orphans, "orphans need the whole site")
	whole := plan(known, false)
	assert.Equal(t, whole.Entries, indexed.Entries, "the same plans either way")
	assert.Len(t, whole.Orphans, 1)

	withNew := plan(append(known, hrPerson("1009", "Kees", "Kok", "k@x.nl", "Kok", true)), true)
	assert.False(t, withNew.Indexed, "a new hire is only known new from the whole site")
	assert.Positive(t, e.fake.Count(fake.RouteList))
	assert.Equal(t, connector.StepCreate, withNew.Entries[2].Steps[0].Action)
}

// A mapping whose number is not the ExternalId (padded, say) makes every
// create fail before it looks for anyone; plan says so instead of "create".
func TestPlanSaysWhenCreateWouldFailOnTheCorrelationValue(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.Options{})
	mapping, err := fieldmapping.Load(repotest.Path("testdata", "admin", "fieldMapping.json")) // pads number to 8 digits
	require.NoError(t, err)
	conn := e.planner()

	person, err := object.DecodeObject(repotest.Read(t, "testdata", "persons", "afas-zoe-dhondt.json")) // ExternalId 1001
	require.NoError(t, err)
	pc := object.New()
	pc.Set("Person", person)
	res, err := conn.Plan(context.Background(), []*object.Object{pc}, connector.PlanOptions{Mapping: mapping})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	steps := res.Entries[0].Steps
	require.Len(t, steps, 1)
	assert.Equal(t, connector.StepError, steps[0].Action)
	assert.Contains(t, steps[0].Detail, `create would fail: Data.number "00001001" is not the correlation value "1001"`)

	// Zoë in IPassan already: her plan fails the same way, and her account
	// is hers, not an orphan.
	e.fake.AddPerson(siteID, fake.Person{UUID: "zoe-1", Lastname: "d'Hondt", Number: "1001"})
	res, err = conn.Plan(context.Background(), []*object.Object{pc}, connector.PlanOptions{Mapping: mapping})
	require.NoError(t, err)
	assert.Equal(t, connector.StepError, res.Entries[0].Steps[0].Action)
	assert.Empty(t, res.Orphans, "the account Zoë matches is no orphan")
}

// Beyond MaxIndexedPlan persons, one read of the site costs less than a
// lookup and a read per person: the plan reads the site.
func TestPlanThroughTheIndexIsForAFewPersons(t *testing.T) {
	t.Parallel()
	var site []fake.Person
	var persons []*object.Object
	for i := range connector.MaxIndexedPlan + 1 {
		number := fmt.Sprint(5000 + i)
		site = append(site, fake.Person{UUID: "p-" + number, Lastname: "P", Number: number})
		persons = append(persons, hrPerson(number, "P", "P", "", "Medewerker Servicedesk", true))
	}
	e := newEnv(t, fake.Options{}, site...)
	mapping, err := fieldmapping.Load(repotest.Path("fieldMapping.json"))
	require.NoError(t, err)
	conn := e.planner()
	opts := connector.PlanOptions{Mapping: mapping, UseIndex: true}

	_, err = conn.Plan(context.Background(), persons, opts) // builds the index
	require.NoError(t, err)
	res, err := conn.Plan(context.Background(), persons, opts)
	require.NoError(t, err)
	assert.False(t, res.Indexed, "%d persons: the site is read", len(persons))
	res, err = conn.Plan(context.Background(), persons[:connector.MaxIndexedPlan], opts)
	require.NoError(t, err)
	assert.True(t, res.Indexed, "%d persons: through the index", connector.MaxIndexedPlan)
}

// planner is a connector for plans on e's fake, a run of its own (a token of
// its own), logging nothing.
func (e *env) planner() *connector.Connector {
	e.t.Helper()
	raw, err := json.Marshal(m{"actionContext": m{"Configuration": e.configuration(nil)}})
	require.NoError(e.t, err)
	in, err := helloid.Decode(raw)
	require.NoError(e.t, err)
	conn, err := connector.New(in, connector.Env{Redactor: secret.NewRedactor(), Log: zerolog.Nop()})
	require.NoError(e.t, err)
	return conn
}
