package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// buildFlags build an action's context from HelloID's own files (package
// contextbuild) instead of reading it from standard input or --context. The
// context built goes through exactly the same session as one read. Which
// flags an action offers, and which it requires, is the registry's Build.
type buildFlags struct {
	rules              actions.Build
	config             configFlags
	fieldMapping       string
	person             string
	accountRef         string
	permission         string
	dryRun             bool
	correlate          bool
	noCorrelate        bool
	correlationField   string
	allowMissing       bool
	operation          *enumFlag
	currentPermissions []string
	importFields       []string
	uniqueFields       []string

	hint string // what a configuration error should add (see secretHint)
}

// Flag names of the build flags, each meaning something only with --config.
const (
	flagFieldMapping      = "field-mapping"
	flagPerson            = "person"
	flagAccountRef        = "account-ref"
	flagPermission        = "permission"
	flagDryRun            = "dry-run"
	flagCorrelate         = "correlate"
	flagNoCorrelate       = "no-correlate"
	flagCorrelationField  = "correlation-field"
	flagAllowMissing      = "allow-missing"
	flagOperation         = "operation"
	flagCurrentPermission = "current-permission"
	flagImportField       = "import-field"
	flagUniqueField       = "unique-field"
)

// defaultImportFields are the IPassan fields a hand-run import returns when
// no --import-field is given: all a person has that HelloID may map.
var defaultImportFields = []string{ipassan.FieldFirstname, ipassan.FieldLastname, ipassan.FieldMail, ipassan.FieldPhone,
	ipassan.FieldNumber, ipassan.FieldType, ipassan.FieldOther}

// addBuildFlags gives an action command the flags that build its context,
// as its registry entry says, and the usage checks that go with them.
func addBuildFlags(cmd *cobra.Command, g *globalOptions, io IOStreams, a actions.Action) preparer {
	r := a.Build
	b := &buildFlags{rules: r}
	b.config.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&b.dryRun, flagDryRun, false, "with --config: a preview (DryRun); nothing is written to IPassan")
	if r.Data != actions.Unused {
		f.StringVar(&b.fieldMapping, flagFieldMapping, "", "with --config: build Data from HelloID's fieldMapping.json in `FILE`")
		_ = cmd.MarkFlagFilename(flagFieldMapping, "json")
		if r.Data == actions.Accepted {
			_ = f.MarkHidden(flagFieldMapping)
		}
	}
	if r.Person != actions.Unused || r.Data != actions.Unused {
		f.StringVar(&b.person, flagPerson, "", "with --config: the HelloID person, from `FILE` (a person, or {Person, Manager})")
		_ = cmd.MarkFlagFilename(flagPerson, "json")
		if max(r.Person, r.Data) == actions.Accepted {
			_ = f.MarkHidden(flagPerson)
		}
	}
	if r.Account != actions.Unused {
		f.StringVar(&b.accountRef, flagAccountRef, "", "with --config: the IPassan person's `UUID` (References.Account)")
	}
	if r.Permission != actions.Unused {
		f.StringVar(&b.permission, flagPermission, "", "with --config: the access profile's `GUID` (References.Permission, as the permissions command lists it)")
	}
	if r.Correlation {
		f.BoolVar(&b.correlate, flagCorrelate, false, "with --config: correlate the person's ExternalId with an existing IPassan person (this or --no-correlate is required)")
		f.BoolVar(&b.noCorrelate, flagNoCorrelate, false, "with --config: create without correlation, even when IPassan has the person already (warned about)")
		f.StringVar(&b.correlationField, flagCorrelationField, contextbuild.DefaultCorrelationField, "with --config: the IPassan `FIELD` --correlate compares the ExternalId with")
	}
	if r.MissingIsSuccess {
		f.BoolVar(&b.allowMissing, flagAllowMissing, false, "with --config: an account that does not exist is success, as it is for HelloID (by hand it fails: a mistyped --account-ref must not look done)")
	}
	if r.SubPermissions {
		b.operation = newEnum(helloid.OperationGrant, helloid.OperationGrant, helloid.OperationUpdate, helloid.OperationRevoke)
		b.operation.register(cmd, false, flagOperation, "with --config: the dynamic permission's Operation")
		f.StringArrayVar(&b.currentPermissions, flagCurrentPermission, nil, "with --config: a profile `GUID` HelloID granted before (CurrentPermissions; repeatable)")
	}
	if r.UniqueFields {
		f.StringArrayVar(&b.uniqueFields, flagUniqueField, nil, "with --config: a Data `FIELD` to check (UniqueFieldNames; repeatable; default: the UniqueFieldNames of --field-mapping, else mail)")
	}
	if r.ImportFields {
		f.StringArrayVar(&b.importFields, flagImportField, nil, "with --config: an account `FIELD` to return (ImportFields; repeatable; default: "+strings.Join(defaultImportFields, ", ")+")")
	}

	cmd.Long += `

Without HelloID, the context can be built from HelloID's own files instead: --config (the
configuration.json form or a flat {key: value} file; repeat to merge; --set key=value on top;
the client secret may come from $` + contextbuild.EnvClientSecret + `)` + b.helpTail() + `, --dry-run a preview.`
	cmd.Example += fmt.Sprintf(`

  # Without HelloID: the context built from HelloID's own files
  export %s='…'
  ipassan-connector %s %s`, contextbuild.EnvClientSecret, cmd.Name(), b.exampleArgs())

	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := b.check(cmd, g); err != nil {
			return usage(cmd, err)
		}
		if b.config.given() {
			g.build = func() (*helloid.Context, error) { return b.build(io) }
			g.configHint = b.secretHint
		}
		return nil
	}
	return b.prepare
}

