package cli

import (
	"context"
	"fmt"
	"io"
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
	allOrphans       bool
	useIndex         bool
}

// orphansShown is how many orphans the table shows without --orphans: enough
// to recognise them, few enough that the plans do not scroll away.
const orphansShown = 10

func newPlanCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &planOptions{adminOptions: newAdminOptions("plan", g, io)}
	cmd := &cobra.Command{
		Use:   "plan --persons FILE --field-mapping FILE (--config FILE | --context FILE)",
		Short: "Say what HelloID's enforcement would do for every person of an HR export",
		Long: `Reads the site once and, for each HelloID person of the export, says what enforcement would
do with this configuration and fieldMapping.json: create or correlate (ExternalId against
--correlation-field, as create does), the fields update would send, and the door access it
would give, move or take away. The verdicts are the actions' own: each is what that action
would do in a preview. Then it counts the IPassan persons no HR person matches (orphans) and
shows the first ` + fmt.Sprint(orphansShown) + `; --orphans lists them all. Nothing is written.

The export (--persons FILE, or - for standard input) is one HelloID person, a JSON array of
persons, or JSON Lines (one person a line); each a person (like HelloID's demoPerson.json) or
{Person, Manager}. A person counts as entitled to access when a contract is in conditions
(or the export says nothing about conditions).

With --use-index, a plan of a few persons can skip reading the site: when a recent site
index on this machine names exactly one IPassan person for every HR person, and reading each
of those persons confirms it, the plan is made from them (one request a person) and the
orphans are not listed (they need the whole site). The first person the index cannot answer
for sure (a new hire, two candidates, a changed value) sends the plan to the whole site, and
so do more than 200 persons, for which one read of the site costs less.

On a terminal the plan is a table; piped, or with --output json, it is one JSON document
holding every plan and every orphan. Exit status 0 when no person's plan holds an error.`,
		Example: `  ipassan-connector plan --persons hr-export.json --field-mapping fieldMapping.json --config ipassan.json
  ipassan-connector plan --persons person.json --field-mapping fieldMapping.json --config ipassan.json --orphans
  ipassan-connector plan --persons person.json --field-mapping fieldMapping.json --config ipassan.json --use-index
  jq -c '.[]' hr-export.json | ipassan-connector plan --persons - --field-mapping fieldMapping.json --config ipassan.json --output json > plan.json`,
		Args:    noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return opts.checkConfig(cmd) },
		RunE:    func(cmd *cobra.Command, _ []string) error { return planRun(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.persons, "persons", "", "the HR export in `FILE` (- for standard input): one HelloID person, a JSON array of them, or JSON Lines")
	f.BoolVar(&opts.allOrphans, "orphans", false, fmt.Sprintf("list every IPassan person no HR person matches (a table shows the first %d)", orphansShown))
	f.StringVar(&opts.fieldMapping, "field-mapping", "", "HelloID's fieldMapping.json in `FILE`")
	f.StringVar(&opts.correlationField, "correlation-field", contextbuild.DefaultCorrelationField, "the IPassan `FIELD` an ExternalId is compared with")
	f.BoolVar(&opts.useIndex, "use-index", false, "match the persons through this machine's site index, each confirmed by reading it, and read the site only when one cannot be (orphans are then not listed)")
	_ = cmd.MarkFlagRequired("persons")
	_ = cmd.MarkFlagRequired("field-mapping")
	_ = cmd.MarkFlagFilename("persons", "json")
	_ = cmd.MarkFlagFilename("field-mapping", "json")
	opts.register(cmd, true)
	return cmd
}

