package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), "line %q", sc.Text())
		out = append(out, line)
	}
	return out
}

func TestImportPrintsJSONLines(t *testing.T) {
	t.Parallel()
	var persons []fake.Person
	for i := range 120 {
		persons = append(persons, fake.Person{Firstname: "Zoë", Lastname: fmt.Sprint(i), Number: fmt.Sprint(i)})
	}
	f, url := startFake(t, persons...)
	// One page at a time, so that the fault below hits a known page.
	ctx := contextJSON(t, url, m{"ImportFields": []string{"lastname"}, "Configuration": m{"pageSize": 25, "concurrency": 1}})
	r := run(t, ctx, "import")
	require.Equal(t, 0, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 120)
	assert.Equal(t, "Zoë 0", lines[0]["DisplayName"])
	assert.Equal(t, map[string]any{"lastname": "0", "number": "0"}, lines[0]["Data"])
	assert.Equal(t, 5, f.Count(fake.RouteList))

	// Failing on the third page: the accounts of the first two pages, already
	// printed, stand (how many depends on how pages overlap); the reason goes
	// to stderr, counting them; the exit status says the import failed.
	f.AddFault(fake.Fault{Route: fake.RouteList, Delay: 1, Times: 2})
	f.AddFault(fake.Fault{Route: fake.RouteList, Status: 500})
	r = run(t, ctx, "import")
	assert.Equal(t, 1, r.code)
	printed := len(jsonLines(t, r.stdout))
	assert.True(t, printed >= 25 && printed < 75, "two pages of 25 printed: %d", printed)
	assert.Contains(t, r.stderr, fmt.Sprintf("ipassan-connector import failed: reading the site's persons after %d accounts", printed))
	assert.NotContains(t, r.stdout, "Success", "no outputContext: an import answers in lines")
}

func TestImportPermissionsPrintsBatches(t *testing.T) {
	t.Parallel()
	var persons []fake.Person
	for i := range 501 {
		persons = append(persons, fake.Person{Lastname: fmt.Sprint(i), AccessType: fake.Slots{DoorPermanent: ptr(floor1)}})
	}
	_, url := startFake(t, persons...)
	r := run(t, contextJSON(t, url, m{}), "import-permissions")
	require.Equal(t, 0, r.code, r.stderr)
	lines := jsonLines(t, r.stdout)
	require.Len(t, lines, 2)
	assert.Equal(t, map[string]any{"Reference": floor1}, lines[0]["PermissionReference"])
	assert.Equal(t, "Floor.1", lines[0]["DisplayName"])
	assert.Len(t, lines[0]["AccountReferences"], 500)
	assert.Len(t, lines[1]["AccountReferences"], 1)

	r = run(t, `{"actionContext":{}}`, "import-permissions")
	assert.Equal(t, 1, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "actionContext.Configuration is missing")
}

func TestPermissionCommands(t *testing.T) {
	t.Parallel()
	f, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos", AccessType: fake.Slots{DoorTemporary: ptr(floor1)}})
	r := run(t, contextJSON(t, url, m{}), "permissions")
	require.Equal(t, 0, r.code, r.stderr)
	o := output(t, r)
	require.NotNil(t, o.Permissions)
	assert.Equal(t, []helloid.Permission{{DisplayName: "Floor.1", Identification: helloid.Identification{Reference: floor1}}}, *o.Permissions)
	assert.Zero(t, f.Total())

	r = run(t, contextJSON(t, url, m{"Configuration": m{"accessProfileMapping": nil}}), "permissions", "--include-site-profiles")
	assert.Equal(t, 1, r.code, "the table is needed to name the profiles")
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "configuration key accessProfileMappingPath is missing: permissions needs")

	grant := contextJSON(t, url, m{"References": m{"Account": "emp-1", "Permission": m{"Reference": floor1}}})
	r = run(t, grant, "grant")
	require.Equal(t, 0, r.code, r.stderr)
	p, _ := f.Person(siteID, "emp-1")
	assert.Equal(t, floor1, p.AccessType.Slot("doorPermanent"))
	r = run(t, grant, "revoke")
	require.Equal(t, 0, r.code, r.stderr)
	p, _ = f.Person(siteID, "emp-1")
	assert.Empty(t, p.AccessType.Slot("doorPermanent"))
	assert.Equal(t, floor1, p.AccessType.Slot("doorTemporary"))
}

func ptr(s string) *string { return &s }

// HelloID's preview of an import: --preview and the number of lines it shows,
// as the wrappers pass them. It stops there, successfully; without --preview
// the import reads the whole site.
func TestImportPreviewStopsAtTheNumberAsked(t *testing.T) {
	t.Parallel()
	var persons []fake.Person
	for i := range 60 {
		persons = append(persons, fake.Person{Lastname: fmt.Sprint(i), Number: fmt.Sprint(i), AccessType: fake.Slots{DoorPermanent: ptr(floor1)}})
	}
	_, url := startFake(t, persons...)
	ctx := contextJSON(t, url, m{"ImportFields": []string{"lastname"}, "Configuration": m{"pageSize": 10, "concurrency": 1}})

	r := run(t, ctx, "import", "--preview", "--max-accounts", "15")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, jsonLines(t, r.stdout), 15)
	assert.Contains(t, r.stderr, "lines=15")

	r = run(t, ctx, "import")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, jsonLines(t, r.stdout), 60)

	r = run(t, ctx, "import-permissions", "--preview", "--max-permissions", "1")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, jsonLines(t, r.stdout), 1)
}

// A preview stops at importTimeoutSeconds; a full import has no deadline.
func TestImportDeadlineOnlyInAPreview(t *testing.T) {
	t.Parallel()
	f, url := startFake(t, fake.Person{Lastname: "Bos"})
	f.AddFault(fake.Fault{Route: fake.RouteList, Delay: 1500 * time.Millisecond})
	ctx := contextJSON(t, url, m{"Configuration": m{"importTimeoutSeconds": 1}})

	r := run(t, ctx, "import", "--preview")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "deadline")

	r = run(t, ctx, "import")
	assert.Equal(t, 0, r.code, "a full import waits: %s", r.stderr)
	assert.Len(t, jsonLines(t, r.stdout), 1)
}
