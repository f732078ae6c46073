package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// The trap of issue 13: an admin types the employee number as the account
// reference of a leaver. It must never look as if access were removed.
func TestHandRunWithAWrongReferenceFails(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	const absent = "c0a80101-0000-4000-8000-00000000ffff" // shaped like a uuid, not on the site

	for _, action := range []string{"disable", "delete", "revoke"} {
		t.Run(action, func(t *testing.T) {
			args := []string{action, "--config", cfg}
			if action == "revoke" {
				args = append(args, "--permission", verdieping1)
			}

			// An employee number is not a uuid: refused before anything is sent.
			f.ResetCounts()
			r := run(t, "", append(args, "--account-ref", "1002")...)
			assert.Equal(t, ExitUsage, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, `--account-ref "1002" is not an IPassan uuid`)
			assert.Contains(t, r.stderr, "ipassan-connector find --number 1002 --config")
			assert.Zero(t, f.Total(), "nothing was sent")

			// A uuid nobody has: a failure naming it, not "nothing to do".
			r = run(t, "", append(args, "--account-ref", absent)...)
			assert.Equal(t, ExitFailed, r.code, r.stderr)
			o := output(t, r)
			assert.False(t, o.Success)
			assert.Contains(t, o.AuditLogs[len(o.AuditLogs)-1].Message, absent)

			// Saying it is fine makes it HelloID's rule again.
			r = run(t, "", append(args, "--account-ref", absent, "--allow-missing")...)
			assert.Equal(t, ExitOK, r.code, r.stdout)
			assert.True(t, output(t, r).Success)
		})
	}

	// A context from HelloID keeps HelloID's rule: gone is done.
	ctx := contextJSONFor(t, url, m{"References": m{"Account": absent}})
	r := run(t, ctx, "disable")
	assert.Equal(t, ExitOK, r.code, r.stdout)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "nothing to disable")
}

// contextJSONFor is a whole context for the demo fake at url.
func contextJSONFor(t *testing.T, url string, ac m) string {
	t.Helper()
	ac["Configuration"] = m{"clientId": "demo-client", "clientSecret": demoSecret, "baseUrl": url, "siteId": demoSite,
		"accessProfileMappingPath": repotest.Path("testdata", "AccessProfile.csv")}
	b, err := json.Marshal(m{"actionContext": ac})
	require.NoError(t, err)
	return string(b)
}

