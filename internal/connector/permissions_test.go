package connector_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestPermissionsListsTheTableOncePerProfile(t *testing.T) {
	long := strings.Repeat("Ä", 120)
	table := "HelloIDLookupKey;AccessProfileName;AccessProfileId\n" +
		"Teamleider;Alle deuren;" + allDoors + "\n" +
		"Medewerker;Floor.1;" + floor1 + "\n" +
		"Stagiair;Floor.1 (stage);" + strings.ToUpper(floor1) + "\n" + // same GUID, other case: listed once
		"Directie;" + long + ";" + floor2 + "\n"
	e := newEnv(t, fake.Options{})
	out := e.run("permissions", m{"Configuration": e.configuration(m{"accessProfileMapping": table})})
	succeeded(t, out, helloid.NoAction) // listing is none of HelloID's audit Actions
	require.NotNil(t, out.Permissions)
	perms := *out.Permissions
	require.Len(t, perms, 3)
	assert.Equal(t, helloid.Permission{DisplayName: "Alle deuren", Identification: helloid.Identification{Reference: allDoors}}, perms[0])
	assert.Equal(t, helloid.Permission{DisplayName: "Floor.1", Identification: helloid.Identification{Reference: floor1}}, perms[1])
	assert.Equal(t, strings.Repeat("Ä", 100), perms[2].DisplayName, "at most 100 characters")
	assert.Zero(t, e.fake.Total(), "the table alone needs no request")
}

