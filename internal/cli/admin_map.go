package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

// mapOptions are the parsed flags of `map` and what it runs with.
type mapOptions struct {
	adminOptions
	action       string // a command name or HelloID's action name, any case
	person       string
	fieldMapping string
}

func newMapCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &mapOptions{adminOptions: newAdminOptions("map", g, io)}
	var names []string
	for _, a := range actions.Mapped() {
		names = append(names, a.Name)
	}
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
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			// An absent --action is a required flag, said before this runs.
			if _, ok := actions.MappedFor(opts.action); !ok && opts.action != "" {
				return usagef(cmd, "--action must be %s, got %q%s", orList(names), opts.action, didYouMean(opts.action, names))
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error { return mapRun(opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.action, "action", "", "the `ACTION` to map for: "+orList(names))
	f.StringVar(&opts.person, "person", "", "the HelloID person, from `FILE` (a person, or {Person, Manager})")
	f.StringVar(&opts.fieldMapping, "field-mapping", "", "HelloID's fieldMapping.json, from `FILE`")
	for _, name := range []string{"action", "person", "field-mapping"} {
		_ = cmd.MarkFlagRequired(name)
	}
	_ = cmd.MarkFlagFilename("person", "json")
	_ = cmd.MarkFlagFilename("field-mapping", "json")
	_ = cmd.RegisterFlagCompletionFunc("action", cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp))
	opts.register(cmd, false)
	return cmd
}

func mapRun(opts *mapOptions) error {
	s := opts.session()
	defer s.close()
	action, _ := actions.MappedFor(opts.action)
	mapping, err := fieldmapping.Load(opts.fieldMapping)
	if err != nil {
		return s.fail(err)
	}
	person, err := contextbuild.LoadPerson(opts.person)
	if err != nil {
		return s.fail(err)
	}
	data, err := mapping.Map(action.Build.MapFor, person, fieldmapping.Options{})
	if err != nil {
		return s.fail(err)
	}
	if s.json {
		return s.printJSON(data)
	}
	pairs := render.Flatten(data)
	if len(pairs) == 0 {
		fmt.Fprintln(s.out, s.style.Dim(fmt.Sprintf("fieldMapping.json maps no field for %s", action.Build.MapFor)))
		return nil
	}
	return s.printTable(render.PairTable(pairs, s.style))
}
