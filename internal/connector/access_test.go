package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func enableContext(key any) m {
	return m{"Data": m{"_extension": m{"accessProfileLookupKey": key}}, "References": m{"Account": "emp-1"}}
}

func TestEnable(t *testing.T) {
	tests := []struct {
		name     string
		account  *fake.Person
		key      any
		config   m
		dryRun   bool
		success  bool
		contains string
		wantSlot string
		writes   int
		requests int
	}{
		{"sets the mapped profile", ptrPerson(employee("")), "Medewerker Servicedesk", nil, false, true,
			"Enabled IPassan person emp-1 (Zoë d'Hondt): door profile Floor.1 (" + floor1 + `) (lookup key "Medewerker Servicedesk"; was none)`, floor1, 1, 4},
		{"key matched case-insensitively and trimmed", ptrPerson(employee("")), "  CONSULTANT ", nil, false, true, "Floor.2", floor2, 1, 4},
		{"replaces another profile", ptrPerson(employee(floor2)), "Teamleider", nil, false, true, "was Floor.2", allDoors, 1, 4},
		{"already right", ptrPerson(employee(floor1)), "Medewerker Servicedesk", nil, false, true, "already has door profile Floor.1", floor1, 0, 2},
		{"unmapped key fails naming it", ptrPerson(employee("")), "Central Web Engineer", nil, false, false,
			`lookup key "Central Web Engineer" is not in the access-profile mapping table; nothing was sent`, "", 0, 0},
		{"empty key", ptrPerson(employee("")), "", nil, false, false, "Data._extension.accessProfileLookupKey is empty", "", 0, 0},
		{"ignored GUID fails", ptrPerson(employee("")), "Spookfunctie", nil, false, false,
			"Could not enable IPassan person emp-1: IPassan ignored access profile Ghost (" + ghost + ") (mapping table line 5, lookup key \"Spookfunctie\"): doorPermanent still holds none; check that the GUID exists in IPassan", "", 1, 4},
		{"not found fails", nil, "Teamleider", nil, false, false, "IPassan person emp-1 was not found", "", 0, 2},
		{"dry run", ptrPerson(employee("")), "Teamleider", nil, true, true, "DryRun: would enable IPassan person emp-1 (Zoë d'Hondt) with door profile Alle deuren", "", 0, 2},
		{"permissions mode leaves access alone", ptrPerson(employee("")), "Teamleider", m{"accessProfileSource": "permissions"}, false, true,
			"access is managed through permissions", "", 0, 2},
		{"missing mapping", ptrPerson(employee("")), "Teamleider", m{"accessProfileMapping": nil}, false, false,
			"configuration key accessProfileMappingPath is missing: enable needs the access-profile mapping table", "", 0, 0},
		{"missing mapping file", ptrPerson(employee("")), "Teamleider", m{"accessProfileMapping": nil, "accessProfileMappingPath": "/nonexistent/AccessProfile.csv"}, false, false,
			`the access-profile mapping file "/nonexistent/AccessProfile.csv" does not exist`, "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var persons []fake.Person
			if tt.account != nil {
				persons = append(persons, *tt.account)
			}
			e := newEnv(t, fake.Options{}, persons...)
			ac := enableContext(tt.key)
			ac["DryRun"] = tt.dryRun
			if tt.config != nil {
				ac["Configuration"] = e.configuration(tt.config)
			}
			out := e.run("enable", ac)
			if tt.success {
				log := succeeded(t, out, helloid.EnableAccount)
				assert.Contains(t, log.Message, tt.contains)
			} else {
				failed(t, out, helloid.EnableAccount, tt.contains)
			}
			if tt.account != nil {
				p, _ := e.person("emp-1")
				assert.Equal(t, tt.wantSlot, p.AccessType.Slot("doorPermanent"))
				assert.Equal(t, floor2, p.AccessType.Slot("doorTemporary"), "other slots never touched")
			}
			assert.Equal(t, tt.writes, e.fake.Writes())
			assert.Equal(t, tt.requests, e.fake.Total())
		})
	}
}

