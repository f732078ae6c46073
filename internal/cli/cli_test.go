package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
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

// invocation is one run of the command line: its standard input, which
// streams count as terminals, and its environment (nil: the demo secret in
// IPASSAN_CLIENT_SECRET, where admins keep it). Tests never touch the
// process's own environment, so they run in parallel.
type invocation struct {
	stdin string
	term  terminal
	env   map[string]string
}

func (inv invocation) run(t *testing.T, args ...string) result {
	t.Helper()
	env := inv.env
	if env == nil {
		env = map[string]string{contextbuild.EnvClientSecret: demoSecret}
	}
	var out, errOut bytes.Buffer
	io := IOStreams{In: strings.NewReader(inv.stdin), Out: &out, ErrOut: &errOut, OutIsTerminal: inv.term.out, ErrIsTerminal: inv.term.err,
		LookupEnv: func(key string) (string, bool) { v, ok := env[key]; return v, ok }}
	code := Main(context.Background(), args, io)
	return result{code, out.String(), errOut.String()}
}

// run runs the command line with stdin, no terminal and the demo secret.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return invocation{stdin: stdin}.run(t, args...)
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
	t.Parallel()
	_, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos"})
	ok := contextJSON(t, url, m{"References": m{"Account": "emp-1"}})
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout bool   // a JSON outputContext on stdout
		stderr string // in standard error
	}{
		{"success", ok, []string{"disable"}, 0, true, "success=true"},
		{"action failed", contextJSON(t, url, m{"References": m{"Account": "emp-1"}, "Data": m{}}), []string{"enable"}, 1, true, "success=false"},
		{"unreadable input", "{not json", []string{"delete"}, 1, true, "success=false"},
		{"empty input", "", []string{"delete"}, 1, true, "success=false"},
		{"unknown command", ok, []string{"explode"}, 2, false, `ipassan-connector: unknown command "explode"`},
		{"a mistyped command", ok, []string{"disabel"}, 2, false, `unknown command "disabel" (did you mean disable?)`},
		{"unknown flag", ok, []string{"delete", "--force"}, 2, false, "ipassan-connector delete: delete has no flag --force"},
		{"a mistyped flag", ok, []string{"delete", "--confg", "x.json"}, 2, false, "delete has no flag --confg (did you mean --config?)"},
		{"a flag of another command", ok, []string{"delete", "--include-site-profiles"}, 2, false, "(--include-site-profiles is a flag of permissions)"},
		{"a flag without its value", ok, []string{"delete", "--context"}, 2, false, "--context needs a value: --context FILE"},
		{"stray argument", ok, []string{"delete", "emp-1"}, 2, false, `delete takes no arguments, got "emp-1"`},
		{"bad log level", ok, []string{"delete", "--log-level", "loud"}, 2, false, `--log-level "loud": must be error, warn, info or debug`},
		{"a mistyped log level", ok, []string{"delete", "--log-level", "debg"}, 2, false, `must be error, warn, info or debug (did you mean "debug"?)`},
		{"flags before the command", ok, []string{"--log-level", "debug", "--log-format", "json", "disable"}, 0, true, `"success":true`},
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
			if tt.code == ExitUsage {
				assert.Contains(t, r.stderr, "Usage:", "a usage error shows the command's usage")
			}
		})
	}
}

// Only what cannot be parsed is a usage error; any other error is a failure.
func TestUnknownErrorsAreFailures(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	io := IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	root := NewRoot(io)
	root.AddCommand(&cobra.Command{Use: "explode", Args: noArgs, RunE: func(*cobra.Command, []string) error {
		return errors.New("the disk is full")
	}})
	assert.Equal(t, ExitFailed, execute(context.Background(), root, []string{"explode"}, io))
	assert.Equal(t, "ipassan-connector explode: the disk is full\n", errOut.String())
	assert.Empty(t, out.String())
}

func TestContextFromFile(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"create"}, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, InIsTerminal: true})
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "no context: pipe the HelloID context into standard input or pass --context FILE")
}

