package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// HelloID's V2 contract (helloid-contract.md, "What the V2 contract also
// holds"), through the command line as the wrappers run it: the context on
// standard input, the outputContext on standard output, IPassan's state
// checked afterwards.
func TestHelloIDV2ContractThroughTheCommandLine(t *testing.T) {
	t.Parallel()
	const (
		leaver    = "8d0c1a52-7e4b-4c3a-9f21-0a6b5c4d3e21"
		colleague = "2b7e4f10-3c5d-4a6e-8b9f-1c2d3e4f5a60"
	)
	reconciliation := func(ac m) m { ac["Origin"] = "reconciliation"; return ac }
	tests := []struct {
		name    string
		command string
		ac      m
		success bool
		// message is in the one audit log line (or the error) it prints.
		message string
		// then checks IPassan afterwards.
		then func(t *testing.T, f *fake.Server)
	}{
		{"reconciliation disables on the reference alone", "disable",
			reconciliation(m{"References": m{"Account": leaver}}), true, "(started by HelloID reconciliation)",
			func(t *testing.T, f *fake.Server) {
				p, ok := f.Person(siteID, leaver)
				require.True(t, ok)
				assert.Nil(t, p.AccessType.DoorPermanent, "the leaver's access is gone")
			}},
		{"reconciliation revokes on the reference alone", "revoke",
			reconciliation(m{"References": m{"Account": leaver, "Permission": m{"Reference": floor1}}}), true, "(started by HelloID reconciliation)",
			func(t *testing.T, f *fake.Server) {
				p, _ := f.Person(siteID, leaver)
				assert.Nil(t, p.AccessType.DoorPermanent)
			}},
		{"reconciliation deletes on the reference alone", "delete",
			reconciliation(m{"References": m{"Account": leaver}}), true, "(started by HelloID reconciliation)",
			func(t *testing.T, f *fake.Server) {
				_, ok := f.Person(siteID, leaver)
				assert.False(t, ok)
			}},
		{"reconciliation cannot enable without person data", "enable",
			reconciliation(m{"References": m{"Account": colleague}}), false, "reconciliation",
			func(t *testing.T, f *fake.Server) { assert.Zero(t, f.Writes()) }},
		{"reconciliation cannot update without person data", "update",
			reconciliation(m{"References": m{"Account": colleague}}), false, "reconciliation",
			func(t *testing.T, f *fake.Server) { assert.Zero(t, f.Writes()) }},
		{"a create preview without a match gives the template's placeholder", "create",
			m{"DryRun": true, "Data": m{"firstname": "Zoë", "lastname": "d'Hondt", "number": "4711"},
				"CorrelationConfiguration": m{"Enabled": true, "PersonField": "Person.ExternalId", "PersonFieldValue": "4711", "AccountField": "number", "AccountFieldValue": "4711"}},
			true, "DryRun",
			func(t *testing.T, f *fake.Server) { assert.Zero(t, f.Writes(), "a preview writes nothing") }},
		{"uniqueness names the field another person holds", "uniqueness",
			m{"Data": m{"mail": " LEAVER@example.org ", "number": "4711"}, "UniqueFieldNames": []string{"mail", "number"}, "References": m{"Account": colleague}},
			true, "", nil},
		{"update-permission puts back a profile removed by hand", "update-permission",
			m{"References": m{"Account": colleague, "Permission": m{"Reference": floor1}}}, true, "Granted",
			func(t *testing.T, f *fake.Server) {
				p, _ := f.Person(siteID, colleague)
				require.NotNil(t, p.AccessType.DoorPermanent)
				assert.Equal(t, floor1, *p.AccessType.DoorPermanent)
			}},
		{"dynamic-permission lists the one dynamic permission", "dynamic-permission", m{}, true, connector.DynamicPermissionName,
			func(t *testing.T, f *fake.Server) { assert.Zero(t, f.Total(), "nothing is asked of IPassan") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, url := startFake(t,
				fake.Person{UUID: leaver, Firstname: "Ĳsbrand", Lastname: "Leaver", Mail: "leaver@example.org", Number: "9001",
					AccessType: fake.Slots{DoorPermanent: ptrTo(floor1)}},
				fake.Person{UUID: colleague, Firstname: "Zoë", Lastname: "Colleague", Mail: "zoe@example.org", Number: "9002"})
			f.ResetCounts()
			r := run(t, contextJSON(t, url, tt.ac), tt.command)
			o := output(t, r)
			require.Equal(t, tt.success, o.Success, "audit: %+v\nstderr: %s", o.AuditLogs, r.stderr)
			wantCode := 0
			if !tt.success {
				wantCode = ExitFailed
			}
			assert.Equal(t, wantCode, r.code)
			var said []string
			for _, l := range o.AuditLogs {
				said = append(said, l.Message)
			}
			assert.Contains(t, strings.Join(said, "\n"), tt.message)
			var raw struct{ AuditLogs []map[string]any }
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &raw))
			for _, l := range raw.AuditLogs {
				for _, key := range []string{"Action", "Message", "IsError"} {
					assert.Contains(t, l, key, "every audit line is {Action, Message, IsError}")
				}
			}
			if tt.then != nil {
				tt.then(t, f)
			}
			switch tt.command {
			case "create":
				require.NotNil(t, o.AccountReference)
				assert.Equal(t, connector.PreviewAccountReference, *o.AccountReference)
			case "uniqueness":
				require.NotNil(t, o.NonUniqueFields)
				assert.Equal(t, []string{"mail"}, *o.NonUniqueFields, "the leaver holds the mail; nobody else holds 4711")
			case "dynamic-permission":
				require.NotNil(t, o.Permissions)
				require.Len(t, *o.Permissions, 1)
				assert.Equal(t, connector.DynamicPermissionReference, (*o.Permissions)[0].Identification.Reference)
			}
		})
	}
}

// The sub-permission import prints the template's shape, one JSON line per
// profile and batch, under the dynamic permission's own reference.
func TestImportSubPermissionsThroughTheCommandLine(t *testing.T) {
	t.Parallel()
	_, url := startFake(t,
		fake.Person{UUID: "8d0c1a52-7e4b-4c3a-9f21-0a6b5c4d3e21", Lastname: "A", AccessType: fake.Slots{DoorPermanent: ptrTo(floor1)}},
		fake.Person{UUID: "2b7e4f10-3c5d-4a6e-8b9f-1c2d3e4f5a60", Lastname: "B"})
	r := run(t, contextJSON(t, url, m{}), "import-subpermissions")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 1, "one profile held, the person without one counts nowhere")
	var line struct {
		PermissionReference      struct{ Reference string }
		SubPermissionReference   struct{ Id string }
		SubPermissionDisplayName string
		AccountReferences        []string
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &line))
	assert.Equal(t, connector.DynamicPermissionReference, line.PermissionReference.Reference)
	assert.Equal(t, floor1, line.SubPermissionReference.Id)
	assert.Equal(t, "Floor.1", line.SubPermissionDisplayName)
	assert.Equal(t, []string{"8d0c1a52-7e4b-4c3a-9f21-0a6b5c4d3e21"}, line.AccountReferences)
}

func ptrTo(s string) *string { return &s }