func planRun(ctx context.Context, opts *planOptions) error {
	s, cfg, err := opts.configuration()
	defer s.close()
	if err != nil {
		return err
	}
	mapping, err := fieldmapping.Load(opts.fieldMapping)
	if err != nil {
		return s.fail(err)
	}
	start := time.Now()
	persons, err := loadPersons(opts.persons, opts.io)
	if err != nil {
		return s.fail(err)
	}
	s.log.Debug().Int("persons", len(persons)).Str("took", took(time.Since(start))).Msg("HR export read")
	conn, err := s.connect(cfg, true)
	if err != nil {
		return s.fail(err)
	}
	var plan *connector.PlanResult
	err = s.readingSite(conn, func() (err error) {
		plan, err = conn.Plan(ctx, persons, connector.PlanOptions{Mapping: mapping, AccountField: opts.correlationField, UseIndex: opts.useIndex})
		return err
	})
	if err != nil {
		return s.fail(err)
	}
	if s.json {
		if err := s.printJSON(plan); err != nil {
			return err
		}
	} else if err := s.printPlan(plan, opts.allOrphans); err != nil {
		return err
	}
	if n := plan.Summary[connector.StepError]; n > 0 {
		return s.fail(fmt.Errorf("%s of the %s %s an error", plural(n, "plan", "plans"), plural(len(plan.Entries), "person", "persons"), verb(n, "holds", "hold")))
	}
	return nil
}

// loadPersons reads an HR export: one HelloID person, a JSON array of them,
// or JSON Lines (one person a line), each a person or {Person, Manager};
// "-" reads standard input. The persons are decoded one at a time.
func loadPersons(path string, streams IOStreams) ([]*object.Object, error) {
	name := "the persons file " + contextbuild.QuotePath(path)
	var raw []byte
	var err error
	if path == "-" {
		name = "the persons on standard input"
		raw, err = io.ReadAll(streams.In)
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s cannot be read: %w", name, err)
	}
	text, err := textenc.ToUTF8(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var persons []*object.Object
	add := func(what string, v any) error {
		doc, ok := v.(*object.Object)
		if !ok {
			return fmt.Errorf("%s must be a person (an object), got %s", what, object.Kind(v))
		}
		pc, err := contextbuild.PersonContextOf(doc)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		persons = append(persons, pc)
		return nil
	}
	r := object.NewReader(text)
	switch r.Type() {
	case object.TypeArray:
		err = object.DecodeEach(text, func(i int, v any) error { return add(fmt.Sprintf("element %d", i), v) })
	case object.TypeObject:
		// One person, or JSON Lines: objects one after another.
		for n := 1; err == nil && r.Type() != object.TypeNone; n++ {
			var v any
			if v, err = r.Value(); err == nil {
				err = add(fmt.Sprintf("person %d", n), v)
			}
		}
		if err == nil {
			err = r.End()
		}
	default:
		err = fmt.Errorf("expected one person (a JSON object), a JSON array of persons or JSON Lines, got %s", r.Type())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(persons) == 0 {
		return nil, fmt.Errorf("%s holds no person", name)
	}
	return persons, nil
}

// printPlan prints a table of the persons, the orphans (the first few, or
// all), and a summary.
func (s *adminSession) printPlan(plan *connector.PlanResult, allOrphans bool) error {
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
	if n := len(plan.Orphans); n > 0 {
		shown := plan.Orphans
		if !allOrphans && n > orphansShown {
			shown = shown[:orphansShown]
		}
		fmt.Fprintf(s.out, "\n%s\n", s.style.Bold(fmt.Sprintf("%s no HR person matches:", plural(n, "IPassan person", "IPassan persons"))))
		o := &render.Table{Header: []string{"IPASSAN", "NAME", "VALUE", "DOOR PROFILE"}}
		for _, orphan := range shown {
			o.AddText(orphan.Account, orphan.Name, orphan.Value, orphan.DoorProfile)
		}
		if err := s.printTable(o); err != nil {
			return err
		}
		if rest := n - len(shown); rest > 0 {
			fmt.Fprintln(s.out, s.style.Dim(fmt.Sprintf("… and %d more (--orphans lists them all)", rest)))
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
	site := plural(plan.Site, "IPassan person", "IPassan persons")
	if plan.Indexed {
		site = "matched through the site index (the site was not read, so orphans are not known)"
	}
	fmt.Fprintf(s.out, "\n%s, %s: %s\n", plural(len(plan.Entries), "HR person", "HR persons"), site, strings.Join(parts, ", "))
	return nil
}
