package cli

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
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

// withTitle writes a copy of HelloID's demo person with another job title.
func withTitle(t *testing.T, title string) string {
	t.Helper()
	raw := repotest.Read(t, "testdata", "fixtures", "helloid-template", "demoPerson.json")
	person, err := object.DecodeObject(raw)
	require.NoError(t, err)
	person.Object("PrimaryContract").Object("Title").Set("Name", title)
	b, err := object.Marshal(person)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "person.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// A customer's files from the PowerShell connector work unchanged: its
// configuration.json (keys clientID, clientSecret, BaseUrl, siteId, all empty)
// filled by a flat overlay, its fieldMapping.json with the Complex mail
// mapping, and its AccessProfile.csv as accessProfileMappingPath; the person
// is HelloID's template person. IPassan's state is checked after each step.
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

	overlay := writeJSONFile(t, "overlay.json", m{"clientID": "helloid-migration", "BaseUrl": srv.URL, "siteId": psSite,
		"accessProfileMappingPath": psFixture("AccessProfile.csv")})
	files := []string{"--config", psFixture("configuration.json"), "--config", overlay, "--field-mapping", psFixture("fieldMapping.json")}
	demoPerson := repotest.Path("testdata", "fixtures", "helloid-template", "demoPerson.json")

	act := func(t *testing.T, wantCode int, args ...string) helloid.Output {
		t.Helper()
		r := invocation{env: map[string]string{contextbuild.EnvClientSecret: psSecret}}.run(t, append(args, files...)...)
		require.Equal(t, wantCode, r.code, "%s\n%s", r.stdout, r.stderr)
		assert.NotContains(t, r.stdout+r.stderr, "Migr&ted", "the secret is never printed")
		return output(t, r)
	}
	person := func(uuid string) fake.Person {
		p, ok := f.Person(psSite, uuid)
		require.True(t, ok)
		return p
	}

	// create: the template person has no Accounts, so the Complex mail
	// mapping reads Person.Accounts.MicrosoftActiveDirectory as {} and gives "".
	ref := act(t, 0, "create", "--person", demoPerson, "--correlate").AccountReference
	require.NotNil(t, ref)
	p := person(*ref)
	assert.Equal(t, fake.Person{UUID: *ref, Firstname: "Cásey", Lastname: "Bos", Phone: "(9578) 089976", Number: "123456789",
		Type: 2, Other: "Custom Comment", Architecture: p.Architecture}, p)

	// enable: "Central Web Engineer" is not in that table; nothing is written.
	f.ResetCounts()
	failed := act(t, 1, "enable", "--person", demoPerson, "--account-ref", *ref)
	assert.Contains(t, failed.AuditLogs[0].Message, `"Central Web Engineer"`)
	assert.Zero(t, f.Writes())
	assert.Empty(t, person(*ref).AccessType.Slot("doorPermanent"))

	// enable with a title the table has.
	act(t, 0, "enable", "--person", withTitle(t, "Consultant Software"), "--account-ref", *ref)
	assert.Equal(t, psFloor2, person(*ref).AccessType.Slot("doorPermanent"))

	// update: a job change moves the door profile; the mapped fields are equal.
	act(t, 0, "update", "--person", withTitle(t, "Tester"), "--account-ref", *ref)
	p = person(*ref)
	assert.Equal(t, psFloor1, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, "Bos", p.Lastname)

	// disable: the door profile is gone, the person stays.
	act(t, 0, "disable", "--person", demoPerson, "--account-ref", *ref)
	p = person(*ref)
	assert.Empty(t, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, "123456789", p.Number)
	assert.Len(t, f.Persons(psSite), 1, "no duplicate was created on the way")
}