func TestPermissionsCanAddProfilesSeenOnPersons(t *testing.T) {
	e := newEnv(t, fake.Options{MaxPageSize: 2},
		fake.Person{Lastname: "A", AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
		fake.Person{Lastname: "B", AccessType: fake.Slots{DoorPermanent: ptr(floor2)}},
		fake.Person{Lastname: "C"},
		fake.Person{Lastname: "D", AccessType: fake.Slots{FloorTemporary: ptr(allDoors)}}) // not the permission slot: not offered
	e.fake.AddPerson(siteID, fake.Person{Lastname: "E"})
	// Floor.2 is in persons' permission slot but not in this table: it is
	// listed by GUID.
	table := "HelloIDLookupKey;AccessProfileName;AccessProfileId\nMedewerker;Floor.1;" + floor1 + "\n"
	out := e.run("permissions", m{"Configuration": e.configuration(m{"accessProfileMapping": table, "permissionsIncludeSiteProfiles": "true"})})
	succeeded(t, out, helloid.NoAction)
	var refs []string
	for _, p := range *out.Permissions {
		refs = append(refs, p.DisplayName+"="+p.Identification.Reference)
	}
	assert.Equal(t, []string{"Floor.1=" + floor1, floor2 + "=" + floor2}, refs)
	pages := e.fake.Count(fake.RouteList)
	// Pages of 2 overlapping by one row: 4 pages, a few more asked past the end.
	assert.True(t, pages >= 4 && pages <= 8, "5 persons at 2 a page: %d pages", pages)
}

func grantContext(ref string, permission any) m {
	return m{"References": m{"Account": ref, "Permission": permission}, "PermissionDisplayName": ""}
}

func TestGrant(t *testing.T) {
	tests := []struct {
		name       string
		account    *fake.Person
		permission any
		config     m
		dryRun     bool
		success    bool
		contains   string
		slot       string // the permission slot's profile afterwards
		writes     int
	}{
		{"grants", ptrPerson(employee("")), m{"Reference": floor1}, nil, false, true,
			"Granted IPassan person emp-1 (Zoë d'Hondt) access profile Floor.1 (" + floor1 + ") in doorPermanent", floor1, 1},
		{"grant over another profile replaces it", ptrPerson(employee(floor2)), m{"Reference": allDoors}, nil, false, true,
			"replacing Floor.2 (" + floor2 + ") (a slot holds one profile)", allDoors, 1},
		{"reference as an object with Id", ptrPerson(employee("")), m{"Id": floor1}, nil, false, true, "Granted", floor1, 1},
		{"reference as text", ptrPerson(employee("")), floor1, nil, false, true, "Granted", floor1, 1},
		{"already granted", ptrPerson(employee(floor1)), m{"Reference": strings.ToUpper(floor1)}, nil, false, true, "already has access profile", floor1, 0},
		{"not found fails", nil, m{"Reference": floor1}, nil, false, false, "IPassan person emp-1 was not found", "", 0},
		{"ignored GUID fails", ptrPerson(employee("")), m{"Reference": ghost}, nil, false, false,
			"IPassan ignored access profile Ghost (" + ghost + ") (granted by HelloID): doorPermanent still holds none", "", 1},
		{"dry run writes nothing", ptrPerson(employee(floor2)), m{"Reference": allDoors}, nil, true, true,
			"DryRun: would grant IPassan person emp-1 (Zoë d'Hondt) access profile Alle deuren (" + allDoors + ") in doorPermanent, replacing Floor.2", floor2, 0},
		{"another slot", ptrPerson(employee(floor2)), m{"Reference": allDoors}, m{"permissionAccessType": "floorTemporary"}, false, true, "in floorTemporary", floor2, 1},
		{"no permission", ptrPerson(employee("")), nil, nil, false, false, "References.Permission is empty", "", 0},
		{"hostile permission", ptrPerson(employee("")), m{"Reference": "../x"}, nil, false, false, `References.Permission "../x" is not an access-profile GUID`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var persons []fake.Person
			if tt.account != nil {
				persons = append(persons, *tt.account)
			}
			e := newEnv(t, fake.Options{}, persons...)
			ac := grantContext("emp-1", tt.permission)
			ac["DryRun"] = tt.dryRun
			if tt.config != nil {
				ac["Configuration"] = e.configuration(tt.config)
			}
			out := e.run("grant", ac)
			if tt.success {
				log := succeeded(t, out, helloid.GrantPermission)
				assert.Contains(t, log.Message, tt.contains)
			} else {
				failed(t, out, helloid.GrantPermission, tt.contains)
			}
			if tt.account != nil {
				p, _ := e.person("emp-1")
				assert.Equal(t, tt.slot, slot(p))
				if tt.config != nil {
					assert.Equal(t, allDoors, p.AccessType.Slot("floorTemporary"))
				}
			}
			assert.Equal(t, tt.writes, e.fake.Writes())
		})
	}
}

func TestRevoke(t *testing.T) {
	tests := []struct {
		name     string
		account  *fake.Person
		revoked  string
		dryRun   bool
		contains string
		slot     string
		writes   int
	}{
		{"clears the current profile", ptrPerson(employee(floor1)), floor1, false,
			"Revoked access profile Floor.1 (" + floor1 + ") in doorPermanent from IPassan person emp-1 (Zoë d'Hondt)", "", 1},
		{"a replaced profile is left alone", ptrPerson(employee(allDoors)), floor1, false,
			"holds Alle deuren (" + allDoors + ") in doorPermanent, not Floor.1 (" + floor1 + "): it was replaced, so it is left alone", allDoors, 0},
		{"nothing in the slot", ptrPerson(employee("")), floor1, false, "has no access profile in doorPermanent; nothing to revoke", "", 0},
		{"not found succeeds", nil, floor1, false, "does not exist (any more); nothing to revoke", "", 0},
		{"dry run", ptrPerson(employee(floor1)), floor1, true, "DryRun: would revoke access profile Floor.1", floor1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var persons []fake.Person
			if tt.account != nil {
				persons = append(persons, *tt.account)
			}
			e := newEnv(t, fake.Options{}, persons...)
			ac := grantContext("emp-1", m{"Reference": tt.revoked})
			ac["DryRun"] = tt.dryRun
			out := e.run("revoke", ac)
			log := succeeded(t, out, helloid.RevokePermission)
			assert.Contains(t, log.Message, tt.contains)
			if tt.account != nil {
				p, _ := e.person("emp-1")
				assert.Equal(t, tt.slot, slot(p))
				assert.Equal(t, floor2, p.AccessType.Slot("doorTemporary"))
			}
			assert.Equal(t, tt.writes, e.fake.Writes())
		})
	}
}

