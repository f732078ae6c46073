package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// The profiles of the PowerShell connector's AccessProfile.csv.
const (
	psFloor1 = "51ee893c-bb6e-4a65-b852-f79d09e242b1" // Tester
	psFloor2 = "8b32bb39-5e9f-459b-8bf1-a864c35b3f79" // Consultant Software, SALES, …
	psSite   = "5d1f0a2e-8c3b-4f7a-9e61-2b4c6d8e0f13"
	psSecret = "Migr&ted=+%secret"
)

// psFixture is a file of the public PowerShell connector, used unchanged.
func psFixture(name string) string {
	return repotest.Path("testdata", "fixtures", "powershell-connector", name)
}

// demoPersonWith writes a copy of HelloID's demo person, changed.
func demoPersonWith(t *testing.T, change func(person *object.Object)) string {
	t.Helper()
	raw := repotest.Read(t, "testdata", "fixtures", "helloid-template", "demoPerson.json")
	person, err := object.DecodeObject(raw)
	require.NoError(t, err)
	change(person)
	b, err := object.Marshal(person)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "person.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// withTitle writes a copy of HelloID's demo person with another job title.
func withTitle(t *testing.T, title string) string {
	return demoPersonWith(t, func(p *object.Object) { p.Object("PrimaryContract").Object("Title").Set("Name", title) })
}

// withADMail writes a copy of HelloID's demo person whose Active Directory
// account has a mail, which the PowerShell connector's Complex mapping sends.
func withADMail(t *testing.T, mail string) string {
	return demoPersonWith(t, func(p *object.Object) {
		ad := object.New()
		ad.Set("mail", mail)
		accounts := object.New()
		accounts.Set("MicrosoftActiveDirectory", ad)
		p.Set("Accounts", accounts)
	})
}

// withUniqueFields writes a copy of the PowerShell connector's fieldMapping.json whose
// UniqueFieldNames lists fields, as HelloID exports it once fields are marked
// unique.
func withUniqueFields(t *testing.T, fields ...string) string {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(repotest.Read(t, "testdata", "fixtures", "powershell-connector", "fieldMapping.json"), &doc))
	doc["UniqueFieldNames"] = fields
	return writeJSONFile(t, "fieldMapping.json", doc)
}

// clearByHand empties a person's door profile straight in IPassan, as someone
// in IPassan's own screens would, outside HelloID.
func clearByHand(t *testing.T, url, uuid string) {
	t.Helper()
	base, err := neturl.Parse(url)
	require.NoError(t, err)
	client, err := ipassan.New(ipassan.Options{BaseURL: base, SiteID: psSite, ClientID: "helloid-migration", ClientSecret: secret.New(psSecret)})
	require.NoError(t, err)
	var form ipassan.Form
	form.SetSlot(ipassan.SlotDoorPermanent, "")
	_, _, err = client.UpdatePerson(context.Background(), uuid, form)
	require.NoError(t, err)
}

