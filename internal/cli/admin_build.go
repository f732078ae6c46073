package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
)

// buildRules say what an action's built context must hold.
type buildRules struct {
	mapFor       string // the fieldMapping action Data is built for; "" for none
	needsData    bool   // the action reads Data: --field-mapping and --person are required
	needsAccount bool   // the action acts on an existing person: --account-ref is required
}

// lifecycleBuildRules are the five lifecycle actions' rules, by command name.
var lifecycleBuildRules = map[string]buildRules{
	"create":  {mapFor: "Create", needsData: true},
	"update":  {mapFor: "Update", needsData: true, needsAccount: true},
	"enable":  {mapFor: "Enable", needsData: true, needsAccount: true},
	"disable": {mapFor: "Disable", needsAccount: true},
	"delete":  {mapFor: "Delete", needsAccount: true},
}

// buildFlags build an action's context from HelloID's own files (package
// contextbuild) instead of reading it from standard input or --context. The
// context built goes through exactly the same session as one read.
type buildFlags struct {
	config           configFlags
	fieldMapping     string
	person           string
	accountRef       string
	dryRun           bool
	correlate        bool
	correlationField string
}

// buildOnlyFlags mean something only when the context is built.
var buildOnlyFlags = []string{"field-mapping", "person", "account-ref", "dry-run", "correlate", "correlation-field"}

// addBuildFlags gives an action command the flags that build its context and
// the usage checks that go with them.
func addBuildFlags(cmd *cobra.Command, g *globalOptions, rules buildRules) *buildFlags {
	b := &buildFlags{}
	b.config.register(cmd)
	f := cmd.Flags()
	f.StringVar(&b.fieldMapping, "field-mapping", "", "with --config: build Data from HelloID's fieldMapping.json in `FILE`")
	f.StringVar(&b.person, "person", "", "with --config: the HelloID person, from `FILE` (a person, or {Person, Manager})")
	f.StringVar(&b.accountRef, "account-ref", "", "with --config: the IPassan person's `UUID` (References.Account)")
	f.BoolVar(&b.dryRun, "dry-run", false, "with --config: a preview (DryRun); nothing is written to IPassan")
	f.BoolVar(&b.correlate, "correlate", false, "with --config: correlate the person's ExternalId with an existing IPassan person (create)")
	f.StringVar(&b.correlationField, "correlation-field", contextbuild.DefaultCorrelationField, "with --config: the IPassan field --correlate compares the ExternalId with")
	_ = cmd.MarkFlagFilename("field-mapping", "json")
	_ = cmd.MarkFlagFilename("person", "json")

	cmd.Long += `

Without HelloID, the context can be built from HelloID's own files instead: --config (the
configuration.json form or a flat {key: value} file; repeat to merge; --set key=value on top;
the client secret may come from $` + contextbuild.EnvClientSecret + `), --field-mapping and --person give
Data, --account-ref the reference, --dry-run a preview.`
	cmd.Example += fmt.Sprintf(`

  # Without HelloID: the context built from HelloID's own files
  export %s='…'
  ipassan-connector %s %s`, contextbuild.EnvClientSecret, cmd.Name(), buildExampleArgs(rules))

	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := b.check(cmd, g, rules); err != nil {
			return err
		}
		if b.config.given() {
			g.build = func() (*helloid.Context, error) { return b.build(rules) }
		}
		return nil
	}
	return b
}

func buildExampleArgs(rules buildRules) string {
	args := "--config configuration.json --set siteId=3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	if rules.needsData {
		args += " --field-mapping fieldMapping.json --person person.json"
	}
	if rules.needsAccount {
		args += " --account-ref c0a80101-0000-4000-8000-000000000001"
	} else {
		args += " --correlate"
	}
	return args
}

// check is the usage check of the build flags: exit status 2 before anything
// runs, naming the flag.
func (b *buildFlags) check(cmd *cobra.Command, g *globalOptions, rules buildRules) error {
	name := cmd.Name()
	if !b.config.given() {
		for _, flag := range buildOnlyFlags {
			if cmd.Flags().Changed(flag) {
				return fmt.Errorf("--%s builds the context and needs --config: with --context or standard input the context itself holds it", flag)
			}
		}
		return nil
	}
	var missing []string
	switch {
	case g.contextFile != "":
		return errBothContextAndConfig
	case rules.needsData && b.fieldMapping == "":
		missing = append(missing, "--field-mapping FILE (Data is built from it)")
	}
	if (rules.needsData || b.fieldMapping != "" || b.correlate) && b.person == "" {
		missing = append(missing, "--person FILE (the HelloID person to map)")
	}
	if rules.needsAccount && strings.TrimSpace(b.accountRef) == "" {
		missing = append(missing, "--account-ref UUID (the IPassan person to act on)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s with --config needs %s", name, strings.Join(missing, " and "))
	}
	return b.config.check()
}

// build reads the files and builds the context. It runs inside the action's
// session, so a file that cannot be read fails the action with an
// outputContext saying so, exactly like an unreadable --context file.
func (b *buildFlags) build(rules buildRules) (*helloid.Context, error) {
	cfg, err := contextbuild.LoadConfiguration(b.config.sources())
	if err != nil {
		return nil, err
	}
	opts := contextbuild.Options{
		Configuration: cfg, MapFor: rules.mapFor, AccountReference: b.accountRef,
		DryRun: b.dryRun, Correlate: b.correlate, CorrelationField: b.correlationField,
	}
	if b.fieldMapping != "" {
		if opts.FieldMapping, err = fieldmapping.Load(b.fieldMapping); err != nil {
			return nil, err
		}
	}
	if b.person != "" {
		if opts.PersonContext, err = contextbuild.LoadPerson(b.person); err != nil {
			return nil, err
		}
	}
	return contextbuild.Build(opts)
}

// actionContext is where an action's context comes from: built from HelloID's
// own files when the command was given --config or --set, else read from
// --context FILE or standard input.
func (g *globalOptions) actionContext(io IOStreams) (*helloid.Context, error) {
	if g.build != nil {
		return g.build()
	}
	return readContext(g.contextFile, io)
}