// HelloID grants the new profile before it revokes the old one; the revoke
// must not take the new one away.
func TestGrantThenRevokeOfTheReplacedProfile(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(floor1))
	succeeded(t, e.run("grant", grantContext("emp-1", m{"Reference": allDoors})), helloid.GrantPermission)
	succeeded(t, e.run("revoke", grantContext("emp-1", m{"Reference": floor1})), helloid.RevokePermission)
	p, _ := e.person("emp-1")
	assert.Equal(t, allDoors, slot(p))
	assert.Equal(t, 1, e.fake.Writes())
}

func contract(title string, inConditions bool) m {
	return m{"Context": m{"InConditions": inConditions}, "Title": m{"Name": title}, "Department": m{"DisplayName": "ICT"}}
}

func subContext(op string, current []m, contracts ...m) m {
	list := make([]any, len(contracts))
	for i, c := range contracts {
		list[i] = c
	}
	cur := make([]any, len(current))
	for i, c := range current {
		cur[i] = c
	}
	return m{"References": m{"Account": "emp-1"}, "Operation": op, "CurrentPermissions": cur,
		"personContext": m{"Person": m{"Contracts": list}}}
}

func (e *env) runSub(ac m) *helloid.Output {
	e.t.Helper()
	pc := ac["personContext"]
	delete(ac, "personContext")
	return e.runWithPerson("subpermissions", ac, pc.(m))
}

func current(id, name string) m { return m{"DisplayName": name, "Reference": m{"Id": id}} }

func TestSubPermissions(t *testing.T) {
	tests := []struct {
		name     string
		profile  string // the account's slot before
		ac       m
		dryRun   bool
		want     []string // desired SubPermissions references
		slot     string
		writes   int
		contains []string
	}{
		{"two contracts, different profiles: the first row wins", "",
			subContext("grant", nil, contract("Consultant", true), contract("Teamleider", true)), false,
			[]string{allDoors}, allDoors, 1,
			[]string{"Contracts map to 2 profiles", "Alle deuren (" + allDoors + ") wins because its row comes first", "Granted"}},
		{"contracts out of conditions are ignored", "",
			subContext("grant", nil, contract("Teamleider", false), contract("Consultant", true)), false,
			[]string{floor2}, floor2, 1, []string{"Granted IPassan person emp-1"}},
		{"a DryRun considers all contracts and writes nothing", "",
			subContext("grant", nil, contract("Teamleider", false), contract("Consultant", true)), true,
			[]string{allDoors}, "", 0, []string{"DryRun: would grant"}},
		{"job change: grant the new, the old revoke is a no-op", floor1,
			subContext("update", []m{current(floor1, "Floor.1")}, contract("Consultant", true)), false,
			[]string{floor2}, floor2, 1, []string{"Granted", "replacing Floor.1", "it was replaced, so it is left alone"}},
		{"unchanged: nothing written", floor2,
			subContext("update", []m{current(floor2, "Floor.2")}, contract("Consultant", true)), false,
			[]string{floor2}, floor2, 0, []string{"already has access profile Floor.2"}},
		{"restores a profile removed by hand", "",
			subContext("update", []m{current(floor2, "Floor.2")}, contract("Consultant", true)), false,
			[]string{floor2}, floor2, 1, []string{"Granted"}},
		{"operation revoke removes all", floor2,
			subContext("revoke", []m{current(floor2, "Floor.2")}, contract("Consultant", true)), false,
			nil, "", 1, []string{"Revoked access profile Floor.2"}},
		{"no contract maps: the current one is revoked", floor2,
			subContext("update", []m{current(floor2, "Floor.2")}, contract("Kok", true)), false,
			nil, "", 1, []string{`No contract's Title.Name is in the mapping table ("Kok")`, "Revoked"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fake.Options{}, employee(tt.profile))
			tt.ac["DryRun"] = tt.dryRun
			out := e.runSub(tt.ac)
			require.True(t, out.Success, "%+v", out.AuditLogs)
			require.NotNil(t, out.SubPermissions)
			var got []string
			for _, sp := range *out.SubPermissions {
				got = append(got, sp.Reference.ID)
			}
			assert.Equal(t, tt.want, got)
			var logs []string
			for _, l := range out.AuditLogs {
				assert.False(t, l.IsError)
				logs = append(logs, l.Action+": "+l.Message)
			}
			for _, c := range tt.contains {
				assert.Contains(t, strings.Join(logs, "\n"), c)
			}
			p, _ := e.person("emp-1")
			assert.Equal(t, tt.slot, slot(p))
			assert.Equal(t, tt.writes, e.fake.Writes())
		})
	}
}