// A customer's files from the PowerShell connector work unchanged: its
// configuration.json (keys clientID, clientSecret, BaseUrl, siteId, all empty)
// filled by a flat overlay, its fieldMapping.json with the Complex mail
// mapping, and its AccessProfile.csv as accessProfileMappingPath; the person
// is HelloID's template person. IPassan's state is checked after each step,
// through the lifecycle and this round's actions: the uniqueness check, the
// permissions' force update, the dynamic permission and its import.
func TestPowerShellConnectorFilesWorkUnchanged(t *testing.T) {
	t.Parallel()
	f := fake.New(fake.Seed{
		Clients: []fake.Credential{{ClientID: "helloid-migration", ClientSecret: psSecret}},
		AccessProfiles: []fake.Profile{{UUID: psFloor1, Name: "Floor.1"}, {UUID: psFloor2, Name: "Floor.2"},
			{UUID: "759e0521-32a2-43d2-b0d7-585001743b64", Name: "ALL"}, {UUID: "ababca14-9608-4e4f-93be-0bd8cc4814cd", Name: "Floor.3"}},
		Bases: []fake.BaseSeed{{UUID: "b", Sites: []fake.SiteSeed{{UUID: psSite, Name: "Main"}}}},
	}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	// A colleague already in IPassan, whose mail a new hire must not get.
	const colleague = "0b0e5c1a-7f2d-4c3b-9a8e-1d2c3b4a5f60"
	_, ok := f.AddPerson(psSite, fake.Person{UUID: colleague, Firstname: "Casper", Lastname: "Bos", Mail: "c.bos@example.com", Number: "555", Type: 2})
	require.True(t, ok)

	overlay := writeJSONFile(t, "overlay.json", m{"clientID": "helloid-migration", "BaseUrl": srv.URL, "siteId": psSite,
		"accessProfileMappingPath": psFixture("AccessProfile.csv")})
	config := []string{"--config", psFixture("configuration.json"), "--config", overlay}
	mapping := []string{"--field-mapping", psFixture("fieldMapping.json")}
	demoPerson := repotest.Path("testdata", "fixtures", "helloid-template", "demoPerson.json")

	run := func(t *testing.T, wantCode int, args ...string) result {
		t.Helper()
		r := invocation{env: map[string]string{contextbuild.EnvClientSecret: psSecret}}.run(t, append(args, config...)...)
		require.Equal(t, wantCode, r.code, "%s\n%s", r.stdout, r.stderr)
		assert.NotContains(t, r.stdout+r.stderr, "Migr&ted", "the secret is never printed")
		return r
	}
	// act runs an action on the configuration alone; mapped adds the field
	// mapping, for the actions that build Data.
	act := func(t *testing.T, wantCode int, args ...string) helloid.Output {
		t.Helper()
		return output(t, run(t, wantCode, args...))
	}
	mapped := func(t *testing.T, wantCode int, args ...string) helloid.Output {
		t.Helper()
		return act(t, wantCode, append(args, mapping...)...)
	}
	person := func(uuid string) fake.Person {
		p, ok := f.Person(psSite, uuid)
		require.True(t, ok)
		return p
	}
	nonUnique := func(t *testing.T, out helloid.Output) []string {
		t.Helper()
		require.NotNil(t, out.NonUniqueFields, "the uniqueness check answers NonUniqueFields: %+v", out)
		return *out.NonUniqueFields
	}

	// uniqueness, before the create: a new hire whose AD mail the colleague
	// already has in IPassan (compared trimmed, without regard to case) is
	// told so; for the colleague's own account the same mail is no clash.
	// fieldMapping.json lists no UniqueFieldNames, so mail is checked.
	f.ResetCounts()
	out := mapped(t, 0, "uniqueness", "--person", withADMail(t, " C.Bos@Example.com "))
	assert.Equal(t, []string{"mail"}, nonUnique(t, out))
	out = mapped(t, 0, "uniqueness", "--person", withADMail(t, "c.bos@example.com"), "--account-ref", colleague)
	assert.Equal(t, []string{}, nonUnique(t, out))
	out = mapped(t, 0, "uniqueness", "--person", withADMail(t, "casey.bos@example.com"))
	assert.Equal(t, []string{}, nonUnique(t, out), "a mail nobody has is unique")
	assert.Zero(t, f.Writes(), "a uniqueness check writes nothing")

	// create: the template person has no Accounts, so the Complex mail
	// mapping reads Person.Accounts.MicrosoftActiveDirectory as {} and gives "".
	ref := mapped(t, 0, "create", "--person", demoPerson, "--correlate").AccountReference
	require.NotNil(t, ref)
	p := person(*ref)
	assert.Equal(t, fake.Person{UUID: *ref, Firstname: "Cásey", Lastname: "Bos", Phone: "(9578) 089976", Number: "123456789",
		Type: 2, Other: "Custom Comment", Architecture: p.Architecture}, p)

	// uniqueness with the fields marked unique in HelloID (UniqueFieldNames
	// in the field mapping): the number is now the created account's, a clash
	// for anyone else and none for that account; --unique-field wins.
	unique := withUniqueFields(t, "mail", "number")
	out = act(t, 0, "uniqueness", "--field-mapping", unique, "--person", demoPerson)
	assert.Equal(t, []string{"number"}, nonUnique(t, out))
	out = act(t, 0, "uniqueness", "--field-mapping", unique, "--person", demoPerson, "--account-ref", *ref)
	assert.Equal(t, []string{}, nonUnique(t, out))
	out = act(t, 0, "uniqueness", "--field-mapping", unique, "--person", demoPerson, "--unique-field", "mail")
	assert.Equal(t, []string{}, nonUnique(t, out), "only mail is checked, and the template person has none")

	// enable: "Central Web Engineer" is not in that table; nothing is written.
	f.ResetCounts()
	failed := mapped(t, 1, "enable", "--person", demoPerson, "--account-ref", *ref)
	assert.Contains(t, failed.AuditLogs[0].Message, `"Central Web Engineer"`)
	assert.Zero(t, f.Writes())
	assert.Empty(t, person(*ref).AccessType.Slot("doorPermanent"))

	// enable with a title the table has.
	mapped(t, 0, "enable", "--person", withTitle(t, "Consultant Software"), "--account-ref", *ref)
	assert.Equal(t, psFloor2, person(*ref).AccessType.Slot("doorPermanent"))

	// update: a job change moves the door profile; the mapped fields are equal.
	mapped(t, 0, "update", "--person", withTitle(t, "Tester"), "--account-ref", *ref)
	p = person(*ref)
	assert.Equal(t, psFloor1, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, "Bos", p.Lastname)

	// update-permission, HelloID's force update: a profile removed by hand in
	// IPassan comes back; one still in place is not written again.
	clearByHand(t, srv.URL, *ref)
	require.Empty(t, person(*ref).AccessType.Slot("doorPermanent"))
	out = act(t, 0, "update-permission", "--account-ref", *ref, "--permission", psFloor1)
	assert.Equal(t, psFloor1, person(*ref).AccessType.Slot("doorPermanent"), "the profile removed by hand is back")
	assert.Equal(t, helloid.UpdatePermission, out.AuditLogs[len(out.AuditLogs)-1].Action)
	f.ResetCounts()
	act(t, 0, "update-permission", "--account-ref", *ref, "--permission", psFloor1)
	assert.Zero(t, f.Writes(), "granting again what is in place writes nothing")
	assert.Equal(t, psFloor1, person(*ref).AccessType.Slot("doorPermanent"))

	// dynamic-permission: the permission set's one permission, whose
	// sub-permissions are the profiles.
	f.ResetCounts()
	out = act(t, 0, "dynamic-permission")
	require.NotNil(t, out.Permissions)
	require.Len(t, *out.Permissions, 1)
	dynamic := (*out.Permissions)[0]
	assert.Equal(t, "ipassan-door-profile", dynamic.Identification.Reference)
	assert.NotEmpty(t, dynamic.DisplayName)
	assert.Zero(t, f.Total(), "listing the dynamic permission asks IPassan nothing")

	// import-subpermissions: one line per profile held, in the shape of
	// HelloID's template: the dynamic permission's own reference and name
	// (as dynamic-permission lists them), the profile as the sub-permission
	// (named by the mapping table), and who holds it.
	r := run(t, 0, "import-subpermissions")
	assert.JSONEq(t, `{"PermissionReference": {"Reference": "ipassan-door-profile"}, "DisplayName": `+jsonText(t, dynamic.DisplayName)+
		`, "Description": `+jsonText(t, dynamic.DisplayName)+`, "SubPermissionReference": {"Id": "`+psFloor1+`"}, "SubPermissionDisplayName": "Floor.1", `+
		`"AccountReferences": ["`+*ref+`"]}`, r.stdout, "the one profile held, by the one account holding it")
	assert.Equal(t, 1, strings.Count(r.stdout, "\n"), "one JSON line: the colleague holds no profile")

	// disable: the door profile is gone, the person stays.
	mapped(t, 0, "disable", "--person", demoPerson, "--account-ref", *ref)
	p = person(*ref)
	assert.Empty(t, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, "123456789", p.Number)
	assert.Len(t, f.Persons(psSite), 2, "no duplicate was created on the way: the colleague and the template person")

	// import-subpermissions once nobody holds a profile: nothing, as HelloID's
	// template writes no sub-permission without members.
	assert.Empty(t, run(t, 0, "import-subpermissions").stdout)
}

// jsonText is s as a JSON string.
func jsonText(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}