func TestDisable(t *testing.T) {
	tests := []struct {
		name     string
		account  *fake.Person
		dryRun   bool
		contains string
		wantSlot string
		writes   int
		requests int
	}{
		{"clears doorPermanent only", ptrPerson(employee(allDoors)), false, "Disabled IPassan person emp-1 (Zoë d'Hondt): removed door profile Alle deuren (" + allDoors + ")", "", 1, 4},
		{"already without profile", ptrPerson(employee("")), false, "has no door profile; nothing to disable", "", 0, 2},
		{"not found succeeds", nil, false, "IPassan person emp-1 does not exist (any more); nothing to disable", "", 0, 2},
		{"dry run", ptrPerson(employee(allDoors)), true, "DryRun: would disable IPassan person emp-1 (Zoë d'Hondt): remove door profile Alle deuren", allDoors, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var persons []fake.Person
			if tt.account != nil {
				persons = append(persons, *tt.account)
			}
			e := newEnv(t, fake.Options{}, persons...)
			out := e.run("disable", m{"References": m{"Account": "emp-1"}, "DryRun": tt.dryRun})
			log := succeeded(t, out, helloid.DisableAccount)
			assert.Contains(t, log.Message, tt.contains)
			if tt.account != nil {
				p, _ := e.person("emp-1")
				assert.Equal(t, tt.wantSlot, p.AccessType.Slot("doorPermanent"))
				assert.Equal(t, floor2, p.AccessType.Slot("doorTemporary"))
				assert.Equal(t, floor1, p.AccessType.Slot("floorPermanent"))
			}
			assert.Equal(t, tt.writes, e.fake.Writes())
			assert.Equal(t, tt.requests, e.fake.Total())
		})
	}
}

func TestDisableWorksWithoutAMappingTable(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(allDoors))
	ac := m{"References": m{"Account": "emp-1"}, "Configuration": e.configuration(m{"accessProfileMapping": nil, "accessProfileMappingPath": "/nonexistent.csv"})}
	out := e.run("disable", ac)
	log := succeeded(t, out, helloid.DisableAccount)
	assert.Contains(t, log.Message, "removed door profile "+allDoors, "named by GUID when the table cannot be read")
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		account  *fake.Person
		dryRun   bool
		contains string
		exists   bool
		requests int
	}{
		{"deletes", ptrPerson(employee(floor1)), false, "Deleted IPassan person emp-1 (Zoë d'Hondt)", false, 4}, // token, read, delete, read to confirm it is gone
		{"not found succeeds", nil, false, "does not exist (any more); nothing to delete", false, 2},
		{"dry run", ptrPerson(employee(floor1)), true, "DryRun: would delete IPassan person emp-1 (Zoë d'Hondt)", true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var persons []fake.Person
			if tt.account != nil {
				persons = append(persons, *tt.account)
			}
			e := newEnv(t, fake.Options{}, persons...)
			out := e.run("delete", m{"References": m{"Account": "emp-1"}, "DryRun": tt.dryRun})
			log := succeeded(t, out, helloid.DeleteAccount)
			assert.Contains(t, log.Message, tt.contains)
			_, exists := e.person("emp-1")
			assert.Equal(t, tt.exists, exists)
			assert.Equal(t, tt.requests, e.fake.Total())
		})
	}
}

func TestDeleteRaceWithAnotherDeleteSucceeds(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(floor1))
	e.fake.AddFault(fake.Fault{Route: fake.RouteDelete, Status: 404, Times: 1})
	out := e.run("delete", m{"References": m{"Account": "emp-1"}})
	succeeded(t, out, helloid.DeleteAccount)
}

func TestAccessDeniedNamesWhatToCheck(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(floor1))
	ac := m{"References": m{"Account": "emp-1"}, "Configuration": e.configuration(m{"siteId": "11111111-2222-3333-4444-555555555555"})}
	out := e.run("disable", ac)
	failed(t, out, helloid.DisableAccount, "Access Denied")
	assert.Contains(t, out.AuditLogs[0].Message, "check siteId")
}

func ptrPerson(p fake.Person) *fake.Person { return &p }