func TestSubPermissionsNotFound(t *testing.T) {
	e := newEnv(t, fake.Options{})
	out := e.runSub(subContext("grant", nil, contract("Consultant", true)))
	require.False(t, out.Success)
	assert.Contains(t, out.AuditLogs[len(out.AuditLogs)-1].Message, "IPassan person emp-1 was not found")

	out = e.runSub(subContext("revoke", []m{current(floor2, "Floor.2")}))
	require.True(t, out.Success, "revoking from a person that is gone succeeds")
}

func TestPermissionsModeDisableStillClearsDoorPermanent(t *testing.T) {
	e := newEnv(t, fake.Options{}, employee(allDoors))
	ac := m{"References": m{"Account": "emp-1"}, "Configuration": e.configuration(m{"accessProfileSource": "permissions"})}
	succeeded(t, e.run("disable", ac), helloid.DisableAccount)
	p, _ := e.person("emp-1")
	assert.Equal(t, "", slot(p))
}

// Contracts in a shape that is not a list of contracts never read as "no
// contract" (which would take the door profile away); the shape Windows
// PowerShell 5.1 gives an array wrapped in an object is read as the list.
func TestSubPermissionsContractsShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		contracts any
		ok        bool
		slot      string // the slot afterwards
	}{
		{"PowerShell 5.1's {value, Count}", m{"value": []any{contract("Consultant", true)}, "Count": 1}, true, floor2},
		{"one contract, unrolled", contract("Consultant", true), true, floor2},
		{"text", "System.Object[]", false, floor2},
		{"a number", 3, false, floor2},
		{"a list of text", []any{"Consultant"}, false, floor2},
		{"a wrapper whose value is text", m{"value": "Consultant", "Count": 1}, false, floor2},
		{"a wrapper whose value is one contract", m{"value": contract("Consultant", true), "Count": 1}, false, floor2},
		{"a wrapper without Count", m{"value": []any{contract("Consultant", true)}}, false, floor2},
		{"Count alone", m{"Count": 1}, false, floor2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, fake.Options{}, employee(floor2))
			ac := subContext("update", []m{current(floor2, "Floor.2")})
			ac["personContext"] = m{"Person": m{"Contracts": tt.contracts}}
			out := e.runSub(ac)
			assert.Equal(t, tt.ok, out.Success, "%+v", out.AuditLogs)
			p, _ := e.person("emp-1")
			assert.Equal(t, tt.slot, slot(p), "the profile stays")
			if !tt.ok {
				assert.Zero(t, e.fake.Writes())
				assert.Contains(t, out.AuditLogs[len(out.AuditLogs)-1].Message, "Contracts")
			}
		})
	}
}