func TestConfigurationErrorsNameTheKey(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	for _, a := range actions.All() {
		ac, ok := contexts[a.Name]
		if !ok {
			continue // an action added later: its own tests cover its secrets
		}
		for _, format := range []string{"json", "console"} {
			r := run(t, contextJSON(t, url, ac), a.Name, "--log-level", "debug", "--log-format", format)
			for _, stream := range []string{r.stdout, r.stderr} {
				assert.NotContains(t, stream, "Sup3r", a.Name)
				assert.NotContains(t, stream, "fake-", a.Name+": a bearer token leaked")
			}
			assert.Contains(t, r.stderr, "ipassan request", "debug logging is on: "+a.Name)
			if a.Name == "update" && format == "json" {
				// IPassan echoed the secret back in its error: masked, not lost.
				assert.Contains(t, r.stdout, "[redacted]", "the echo is in the audit log, masked")
			}
		}
	}
	// A wrong secret, echoed back by a hostile server, is masked too.
	bad := contextJSON(t, url, m{"References": m{"Account": "emp-1"}, "Configuration": m{"clientSecret": "wrong-" + clientSecret}})
	r := run(t, bad, "delete", "--log-level", "debug")
	assert.Equal(t, 1, r.code)
	assert.NotContains(t, r.stdout+r.stderr, "Sup3r")
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "check clientId and clientSecret")
}

// testGlobals are the global flags' defaults, logging JSON.
func testGlobals(timeout time.Duration) *globalOptions {
	g := newGlobalOptions()
	_ = g.logFormat.Set("json")
	g.timeout = timeout
	return g
}

func TestPanicBecomesAFailedOutputContext(t *testing.T) {
	t.Parallel()
	_, url := startFake(t)
	boom := actions.Action{Name: "boom", Audit: helloid.UpdateAccount,
		Run: func(*connector.Connector, context.Context, *helloid.Context) *helloid.Output { panic("nil map") }}
	var out, errOut bytes.Buffer
	io := IOStreams{In: strings.NewReader(contextJSON(t, url, m{})), Out: &out, ErrOut: &errOut}
	code := runAction(context.Background(), boom, runHooks{}, testGlobals(time.Minute), io)
	assert.Equal(t, 1, code)
	o := output(t, result{stdout: out.String()})
	assert.False(t, o.Success)
	assert.Contains(t, o.AuditLogs[0].Message, "Internal error in ipassan-connector boom: nil map")
	assert.Contains(t, errOut.String(), "internal error")
}

func TestHelpHasExamples(t *testing.T) {
	t.Parallel()
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

// Every action of the registry is a command, with its help.
func TestEveryActionIsACommand(t *testing.T) {
	t.Parallel()
	root := NewRoot(IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	for _, a := range actions.All() {
		cmd, _, err := root.Find([]string{a.Name})
		require.NoError(t, err)
		require.Equal(t, a.Name, cmd.Name(), "the registry's %s has no command", a.Name)
		assert.Equal(t, a.Short, cmd.Short)
		assert.Contains(t, cmd.Long, a.Long)
		for _, f := range a.Flags {
			assert.NotNil(t, cmd.Flags().Lookup(f.Name), "%s --%s", a.Name, f.Name)
		}
	}
}

func TestCommandFlagsBeforeTheCommandName(t *testing.T) {
	t.Parallel()
	_, url := startFake(t)
	ctx := contextJSON(t, url, m{})
	r := run(t, ctx, "--include-site-profiles", "--log-level", "debug", "permissions")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.True(t, output(t, r).Success)

	r = run(t, ctx, "--no-such-flag", "permissions")
	assert.Equal(t, 2, r.code)
}

// A flag's value that happens to be a command name is not the command. (Not
// parallel: it changes the working directory.)
func TestAFlagValueIsNeverTheCommand(t *testing.T) {
	_, url := startFake(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "delete"), []byte(contextJSON(t, url, m{"References": m{"Account": "nobody"}})), 0o600))
	t.Chdir(dir)
	r := run(t, "", "--context", "delete", "disable")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "nothing to disable")
}
