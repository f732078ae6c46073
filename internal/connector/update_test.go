package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func employee(profile string) fake.Person {
	p := fake.Person{UUID: "emp-1", Firstname: "Zoë", Lastname: "d'Hondt", Mail: "zoe.dhondt@example.org", Phone: "+31 6 1234",
		Number: "1001", Type: 2, AccessType: fake.Slots{DoorTemporary: ptr(floor2), FloorPermanent: ptr(floor1)}}
	if profile != "" {
		p.AccessType.DoorPermanent = ptr(profile)
	}
	return p
}

func withKey(data m, key any) m {
	data["_extension"] = m{"accessProfileLookupKey": key}
	return data
}

func TestUpdateSendsOnlyWhatDiffers(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(floor1))
	data := newHire()
	data["mail"] = "zoe@example.org"
	data["type"] = 2 // a number equals IPassan's 2
	out := e.run("update", m{"Data": data, "References": m{"Account": "emp-1"}})

	log := succeeded(t, out, helloid.UpdateAccount)
	assert.Equal(t, `Updated IPassan person emp-1 (Zoë d'Hondt): mail "zoe.dhondt@example.org" → "zoe@example.org"`, log.Message)
	prev, _ := out.PreviousData.Get("mail")
	now, _ := out.Data.Get("mail")
	assert.Equal(t, "zoe.dhondt@example.org", prev)
	assert.Equal(t, "zoe@example.org", now)
	assert.Equal(t, 1, e.fake.Count(fake.RouteUpdate))
	p, _ := e.person("emp-1")
	assert.Equal(t, floor1, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, floor2, p.AccessType.Slot("doorTemporary"), "other slots never touched")
	assert.Equal(t, 3, e.fake.Total(), "token, GET, PUT")
}

func TestUpdateWithNothingToChangeSendsNothing(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(floor1))
	out := e.run("update", m{"Data": newHire(), "References": m{"Account": "emp-1"}})
	log := succeeded(t, out, helloid.UpdateAccount)
	assert.Contains(t, log.Message, "is up to date; nothing was sent")
	assert.Zero(t, e.fake.Writes())
	assert.Equal(t, out.Data, out.PreviousData)
}

func TestUpdateMovesProfileOnJobChange(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(floor1))
	out := e.run("update", m{"Data": withKey(newHire(), " teamleider "), "References": m{"Account": "emp-1"}})
	log := succeeded(t, out, helloid.UpdateAccount)
	assert.Contains(t, log.Message, `accessType[doorPermanent] "Floor.1 (`+floor1+`)" → "Alle deuren (`+allDoors+`)"`)
	p, _ := e.person("emp-1")
	assert.Equal(t, allDoors, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, floor2, p.AccessType.Slot("doorTemporary"))
	assert.Equal(t, 2, e.fake.Count(fake.RouteGet), "read, then read back")
}

func TestUpdateAccessRules(t *testing.T) {
	tests := []struct {
		name      string
		profile   string // the account's door profile
		key       any
		config    m
		success   bool
		contains  string
		wantSlot  string
		wantWrite int
	}{
		{"disabled account is never enabled", "", "Teamleider", nil, true, "up to date", "", 0},
		{"disabled account ignores an unmapped key", "", "Nobody Knows", nil, true, "up to date", "", 0},
		{"empty key leaves access alone", floor1, "", nil, true, "up to date", floor1, 0},
		{"null key leaves access alone", floor1, nil, nil, true, "up to date", floor1, 0},
		{"same profile", floor1, "Medewerker Servicedesk", nil, true, "up to date", floor1, 0},
		{"unmapped key fails and writes nothing", floor1, "Nobody Knows", nil, false, `lookup key "Nobody Knows" is not in the access-profile mapping table; nothing was sent`, floor1, 0},
		{"permissions mode leaves access alone", floor1, "Teamleider", m{"accessProfileSource": "permissions"}, true, "up to date", floor1, 0},
		{"ignored GUID is noticed", floor1, "Spookfunctie", nil, false, "IPassan ignored access profile Ghost (" + ghost + ")", floor1, 1},
		{"no mapping configured", floor1, "Teamleider", m{"accessProfileMapping": nil}, false, "configuration key accessProfileMappingPath is missing: update needs the access-profile mapping table", floor1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fake.Options{}, employee(tt.profile))
			ac := m{"Data": withKey(newHire(), tt.key), "References": m{"Account": "emp-1"}}
			if tt.config != nil {
				ac["Configuration"] = e.configuration(tt.config)
			}
			out := e.run("update", ac)
			if tt.success {
				log := succeeded(t, out, helloid.UpdateAccount)
				assert.Contains(t, log.Message, tt.contains)
			} else {
				failed(t, out, helloid.UpdateAccount, tt.contains)
			}
			p, _ := e.person("emp-1")
			assert.Equal(t, tt.wantSlot, p.AccessType.Slot("doorPermanent"))
			assert.Equal(t, tt.wantWrite, e.fake.Writes())
		})
	}
}

func TestUpdateNotFoundAndDryRun(t *testing.T) {
	for _, opts := range []fake.Options{{}, {NotFoundAsEmpty: true}} {
		e := newEnv(t, opts)
		out := e.run("update", m{"Data": newHire(), "References": m{"Account": "gone-1"}})
		failed(t, out, helloid.UpdateAccount, "IPassan person gone-1 was not found")
	}

	e := newEnv(t, fake.Options{}, employee(floor1))
	data := withKey(newHire(), "Teamleider")
	data["lastname"] = "Hondt"
	out := e.run("update", m{"Data": data, "References": m{"Account": "emp-1"}, "DryRun": true})
	log := succeeded(t, out, helloid.UpdateAccount)
	assert.Contains(t, log.Message, `DryRun: would update IPassan person emp-1 (Zoë d'Hondt): lastname "d'Hondt" → "Hondt", accessType[doorPermanent]`)
	assert.Zero(t, e.fake.Writes())
	got, _ := out.Data.Get("lastname")
	assert.Equal(t, "Hondt", got, "Data shows what the update would make of the account")
	p, _ := e.person("emp-1")
	assert.Equal(t, "d'Hondt", p.Lastname)
}

func TestMissingReferenceFailsEveryActionWithoutSending(t *testing.T) {
	for _, action := range []string{"update", "enable", "disable", "delete"} {
		for _, ref := range []any{nil, "", "  "} {
			e := newEnv(t, fake.Options{})
			out := e.run(action, m{"Data": newHire(), "References": m{"Account": ref}})
			require.False(t, out.Success, action)
			assert.Contains(t, out.AuditLogs[0].Message, "References.Account is empty", action)
			assert.Zero(t, e.fake.Total(), action)
		}
	}
}

func TestMalformedReferenceIsRefused(t *testing.T) {
	for _, action := range []string{"update", "enable", "disable", "delete"} {
		e := newEnv(t, fake.Options{}, employee(floor1))
		out := e.run(action, m{"Data": withKey(newHire(), "Teamleider"), "References": m{"Account": "../emp-1"}})
		require.False(t, out.Success, action)
		assert.Contains(t, out.AuditLogs[0].Message, `account reference "../emp-1" is not a valid IPassan uuid`, action)
		assert.Zero(t, e.fake.Writes(), action)
	}
}