// The other trap: a create by hand without correlation made a duplicate on
// every run. Now the admin must choose, and is warned when choosing to
// create anyway.
func TestHandRunCreateMustChooseCorrelation(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	files := []string{"--config", cfg, "--field-mapping", projectMapping, "--person", zoe}

	r := run(t, "", append([]string{"create"}, files...)...)
	assert.Equal(t, ExitUsage, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "create with --config needs --correlate (take over the IPassan person with the same number, as HelloID does) or --no-correlate")
	assert.Zero(t, f.Total())

	r = run(t, "", append([]string{"create", "--correlate", "--no-correlate"}, files...)...)
	assert.Equal(t, ExitUsage, r.code)
	assert.Contains(t, r.stderr, "--correlate and --no-correlate contradict each other")

	// The first create makes Zoë; a second one without correlation warns,
	// naming the person it duplicates, on stderr and in the audit log.
	r = run(t, "", append([]string{"create", "--no-correlate"}, files...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	first := *output(t, r).AccountReference
	r = run(t, "", append([]string{"create", "--no-correlate", "--dry-run"}, files...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	o := output(t, r)
	require.GreaterOrEqual(t, len(o.AuditLogs), 2)
	for _, field := range []string{`number "1001"`, `mail "zoe.dhondt@zorggroep-demo.nl"`} {
		want := "--no-correlate: IPassan already has 1 person with " + field + " (" + first + "); this create makes another one"
		assert.Contains(t, r.stderr, want)
		assert.True(t, hasAudit(o, helloid.CreateAccount, want), "audit logs: %v", o.AuditLogs)
	}
	assert.Len(t, f.Persons(demoSite), 5, "the preview wrote nothing")

	// With correlation the second run takes Zoë over.
	r = run(t, "", append([]string{"create", "--correlate"}, files...)...)
	require.Equal(t, ExitOK, r.code, r.stdout)
	assert.Equal(t, first, *output(t, r).AccountReference)
	assert.Len(t, f.Persons(demoSite), 5, "no duplicate")
}

func hasAudit(o helloid.Output, action, message string) bool {
	for _, l := range o.AuditLogs {
		if l.Action == action && strings.Contains(l.Message, message) && !l.IsError {
			return true
		}
	}
	return false
}

// Every action of the registry builds its context from --config and the
// flags its entry names, and runs: what it answers is its own business here,
// but it is never a usage error.
func TestEveryActionAcceptsConfig(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	for _, a := range actions.All() {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			args := []string{a.Name, "--config", cfg, "--dry-run"}
			b := a.Build
			if b.Data == actions.Required {
				args = append(args, "--field-mapping", projectMapping)
			}
			if b.Data == actions.Required || b.Person == actions.Required {
				args = append(args, "--person", zoe)
			}
			if b.Account == actions.Required {
				args = append(args, "--account-ref", femke)
			}
			if b.Permission == actions.Required {
				args = append(args, "--permission", verdieping1)
			}
			if b.Correlation {
				args = append(args, "--correlate")
			}
			r := run(t, "", args...)
			require.NotEqual(t, ExitUsage, r.code, r.stderr)
			if a.JSONLines() {
				assert.Equal(t, ExitOK, r.code, r.stderr)
				assert.NotEmpty(t, jsonLines(t, r.stdout))
				return
			}
			o := output(t, r)
			assert.Equal(t, o.Success, r.code == ExitOK)
			for _, l := range o.AuditLogs {
				assert.NotContains(t, l.Message, "configuration key", "the configuration was built: %s", l.Message)
			}
		})
	}
}

// On a terminal an action's answer is for a person: indented, Success and
// the audit lines first. Piped it stays one line, as HelloID's wrappers read it.
func TestOutputContextOnATerminal(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	args := []string{"create", "--config", cfg, "--field-mapping", projectMapping, "--person", zoe, "--correlate", "--dry-run"}

	r := invocation{term: terminal{out: true}}.run(t, args...)
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(r.stdout, "\n")
	assert.Equal(t, "{", lines[0])
	assert.Equal(t, `  "Success": true,`, lines[1])
	assert.Equal(t, `  "AuditLogs": [`, lines[2])
	assert.Contains(t, r.stdout, `"AccountReference": `)
	var o helloid.Output
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &o), "still one JSON document")
	assert.True(t, o.Success)

	r = run(t, "", args...)
	require.Equal(t, 0, r.code)
	assert.Equal(t, 1, strings.Count(r.stdout, "\n"), "piped: one line")
	assert.True(t, strings.HasPrefix(r.stdout, `{"Success":true,"AccountReference"`), r.stdout)
}

// A configuration from files without the secret says where the secret goes.
func TestAForgottenSecretNamesTheVariable(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	noSecret := invocation{env: map[string]string{}}
	want := "configuration key clientSecret is missing (the client secret is read from $IPASSAN_CLIENT_SECRET, which is not set"

	r := noSecret.run(t, "disable", "--config", cfg, "--account-ref", femke)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, want)

	r = noSecret.run(t, "sites", "--config", cfg)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, want)

	// A whole context is HelloID's: no hint about a variable it never reads.
	r = noSecret.run(t, "sites", "--context", writeJSONFile(t, "ctx.json", m{"actionContext": m{"Configuration": m{"clientId": "demo-client", "baseUrl": url}}}))
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "configuration key clientSecret is missing")
	assert.NotContains(t, r.stderr, "IPASSAN_CLIENT_SECRET")
}
