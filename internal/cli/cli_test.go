package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

const (
	siteID       = "0d6c6f1e-5b0a-4f43-9d0e-4c1f6a2b7e01"
	clientSecret = "Sup3r&Secret=+%Zoë\"quoted\""
	floor1       = "51ee893c-bb6e-4a65-b852-f79d09e242b1"
	mapping      = "HelloIDLookupKey;AccessProfileName;AccessProfileId\nMedewerker Servicedesk;Floor.1;" + floor1 + "\n"
)

type m = map[string]any

func startFake(t *testing.T, persons ...fake.Person) (*fake.Server, string) {
	t.Helper()
	f := fake.New(fake.Seed{
		Clients:        []fake.Credential{{ClientID: "helloid", ClientSecret: clientSecret}},
		AccessProfiles: []fake.Profile{{UUID: floor1, Name: "Floor.1"}},
		Bases:          []fake.BaseSeed{{UUID: "b", Sites: []fake.SiteSeed{{UUID: siteID, Name: "Main", Persons: persons}}}},
	}, fake.Options{})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func contextJSON(t *testing.T, url string, ac m) string {
	t.Helper()
	cfg := m{"clientId": "helloid", "clientSecret": clientSecret, "baseUrl": url, "siteId": siteID, "accessProfileMapping": mapping,
		"retryBackoffMilliseconds": 5}
	if c, ok := ac["Configuration"].(m); ok {
		for k, v := range c {
			cfg[k] = v
		}
	}
	ac["Configuration"] = cfg
	b, err := json.Marshal(m{"actionContext": ac, "personContext": m{"Person": m{"ExternalId": "1001"}}})
	require.NoError(t, err)
	return string(b)
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return result{code, out.String(), errOut.String()}
}

// output decodes stdout, which must be exactly one JSON document.
func output(t *testing.T, r result) helloid.Output {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var o helloid.Output
	require.NoError(t, dec.Decode(&o), "stdout: %q", r.stdout)
	require.False(t, dec.More(), "stdout holds more than one JSON document: %q", r.stdout)
	return o
}

func TestExitStatuses(t *testing.T) {
	_, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos"})
	ok := contextJSON(t, url, m{"References": m{"Account": "emp-1"}})
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout bool // a JSON outputContext on stdout
		stderr string
	}{
		{"success", ok, []string{"disable"}, 0, true, ""},
		{"action failed", contextJSON(t, url, m{"References": m{"Account": "emp-1"}, "Data": m{}}), []string{"enable"}, 1, true, ""},
		{"unreadable input", "{not json", []string{"delete"}, 1, true, ""},
		{"empty input", "", []string{"delete"}, 1, true, ""},
		{"unknown command", ok, []string{"explode"}, 2, false, `unknown command "explode"`},
		{"unknown flag", ok, []string{"delete", "--force"}, 2, false, "unknown flag: --force"},
		{"stray argument", ok, []string{"delete", "emp-1"}, 2, false, `unknown command "emp-1"`},
		{"bad log level", ok, []string{"delete", "--log-level", "loud"}, 2, false, "must be error, warn, info or debug"},
		{"flags before the command", ok, []string{"--log-level", "debug", "--log-format", "json", "disable"}, 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.stdin, tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			if tt.stdout {
				o := output(t, r)
				assert.Equal(t, tt.code == 0, o.Success)
			} else {
				assert.Empty(t, r.stdout, "a usage error prints nothing on stdout")
			}
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}
}

func TestContextFromFile(t *testing.T) {
	f, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos"})
	path := filepath.Join(t.TempDir(), "ctx.json")
	// Windows PowerShell's "Unicode": UTF-16 LE with a BOM.
	text := contextJSON(t, url, m{"References": m{"Account": "emp-1"}})
	var raw []byte
	raw = append(raw, 0xFF, 0xFE)
	for _, r := range text {
		raw = append(raw, byte(r), byte(r>>8))
	}
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	r := run(t, "", "delete", "--context", path)
	assert.Equal(t, 0, r.code, r.stderr)
	assert.True(t, output(t, r).Success)
	_, exists := f.Person(siteID, "emp-1")
	assert.False(t, exists)

	r = run(t, "", "delete", "--context", filepath.Join(t.TempDir(), "missing.json"))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "the context file cannot be read")
}

func TestNoContextOnATerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"create"}, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, InIsTerminal: true})
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "no context: pipe the HelloID context into standard input or pass --context FILE")
}

func TestConfigurationErrorsNameTheKey(t *testing.T) {
	ctx := `{"actionContext":{"Configuration":{"clientID":"x","BaseUrl":"http://ipassan.com","siteId":"s"},"References":{"Account":"a"}}}`
	r := run(t, ctx, "delete")
	assert.Equal(t, 1, r.code)
	o := output(t, r)
	require.Len(t, o.AuditLogs, 1)
	msg := o.AuditLogs[0].Message
	assert.Contains(t, msg, "configuration key clientSecret is missing")
	assert.Contains(t, msg, "configuration key baseUrl must use https")
	assert.Equal(t, helloid.DeleteAccount, o.AuditLogs[0].Action)
}

