package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// importer builds a connector for an import context.
func (e *env) importer(ac m) (*connector.Connector, *helloid.Context) {
	e.t.Helper()
	if _, ok := ac["Configuration"]; !ok {
		ac["Configuration"] = e.configuration(nil)
	}
	raw, err := json.Marshal(m{"actionContext": ac})
	require.NoError(e.t, err)
	in, err := helloid.Decode(raw)
	require.NoError(e.t, err)
	red := secret.NewRedactor()
	conn, err := connector.New(in, connector.Env{Redactor: red, Log: zerolog.New(red.Writer(&e.logs))})
	require.NoError(e.t, err)
	return conn, in
}

func TestImportAccountsStreamsEveryPage(t *testing.T) {
	var persons []fake.Person
	enabled := 0
	for i := range 1234 {
		p := fake.Person{UUID: fmt.Sprintf("p-%04d", i), Firstname: "Zoë", Lastname: fmt.Sprint("Nr ", i), Number: fmt.Sprint(5000 + i),
			Mail: fmt.Sprintf("p%d@example.org", i), Type: 2}
		if i%3 == 0 {
			p.AccessType.DoorPermanent = ptr(floor1)
			enabled++
		}
		if i%7 == 0 {
			p.AccessType.DoorTemporary = ptr(floor2) // not what Enabled means
		}
		persons = append(persons, p)
	}
	persons = append(persons,
		fake.Person{UUID: "no-name", Number: "1"},
		fake.Person{UUID: "long", Firstname: strings.Repeat("é", 80), Lastname: strings.Repeat("x", 80), Mail: strings.Repeat("m", 120)})
	e := newEnv(t, fake.Options{MaxPageSize: 100}, persons...)
	conn, in := e.importer(m{"ImportFields": []string{"firstname", "mail", "_extension.accessProfileLookupKey", "type"},
		"Configuration": e.configuration(m{"pageSize": 500})})

	var got []connector.ImportedAccount
	pagesWhenFirstSeen := -1
	n, err := conn.ImportAccounts(context.Background(), in, func(a connector.ImportedAccount) error {
		if pagesWhenFirstSeen < 0 {
			pagesWhenFirstSeen = e.fake.Count(fake.RouteList)
		}
		got = append(got, a)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 1236, n)
	require.Len(t, got, 1236)
	assert.Equal(t, 1, pagesWhenFirstSeen, "the first account is out before the second page is read")
	pages := e.fake.Count(fake.RouteList)
	assert.True(t, pages >= 13 && pages < 13+8, "500 asked, clamped to 100: 13 pages and at most one window past the end, not %d", pages)

	on := 0
	for _, a := range got {
		if a.Enabled {
			on++
		}
	}
	assert.Equal(t, enabled, on, "Enabled means a doorPermanent profile")

	first := got[0]
	assert.Equal(t, "p-0000", first.AccountReference)
	assert.Equal(t, "Zoë Nr 0", first.DisplayName)
	assert.Equal(t, "p0@example.org", first.UserName)
	b, _ := object.Marshal(first.Data)
	assert.Equal(t, `{"firstname":"Zoë","mail":"p0@example.org","type":"2","number":"5000"}`, string(b), "ImportFields without _extension, plus number")

	noName := got[1234]
	assert.Equal(t, "no-name", noName.DisplayName, "falls back to the uuid")
	assert.Equal(t, "no-name", noName.UserName)
	long := got[1235]
	assert.Len(t, []rune(long.DisplayName), 100)
	assert.Len(t, []rune(long.UserName), 100)
}

func TestImportAccountsFailureAfterSomeLines(t *testing.T) {
	var persons []fake.Person
	for i := range 30 {
		persons = append(persons, fake.Person{Lastname: fmt.Sprint(i)})
	}
	e := newEnv(t, fake.Options{MaxPageSize: 10}, persons...)
	conn, in := e.importer(m{})
	// Faults apply in the order added: the first page passes (a 1 ns delay),
	// the second answers 500, which is not retried.
	e.fake.AddFault(fake.Fault{Route: fake.RouteList, Delay: 1, Times: 1})
	e.fake.AddFault(fake.Fault{Route: fake.RouteList, Status: 500})
	emitted := 0
	n, err := conn.ImportAccounts(context.Background(), in, func(connector.ImportedAccount) error { emitted++; return nil })
	require.Error(t, err)
	assert.Equal(t, 10, n)
	assert.Equal(t, 10, emitted, "the first page's accounts were out before the failure")
	assert.Contains(t, err.Error(), "reading the site's persons after 10 accounts")
}

func TestImportPermissionsBatches(t *testing.T) {
	var persons []fake.Person
	for i := range 1203 {
		persons = append(persons, fake.Person{UUID: fmt.Sprintf("f1-%04d", i), Lastname: "A", AccessType: fake.Slots{DoorPermanent: ptr(floor1)}})
	}
	for i := range 3 {
		persons = append(persons, fake.Person{UUID: fmt.Sprintf("f2-%d", i), Lastname: "B", AccessType: fake.Slots{DoorPermanent: ptr(floor2), DoorTemporary: ptr(allDoors)}})
	}
	persons = append(persons, fake.Person{UUID: "none", Lastname: "C", AccessType: fake.Slots{FloorPermanent: ptr(allDoors)}})
	e := newEnv(t, fake.Options{}, persons...)
	table := "HelloIDLookupKey;AccessProfileName;AccessProfileId\nTeamleider;Alle deuren;" + allDoors + "\nMedewerker;Floor.1;" + floor1 + "\n"
	conn, in := e.importer(m{"Configuration": e.configuration(m{"accessProfileMapping": table})})

	var lines []connector.PermissionBatch
	n, err := conn.ImportPermissions(context.Background(), in, func(b connector.PermissionBatch) error {
		lines = append(lines, b)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	require.Len(t, lines, 4, "Alle deuren is held in other slots only: a permission without members is not written (HelloID's template)")

	for i, size := range []int{500, 500, 203} {
		l := lines[i]
		assert.Equal(t, floor1, l.PermissionReference.Reference)
		assert.Equal(t, "Floor.1", l.DisplayName)
		assert.Len(t, l.AccountReferences, size)
		assert.Contains(t, l.Description, "held by 1203 persons")
	}
	assert.Equal(t, "f1-0500", lines[1].AccountReferences[0], "batches keep the site's order")

	assert.Equal(t, floor2, lines[3].PermissionReference.Reference, "the table's profiles first, then the others")
	assert.Equal(t, floor2, lines[3].DisplayName, "a profile the table does not know is named by its GUID")
	assert.Equal(t, []string{"f2-0", "f2-1", "f2-2"}, lines[3].AccountReferences)
	assert.Equal(t, "IPassan access profile "+floor2+" in doorPermanent, held by 3 persons", lines[3].Description)

	// The sub-permission import: the same profiles, under the dynamic
	// permission, in the template's shape.
	var subs []connector.SubPermissionBatch
	n, err = conn.ImportSubPermissions(context.Background(), in, func(b connector.SubPermissionBatch) error {
		subs = append(subs, b)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	require.Len(t, subs, 4)
	for i, size := range []int{500, 500, 203, 3} {
		assert.Equal(t, connector.DynamicPermissionReference, subs[i].PermissionReference.Reference)
		assert.Equal(t, connector.DynamicPermissionName, subs[i].DisplayName)
		assert.Len(t, subs[i].AccountReferences, size)
	}
	assert.Equal(t, floor1, subs[0].SubPermissionReference.ID)
	assert.Equal(t, "Floor.1", subs[0].SubPermissionDisplayName)
	assert.Equal(t, floor2, subs[3].SubPermissionReference.ID)
	assert.Equal(t, floor2, subs[3].SubPermissionDisplayName)

	// What the dynamic permission set's retrieve script lists is what the
	// sub-permission import refers to.
	listed := e.run("dynamic-permission", m{})
	require.True(t, listed.Success)
	require.Len(t, *listed.Permissions, 1)
	assert.Equal(t, connector.DynamicPermissionReference, (*listed.Permissions)[0].Identification.Reference)
	assert.Empty(t, listed.AuditLogs[0].Action, "listing is none of HelloID's audit Actions")
}

// A whole-site read that reports who holds which profile fails when a
// person's access slots come in a shape the client does not know: read as
// empty, they would tell HelloID's governance that the person holds nothing.
func TestSiteReadsOfProfilesFailOnUnreadableSlots(t *testing.T) {
	t.Parallel()
	shapes := []string{"absent", "list", "snakeCase", "caseTwins", "number", "objectWithoutID", "text", "unknownSlot"}
	reads := map[string]func(*connector.Connector, *helloid.Context) error{
		"import": func(c *connector.Connector, in *helloid.Context) error {
			_, err := c.ImportAccounts(context.Background(), in, func(connector.ImportedAccount) error { return nil })
			return err
		},
		"import-permissions": func(c *connector.Connector, in *helloid.Context) error {
			_, err := c.ImportPermissions(context.Background(), in, func(connector.PermissionBatch) error { return nil })
			return err
		},
		"import-subpermissions": func(c *connector.Connector, in *helloid.Context) error {
			_, err := c.ImportSubPermissions(context.Background(), in, func(connector.SubPermissionBatch) error { return nil })
			return err
		},
		"profiles on persons": func(c *connector.Connector, _ *helloid.Context) error {
			_, _, err := c.ProfilesOnPersons(context.Background())
			return err
		},
	}
	for _, shape := range shapes {
		for name, read := range reads {
			t.Run(shape+"/"+name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, fake.Options{},
					fake.Person{UUID: "holder", Lastname: "Leaver", AccessType: fake.Slots{DoorPermanent: ptr(floor1)}},
					fake.Person{UUID: "plain", Lastname: "Other"})
				conn, in := e.importer(m{})
				require.NoError(t, read(conn, in), "in a shape the client knows, the read succeeds")
				e.fake.AddFault(fake.Fault{Route: fake.RouteList, AccessTypeShape: shape})
				err := read(conn, in)
				require.Error(t, err)
				assert.Contains(t, err.Error(), "cannot be read")
				assert.Contains(t, err.Error(), "so who holds which profile is not known")
			})
		}
	}
}
