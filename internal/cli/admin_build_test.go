package cli

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

var (
	projectMapping = repotest.Path("fieldMapping.json")
	zoe            = repotest.Path("testdata", "persons", "afas-zoe-dhondt.json") // ExternalId 1001, Medewerker Servicedesk
)

// The lifecycle from HelloID's own files, against the demo IPassan: each
// action's context is built from --config, --field-mapping and --person.
func TestLifecycleFromHelloIDFiles(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	build := []string{"--config", cfg, "--field-mapping", projectMapping, "--person", zoe}

	r := run(t, "", append([]string{"create", "--correlate"}, build...)...)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	created := output(t, r)
	require.NotNil(t, created.AccountReference)
	ref := *created.AccountReference
	p, ok := f.Person(demoSite, ref)
	require.True(t, ok)
	assert.Equal(t, []string{"Zoë", "d'Hondt", "zoe.dhondt@zorggroep-demo.nl", "1001"}, []string{p.Firstname, p.Lastname, p.Mail, p.Number})

	r = run(t, "", append([]string{"create", "--correlate"}, build...)...)
	require.Equal(t, 0, r.code, r.stdout)
	again := output(t, r)
	assert.True(t, *again.AccountCorrelated, "the second create correlates on number = ExternalId")
	assert.Equal(t, ref, *again.AccountReference)

	withRef := append(build, "--account-ref", ref)
	r = run(t, "", append([]string{"enable"}, withRef...)...)
	require.Equal(t, 0, r.code, r.stdout)
	p, _ = f.Person(demoSite, ref)
	assert.Equal(t, verdieping1, p.AccessType.Slot("doorPermanent"), "Medewerker Servicedesk maps to Verdieping 1")

	f.ResetCounts()
	r = run(t, "", append([]string{"disable", "--dry-run"}, withRef...)...)
	require.Equal(t, 0, r.code, r.stdout)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "DryRun: would disable")
	assert.Zero(t, f.Writes(), "--dry-run sends no write")

	r = run(t, "", "disable", "--config", cfg, "--account-ref", ref) // no person needed
	require.Equal(t, 0, r.code, r.stdout)
	p, _ = f.Person(demoSite, ref)
	assert.Empty(t, p.AccessType.Slot("doorPermanent"))

	r = run(t, "", "delete", "--config", cfg, "--account-ref", ref)
	require.Equal(t, 0, r.code, r.stdout)
	_, exists := f.Person(demoSite, ref)
	assert.False(t, exists)
}

// A built context runs exactly as the same context read from standard input:
// the outputs are identical.
func TestBuiltContextEqualsTheSameContextOnStdin(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfgPath := demoConfig(t, url, nil)

	cfg, err := contextbuild.LoadConfiguration(contextbuild.ConfigSources{Files: []string{cfgPath}, EnvSecret: demoSecret})
	require.NoError(t, err)
	mapping, err := fieldmapping.Load(projectMapping)
	require.NoError(t, err)
	person, err := contextbuild.LoadPerson(zoe)
	require.NoError(t, err)

	for _, a := range actions.Mapped() {
		t.Run(a.Name, func(t *testing.T) {
			opts := contextbuild.Options{Configuration: cfg, MapFor: a.Build.MapFor, DryRun: true}
			args := []string{a.Name, "--log-level", "error", "--config", cfgPath, "--dry-run"}
			if a.Build.Data != actions.Unused {
				opts.FieldMapping, opts.PersonContext = mapping, person
				args = append(args, "--field-mapping", projectMapping, "--person", zoe)
			}
			if a.Build.Account != actions.Unused {
				opts.AccountReference = femke
				args = append(args, "--account-ref", femke)
			}
			if a.Build.Correlation {
				opts.Correlate = true
				args = append(args, "--correlate")
			}
			in, err := contextbuild.Build(opts)
			require.NoError(t, err)
			doc := object.New()
			doc.Set("actionContext", in.Action)
			doc.Set("personContext", in.Person)
			stdin, err := object.Marshal(doc)
			require.NoError(t, err)

			piped := run(t, string(stdin), a.Name, "--log-level", "error")
			built := run(t, "", args...)
			assert.Equal(t, piped.code, built.code)
			assert.JSONEq(t, piped.stdout, built.stdout)
		})
	}
}