// helpTail names, for the help, what the other build flags give.
func (b *buildFlags) helpTail() string {
	var parts []string
	if b.rules.Data > actions.Accepted {
		parts = append(parts, "--field-mapping and --person give Data")
	} else if b.rules.Person > actions.Accepted {
		parts = append(parts, "--person the personContext")
	}
	if b.rules.Account != actions.Unused {
		parts = append(parts, "--account-ref the reference")
	}
	if b.rules.Permission != actions.Unused {
		parts = append(parts, "--permission the access profile")
	}
	if b.rules.SubPermissions {
		parts = append(parts, "--operation and --current-permission what HelloID granted before")
	}
	if b.rules.ImportFields {
		parts = append(parts, "--import-field the fields to return")
	}
	if b.rules.UniqueFields {
		parts = append(parts, "--unique-field the fields to check")
	}
	if b.rules.Correlation {
		parts = append(parts, "--correlate or --no-correlate (one is required) whether an existing person is taken over")
	}
	if b.rules.MissingIsSuccess {
		parts = append(parts, "--allow-missing that an account already gone is success (by hand it fails)")
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

func (b *buildFlags) exampleArgs() string {
	r := b.rules
	args := "--config configuration.json --set siteId=3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	switch {
	case r.Data == actions.Required:
		args += " --field-mapping fieldMapping.json --person person.json"
	case r.Person == actions.Required:
		args += " --person person.json"
	}
	if r.Account == actions.Required {
		args += " --account-ref c0a80101-0000-4000-8000-000000000001"
	}
	if r.Permission == actions.Required {
		args += " --permission a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51"
	}
	if r.Correlation {
		args += " --correlate"
	}
	return args
}

// notGUID is the usage error of an account reference that cannot be an
// IPassan uuid, such as an employee number.
func notGUID(flag, value string) error {
	return fmt.Errorf("--%s %s is not an IPassan uuid (a GUID such as c0a80101-0000-4000-8000-000000000001); "+
		"an employee number finds the person's uuid: ipassan-connector find --number %s --config …",
		flag, textenc.Quote(value), strings.TrimSpace(value))
}

// check is the usage check of the build flags: exit status 2 before anything
// runs, naming the flag.
func (b *buildFlags) check(cmd *cobra.Command, g *globalOptions) error {
	name := cmd.Name()
	if !b.config.given() {
		for _, flag := range []string{flagFieldMapping, flagPerson, flagAccountRef, flagPermission, flagDryRun, flagCorrelate,
			flagCorrelationField, flagNoCorrelate, flagAllowMissing, flagOperation, flagCurrentPermission, flagImportField, flagUniqueField} {
			if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
				return fmt.Errorf("--%s builds the context and needs --config: with --context or standard input the context itself holds it", flag)
			}
		}
		return nil
	}
	if g.contextFile != "" {
		return errBothContextAndConfig
	}
	r := b.rules
	if ref := strings.TrimSpace(b.accountRef); ref != "" && !contextbuild.IsGUID(ref) {
		return notGUID(flagAccountRef, b.accountRef)
	}
	if b.correlate && b.noCorrelate {
		return fmt.Errorf("--%s and --%s contradict each other: choose one", flagCorrelate, flagNoCorrelate)
	}
	var missing []string
	if r.Data == actions.Required && b.fieldMapping == "" {
		missing = append(missing, "--field-mapping FILE (Data is built from it)")
	}
	if (r.Person == actions.Required || r.Data == actions.Required || b.fieldMapping != "" || b.correlate) && b.person == "" {
		missing = append(missing, "--person FILE (the HelloID person to map)")
	}
	if r.Account == actions.Required && strings.TrimSpace(b.accountRef) == "" {
		missing = append(missing, "--account-ref UUID (the IPassan person to act on)")
	}
	if r.Permission == actions.Required && strings.TrimSpace(b.permission) == "" {
		missing = append(missing, "--permission GUID (the access profile)")
	}
	if r.Correlation && !b.correlate && !b.noCorrelate {
		missing = append(missing, fmt.Sprintf("--%s (take over the IPassan person with the same %s, as HelloID does) or --%s (create another one; "+
			"without correlation every run creates a person)", flagCorrelate, b.correlationField, flagNoCorrelate))
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s with --config needs %s", name, strings.Join(missing, " and "))
	}
	return b.config.check()
}

