package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

// mapForActions are the actions a fieldMapping.json maps for, by command name,
// in HelloID's spelling.
var mapForActions = map[string]string{
	"create": "Create", "update": "Update", "enable": "Enable", "disable": "Disable", "delete": "Delete",
}

// mapOptions are the parsed flags of `map` and what it runs with.
type mapOptions struct {
	g            *globalOptions
	io           IOStreams
	output       outputFlag
	action       string // as given; checked against mapForActions
	person       string
	fieldMapping string
}

func newMapCmd(g *globalOptions, io IOStreams, runF func(context.Context, *mapOptions) error) *cobra.Command {
	opts := &mapOptions{g: g, io: io}
	cmd := &cobra.Command{
		Use:   "map --action ACTION --person FILE --field-mapping FILE",
		Short: "Show the Data HelloID would send an action for a person, from fieldMapping.json",
		Long: `Evaluates fieldMapping.json for one action against a HelloID person, as HelloID does before
it runs the action's script, and shows the resulting actionContext.Data: Field mappings read
the person, Fixed ones are literal, Complex ones run their JavaScript (with the person as
Person, the manager as Manager, Iteration 0 and deleteDiacriticalMarks), None and unmapped
fields are left out. As in HelloID, a person without Accounts, or without an entry for a
system in it, reads that system as an empty object. Nothing is sent to IPassan.

The person file holds a HelloID person (like HelloID's demoPerson.json) or {Person, Manager}.`,
		Example: `  ipassan-connector map --action create --person testdata/persons/afas-zoe-dhondt.json --field-mapping fieldMapping.json

  # The lookup key enable would map through the access-profile table
  ipassan-connector map --action enable --person person.json --field-mapping fieldMapping.json --output json`,
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			// An absent --action is left to cobra's required-flag message.
			if _, ok := mapForActions[strings.ToLower(opts.action)]; !ok && opts.action != "" {
				return fmt.Errorf("--action must be create, update, enable, disable or delete, got %q", opts.action)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return mapRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.action, "action", "", "the action to map for: create, update, enable, disable or delete")
	f.StringVar(&opts.person, "person", "", "the HelloID person, from `FILE` (a person, or {Person, Manager})")
	f.StringVar(&opts.fieldMapping, "field-mapping", "", "HelloID's fieldMapping.json, from `FILE`")
	for _, name := range []string{"action", "person", "field-mapping"} {
		_ = cmd.MarkFlagRequired(name)
	}
	_ = cmd.MarkFlagFilename("person", "json")
	_ = cmd.MarkFlagFilename("field-mapping", "json")
	_ = cmd.RegisterFlagCompletionFunc("action", cobra.FixedCompletions([]string{"create", "update", "enable", "disable", "delete"}, cobra.ShellCompDirectiveNoFileComp))
	addOutputFlag(cmd, &opts.output)
	return cmd
}

func mapRun(opts *mapOptions) error {
	s := newAdminSession("map", opts.g, opts.io, opts.output)
	mapping, err := fieldmapping.Load(opts.fieldMapping)
	if err != nil {
		return s.fail(err)
	}
	person, err := contextbuild.LoadPerson(opts.person)
	if err != nil {
		return s.fail(err)
	}
	data, err := mapping.Map(mapForActions[strings.ToLower(opts.action)], person, fieldmapping.Options{})
	if err != nil {
		return s.fail(err)
	}
	if s.json {
		return s.printJSON(data)
	}
	pairs := render.Flatten(data)
	if len(pairs) == 0 {
		fmt.Fprintln(s.out, s.style.Dim(fmt.Sprintf("fieldMapping.json maps no field for %s", mapForActions[strings.ToLower(opts.action)])))
		return nil
	}
	return s.printTable(render.PairTable(pairs, s.style))
}