func TestBuildFlagUsageErrors(t *testing.T) {
	t.Parallel()
	cfg := writeJSONFile(t, "config.json", m{"clientId": "x"})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"create without a field mapping or a person", []string{"create", "--config", cfg},
			"create with --config needs --field-mapping FILE (Data is built from it) and --person FILE (the HelloID person to map)"},
		{"update without a reference", []string{"update", "--config", cfg, "--field-mapping", projectMapping, "--person", zoe},
			"update with --config needs --account-ref UUID (the IPassan person to act on)"},
		{"a field mapping without a person", []string{"uniqueness", "--config", cfg, "--field-mapping", projectMapping},
			"uniqueness with --config needs --person FILE"},
		{"correlation without a person", []string{"create", "--set", "clientId=x", "--field-mapping", projectMapping, "--correlate"},
			"create with --config needs --person FILE"},
		{"a build flag without --config", []string{"delete", "--account-ref", femke},
			"--account-ref builds the context and needs --config: with --context or standard input the context itself holds it"},
		{"--dry-run without --config", []string{"create", "--dry-run"}, "--dry-run builds the context and needs --config"},
		{"--context and --config", []string{"delete", "--config", cfg, "--context", cfg, "--account-ref", femke},
			"--context and --config/--set cannot be used together"},
		{"--context and --set", []string{"--context", cfg, "delete", "--set", "siteId=x", "--account-ref", femke},
			"--context and --config/--set cannot be used together"},
		{"--set without a value", []string{"delete", "--config", cfg, "--set", "clientSecret", "--account-ref", femke},
			`--set: configuration override "clientSecret" has no value: write key=value`},
		{"an unknown flag still is one", []string{"delete", "--config", cfg, "--account", femke}, "delete has no flag --account (did you mean --account-ref?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...)
			assert.Equal(t, 2, r.code, r.stderr)
			assert.Empty(t, r.stdout, "a usage error prints nothing on stdout")
			assert.Contains(t, r.stderr, tt.want)
		})
	}
}

// Files that cannot be used fail the action like an unreadable context: one
// outputContext naming the file or the field, exit 1, nothing sent.
func TestBuildFailuresAreFailedOutputContexts(t *testing.T) {
	t.Parallel()
	f, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, nil)
	missing := filepath.Join(t.TempDir(), "missing.json")
	endless := writeJSONFile(t, "endless.json", m{"MappingFields": []m{{"Name": "lastname", "MappingActions": []m{
		{"MapForActions": []string{"Create"}, "MappingMode": "Complex", "Value": `"while (true) {}"`}}}}})
	throwing := writeJSONFile(t, "throwing.json", m{"MappingFields": []m{{"Name": "mail", "MappingActions": []m{
		{"MapForActions": []string{"Create"}, "MappingMode": "Complex", "Value": `"Person.Contact.Personal.Email.toLowerCase()"`}}}}})
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing configuration file", []string{"create", "--correlate", "--config", missing, "--field-mapping", projectMapping, "--person", zoe},
			`configuration file "` + missing + `" does not exist`},
		{"missing person", []string{"create", "--correlate", "--config", cfg, "--field-mapping", projectMapping, "--person", missing},
			`person file "` + missing + `" does not exist`},
		{"missing field mapping", []string{"create", "--correlate", "--config", cfg, "--field-mapping", missing, "--person", zoe},
			`field mapping file "` + missing + `" does not exist`},
		{"a mapping that throws", []string{"create", "--no-correlate", "--config", cfg, "--field-mapping", throwing, "--person", repotest.Path("testdata", "fixtures", "helloid-template", "demoPerson.json")},
			`mapping the person for Create: field "mail" (Complex): TypeError: Cannot read property 'Email' of undefined at line 1`},
		{"a mapping that never ends", []string{"create", "--no-correlate", "--config", cfg, "--field-mapping", endless, "--person", zoe},
			`mapping the person for Create: field "lastname" (Complex): stopped after 500ms (endless loop?)`},
		{"a configuration the connector refuses", []string{"delete", "--config", cfg, "--set", "baseUrl=http://ipassan.com", "--account-ref", femke},
			"configuration key baseUrl must use https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r := run(t, "", tt.args...)
			assert.Less(t, time.Since(start), 3*time.Second, "a script stopped after 500 ms, not left running")
			assert.Equal(t, 1, r.code)
			o := output(t, r)
			assert.False(t, o.Success)
			require.Len(t, o.AuditLogs, 1)
			assert.Contains(t, o.AuditLogs[0].Message, tt.want)
		})
	}
	assert.Zero(t, f.Writes())
}