// build reads the files and builds the context. It runs inside the action's
// session, so a file that cannot be read fails the action with an
// outputContext saying so, exactly like an unreadable --context file.
func (b *buildFlags) build(io IOStreams) (*helloid.Context, error) {
	cfg, err := contextbuild.LoadConfiguration(b.config.sources(io))
	if err != nil {
		return nil, err
	}
	b.hint = secretHint(cfg, io)
	opts := contextbuild.Options{
		Configuration: cfg, MapFor: b.rules.MapFor, AccountReference: b.accountRef,
		DryRun: b.dryRun, Correlate: b.correlate, CorrelationField: b.correlationField,
		Permission: b.permission,
	}
	if b.rules.SubPermissions {
		opts.Operation = b.operation.String()
		opts.CurrentPermissions = append([]string{}, b.currentPermissions...)
	}
	if b.rules.UniqueFields {
		// --unique-field wins; without it, the field mapping's UniqueFieldNames.
		opts.Uniqueness = true
		if len(b.uniqueFields) > 0 {
			opts.UniqueFieldNames = b.uniqueFields
		}
	}
	if b.rules.ImportFields {
		opts.ImportFields = b.importFields
		if len(opts.ImportFields) == 0 {
			opts.ImportFields = defaultImportFields
		}
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

func (b *buildFlags) secretHint() string { return b.hint }

// prepare applies the rules of an action run by hand, from --config: an
// account that does not exist fails unless --allow-missing (HelloID's context
// keeps HelloID's rule); a create without correlation warns about the persons
// it duplicates.
func (b *buildFlags) prepare(ctx context.Context, c *connector.Connector, in *helloid.Context) ([]helloid.AuditLog, error) {
	if !b.config.given() {
		return nil, nil
	}
	c.MissingAccountFails = !b.allowMissing
	if b.noCorrelate {
		return duplicatesAhead(ctx, c, in)
	}
	return nil, nil
}

// duplicatesAhead warns, for a create without correlation, about the IPassan
// persons that already have Data's number or mail: the create will make
// another one.
func duplicatesAhead(ctx context.Context, c *connector.Connector, in *helloid.Context) ([]helloid.AuditLog, error) {
	data, err := in.Data()
	if err != nil {
		return nil, err
	}
	var notes []helloid.AuditLog
	warn := func(msg string) {
		c.Log.Warn().Msg(msg)
		notes = append(notes, helloid.AuditLog{Action: helloid.CreateAccount, Message: msg})
	}
	for _, field := range []string{ipassan.FieldNumber, ipassan.FieldMail} {
		v, _ := data.Path(field)
		value, _ := object.Text(v)
		if strings.TrimSpace(value) == "" {
			continue
		}
		found, _, err := c.FindPersons(ctx, field, value)
		if err != nil {
			warn(fmt.Sprintf("--%s: could not look for IPassan persons with %s %s: %s", flagNoCorrelate, field, textenc.Quote(value), connector.Explain(err)))
			continue
		}
		if len(found) == 0 {
			continue
		}
		uuids := make([]string, len(found))
		for i, p := range found {
			uuids[i] = p.UUID
		}
		warn(fmt.Sprintf("--%s: IPassan already has %s with %s %s (%s); this create makes another one",
			flagNoCorrelate, plural(len(found), "person", "persons"), field, textenc.Quote(value), strings.Join(uuids, ", ")))
	}
	return notes, nil
}

// secretHint says where the client secret goes when a configuration built
// from files has none and the environment does not give one either: the
// usual slip of a new shell.
func secretHint(cfg *object.Object, io IOStreams) string {
	if !contextbuild.SecretMissing(cfg) || io.env(contextbuild.EnvClientSecret) != "" {
		return ""
	}
	return fmt.Sprintf(" (the client secret is read from $%s, which is not set: export %s='…'; a --set clientSecret=… stays in your shell's history)",
		contextbuild.EnvClientSecret, contextbuild.EnvClientSecret)
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