func TestUnreachableServerStillAnswersWithOneDocument(t *testing.T) {
	ctx := contextJSON(t, "http://127.0.0.1:1", m{"References": m{"Account": "emp-1"}})
	r := run(t, ctx, "disable")
	assert.Equal(t, 1, r.code)
	o := output(t, r)
	assert.False(t, o.Success)
	assert.Contains(t, o.AuditLogs[0].Message, "temporarily unavailable")
}

// Every action, succeeding and failing, at debug level: neither the client
// secret nor a bearer token may appear on either stream.
func TestSecretsNeverPrinted(t *testing.T) {
	f, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos", Number: "1001"})
	f.AddFault(fake.Fault{Route: fake.RouteUpdate, Status: 400, Body: `{"error":{"message":"echo ` + strings.ReplaceAll(clientSecret, `"`, `\"`) + `"}}`, Times: 1})
	contexts := map[string]m{
		"create":  {"Data": m{"lastname": "Bos", "number": "2002"}, "CorrelationConfiguration": m{"Enabled": true, "PersonFieldValue": "2002", "AccountField": "number"}},
		"update":  {"Data": m{"lastname": "Bos " + clientSecret}, "References": m{"Account": "emp-1"}},
		"enable":  {"Data": m{"_extension": m{"accessProfileLookupKey": "Medewerker Servicedesk"}}, "References": m{"Account": "emp-1"}},
		"disable": {"References": m{"Account": "emp-1"}},
		"delete":  {"References": m{"Account": "emp-1"}},

		"permissions":        {"Configuration": m{"permissionsIncludeSiteProfiles": true}},
		"grant":              {"References": m{"Account": "emp-1", "Permission": m{"Reference": floor1}}},
		"revoke":             {"References": m{"Account": "emp-1", "Permission": m{"Reference": floor1}}},
		"subpermissions":     {"References": m{"Account": "emp-1"}, "Operation": "grant"},
		"import":             {"ImportFields": []string{"lastname"}},
		"import-permissions": {},
	}
	tokens := 0
	for _, action := range []string{"create", "update", "enable", "disable", "delete", "permissions", "grant", "revoke", "subpermissions", "import", "import-permissions"} {
		for _, format := range []string{"json", "console"} {
			r := run(t, contextJSON(t, url, contexts[action]), action, "--log-level", "debug", "--log-format", format)
			for _, stream := range []string{r.stdout, r.stderr} {
				assert.NotContains(t, stream, "Sup3r", action)
				assert.NotContains(t, stream, "fake-", action+": a bearer token leaked")
			}
			assert.Contains(t, r.stderr, "ipassan request", "debug logging is on: "+action)
			tokens++
		}
	}
	// A wrong secret, echoed back by a hostile server, is masked too.
	bad := contextJSON(t, url, m{"References": m{"Account": "emp-1"}, "Configuration": m{"clientSecret": "wrong-" + clientSecret}})
	r := run(t, bad, "delete", "--log-level", "debug")
	assert.Equal(t, 1, r.code)
	assert.NotContains(t, r.stdout+r.stderr, "Sup3r")
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "check clientId and clientSecret")
	assert.Equal(t, 22, tokens)
}

func TestPanicBecomesAFailedOutputContext(t *testing.T) {
	_, url := startFake(t)
	boom := connector.Action{Name: "boom", Audit: helloid.UpdateAccount,
		Run: func(*connector.Connector, context.Context, *helloid.Context) *helloid.Output { panic("nil map") }}
	var out, errOut bytes.Buffer
	g := &globalOptions{logLevel: levelFlag{zerolog.InfoLevel}, logFormat: formatFlag{"json"}, timeout: time.Minute}
	io := IOStreams{In: strings.NewReader(contextJSON(t, url, m{})), Out: &out, ErrOut: &errOut}
	code := runAction(context.Background(), boom, g, io)
	assert.Equal(t, 1, code)
	o := output(t, result{stdout: out.String()})
	assert.False(t, o.Success)
	assert.Contains(t, o.AuditLogs[0].Message, "Internal error in ipassan-connector boom: nil map")
	assert.Contains(t, errOut.String(), "internal error")
}

func TestHelpHasExamples(t *testing.T) {
	root := NewRoot(IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		assert.NotEmpty(t, c.Example, c.Name())
		assert.Contains(t, c.Example, "ipassan-connector "+c.Name(), c.Name())
	}
	r := run(t, "", "enable", "--help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "Examples:")
}

func TestCommandFlagsBeforeTheCommandName(t *testing.T) {
	_, url := startFake(t)
	ctx := contextJSON(t, url, m{})
	r := run(t, ctx, "--include-site-profiles", "--log-level", "debug", "permissions")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.True(t, output(t, r).Success)

	// A flag's value that happens to be a command name is not the command.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "delete"), []byte(contextJSON(t, url, m{"References": m{"Account": "nobody"}})), 0o600))
	t.Chdir(dir)
	r = run(t, "", "--context", "delete", "disable")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "nothing to disable")

	r = run(t, ctx, "--no-such-flag", "permissions")
	assert.Equal(t, 2, r.code)
}