// Layers: the file's siteId loses to --set; the secret comes from the
// environment and is never printed, at any level, on either stream.
func TestConfigurationLayersAndTheSecret(t *testing.T) {
	t.Parallel()
	_, url := startDemoFake(t, fake.Options{})
	cfg := demoConfig(t, url, m{"siteId": "7e4d1b90-2c6f-4a83-9e15-b3d0a7c2f846"}) // Dependance: Femke is not there

	r := run(t, "", "disable", "--config", cfg, "--account-ref", femke, "--dry-run", "--log-level", "debug", "--allow-missing")
	require.Equal(t, 0, r.code)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "does not exist", "Dependance has no Femke: disable has nothing to do")

	r = run(t, "", "disable", "--config", cfg, "--set", "siteId="+demoSite, "--account-ref", femke, "--dry-run", "--log-level", "debug", "--log-format", "json")
	require.Equal(t, 0, r.code, r.stdout)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "DryRun: would disable")
	for _, stream := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, stream, demoSecret)
		assert.NotContains(t, stream, "fake-", "a bearer token leaked")
	}
	assert.Contains(t, r.stderr, "ipassan request", "debug logging is on")

	// Without the environment the secret is missing, and the message says so.
	r = invocation{env: map[string]string{}}.run(t, "disable", "--config", cfg, "--account-ref", femke)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, output(t, r).AuditLogs[0].Message, "configuration key clientSecret is missing")
}

func TestActionHelpShowsTheBuildFlags(t *testing.T) {
	t.Parallel()
	for _, a := range actions.All() {
		r := run(t, "", a.Name, "--help")
		assert.Equal(t, 0, r.code)
		flags := map[string]bool{"--config": true, "--set": true, "--dry-run": true,
			"--field-mapping": a.Build.Data > actions.Accepted, "--person": a.Build.Data > actions.Accepted || a.Build.Person > actions.Accepted,
			"--no-correlate": a.Build.Correlation, "--allow-missing": a.Build.MissingIsSuccess,
			"--account-ref": a.Build.Account != actions.Unused, "--permission": a.Build.Permission != actions.Unused,
			"--correlate": a.Build.Correlation, "--correlation-field": a.Build.Correlation,
			"--operation": a.Build.SubPermissions, "--current-permission": a.Build.SubPermissions, "--import-field": a.Build.ImportFields}
		for flag, offered := range flags {
			if offered {
				assert.Contains(t, r.stdout, flag+" ", a.Name)
			} else {
				assert.NotContains(t, r.stdout, flag+" ", a.Name)
			}
		}
		assert.Contains(t, r.stdout, "ipassan-connector "+a.Name+" --config configuration.json", a.Name)
		assert.Contains(t, r.stdout, "IPASSAN_CLIENT_SECRET", a.Name)
	}
}
