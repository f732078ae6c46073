package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// planOptions are the parsed flags of `plan`.
type planOptions struct {
	adminOptions
	persons          string
	fieldMapping     string
	correlationField string
}

func newPlanCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &planOptions{adminOptions: newAdminOptions("plan", g, io)}
	cmd := &cobra.Command{
		Use:   "plan --persons FILE --field-mapping FILE (--config FILE | --context FILE)",
		Short: "Say what HelloID's enforcement would do for every person of an HR export",
		Long: `Reads the site once and, for each HelloID person of the export (a JSON array of persons, or
of {Person, Manager}), says what enforcement would do with this configuration and
fieldMapping.json: create or correlate (ExternalId against --correlation-field, as create
does), the fields update would send, and the door access it would give, move or take away;
then lists the IPassan persons no HR person matches. A person counts as entitled to access
when a contract is in conditions (or the export says nothing about conditions). Nothing is
written. Exit status 0 when no person's plan holds an error.`,
		Example: `  ipassan-connector plan --persons hr-export.json --field-mapping fieldMapping.json --config ipassan.json
  ipassan-connector plan --persons hr-export.json --field-mapping fieldMapping.json --config ipassan.json --output json > plan.json`,
		Args:    noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return opts.checkConfig(cmd) },
		RunE:    func(cmd *cobra.Command, _ []string) error { return planRun(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.persons, "persons", "", "the HR export: a JSON array of HelloID persons in `FILE`")
	f.StringVar(&opts.fieldMapping, "field-mapping", "", "HelloID's fieldMapping.json in `FILE`")
	f.StringVar(&opts.correlationField, "correlation-field", contextbuild.DefaultCorrelationField, "the IPassan field an ExternalId is compared with")
	_ = cmd.MarkFlagRequired("persons")
	_ = cmd.MarkFlagRequired("field-mapping")
	_ = cmd.MarkFlagFilename("persons", "json")
	_ = cmd.MarkFlagFilename("field-mapping", "json")
	opts.register(cmd, true)
	return cmd
}

func planRun(ctx context.Context, opts *planOptions) error {
	s, cfg, err := opts.configuration()
	if err != nil {
		return err
	}
	mapping, err := fieldmapping.Load(opts.fieldMapping)
	if err != nil {
		return s.fail(err)
	}
	start := time.Now()
	persons, err := loadPersons(opts.persons)
	if err != nil {
		return s.fail(err)
	}
	s.log.Debug().Int("persons", len(persons)).Str("took", took(time.Since(start))).Msg("HR export read")
	conn, err := s.connect(cfg, true)
	if err != nil {
		return s.fail(err)
	}
	progress := s.progressBar("Reading the site")
	conn.Progress = progress.AddPage
	plan, err := conn.Plan(ctx, persons, connector.PlanOptions{Mapping: mapping, AccountField: opts.correlationField})
	progress.Done()
	if err != nil {
		return s.fail(err)
	}
	if s.json {
		if err := s.printJSON(plan); err != nil {
			return err
		}
	} else if err := s.printPlan(plan); err != nil {
		return err
	}
	if n := plan.Summary[connector.StepError]; n > 0 {
		return s.fail(fmt.Errorf("%d of the %d persons' plans hold an error", n, len(plan.Entries)))
	}
	return nil
}

// loadPersons reads an HR export: a JSON array of HelloID persons (or of
// {Person, Manager}), decoded one person at a time.
func loadPersons(path string) ([]*object.Object, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("the persons file %q cannot be read: %w", path, err)
	}
	text, err := textenc.ToUTF8(raw)
	if err != nil {
		return nil, fmt.Errorf("the persons file %q: %w", path, err)
	}
	var persons []*object.Object
	err = object.DecodeEach(text, func(i int, v any) error {
		doc, ok := v.(*object.Object)
		if !ok {
			return fmt.Errorf("element %d must be a person (an object), got %s", i, object.Kind(v))
		}
		pc, err := contextbuild.PersonContextOf(doc)
		if err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
		persons = append(persons, pc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the persons file %q: %w", path, err)
	}
	return persons, nil
}

// printPlan prints a table of the persons, one of the orphans, and a summary.
func (s *adminSession) printPlan(plan *connector.PlanResult) error {
	t := &render.Table{Header: []string{"EXTERNAL ID", "NAME", "IPASSAN", "PLAN"}}
	for _, e := range plan.Entries {
		steps := make([]string, len(e.Steps))
		failed := false
		for i, st := range e.Steps {
			steps[i] = st.Action
			if st.Detail != "" {
				steps[i] += " " + st.Detail
			}
			failed = failed || st.Action == connector.StepError
		}
		cell := render.Plain(strings.Join(steps, "; "))
		if failed {
			cell.Paint = s.style.Red
		}
		t.Add(render.Plain(e.ExternalID), render.Plain(e.DisplayName), render.Plain(e.Account), cell)
	}
	if err := s.printTable(t); err != nil {
		return err
	}
	if len(plan.Orphans) > 0 {
		fmt.Fprintf(s.out, "\n%s\n", s.style.Bold(fmt.Sprintf("%d IPassan persons no HR person matches:", len(plan.Orphans))))
		o := &render.Table{Header: []string{"IPASSAN", "NAME", "VALUE", "DOOR PROFILE"}}
		for _, orphan := range plan.Orphans {
			o.AddText(orphan.Account, orphan.Name, orphan.Value, orphan.DoorProfile)
		}
		if err := s.printTable(o); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(plan.Summary))
	for k := range plan.Summary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, plan.Summary[k])
	}
	fmt.Fprintf(s.out, "\n%d HR persons, %d IPassan persons: %s\n", len(plan.Entries), plan.Site, strings.Join(parts, ", "))
	return nil
}
