package cli

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

// validateOptions are the parsed flags of `validate` and what it runs with.
type validateOptions struct {
	adminOptions
	persons      []string
	fieldMapping string
}

func newValidateCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &validateOptions{adminOptions: newAdminOptions("validate", g, io)}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a configuration before go-live",
		Long: `Checks a configuration the way the actions will use it, one line per check:
  ✓ passed   ! a warning (allowed, but look at it)   ✗ failed   - not checked

- configuration: the required keys are set and well-formed
- connectorPath: the program HelloID's wrappers start is a file at that full path. On Windows,
  where the agent runs, a missing file fails; on other systems it is a warning, since the
  path must exist on every agent of the pool, not here. An empty connectorPath is a warning
- https: baseUrl uses https (plain http is accepted only for a loopback test server)
- credentials: IPassan issues a token for clientId and clientSecret
- site: the site answers (one page of persons is read)
- mapping table: the file accessProfileMappingPath names exists (on every system: the table
  is checked from it; elsewhere than on the agent, --set accessProfileMappingPath=FILE checks
  a copy) and the table is well-formed; a path that is not a full path is warned about
- profiles: each mapped profile GUID is on at least one person of the site; IPassan silently
  ignores GUIDs it does not know, and has no way to list profiles, so a profile nobody has
  is warned about
- with --person and --field-mapping: the sample person maps for every action, and the lookup
  key update and enable would get is in the mapping table

Exit status 0 when no check failed (warnings allowed), 1 otherwise. Nothing is written to
IPassan.`,
		Example: `  ipassan-connector validate --config configuration.json --set siteId=3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34

  # With sample persons: do their job titles map to a door profile?
  ipassan-connector validate --config ipassan.json --field-mapping fieldMapping.json --person zoe.json --person ijsbrand.json

  # In a pipeline
  ipassan-connector validate --config ipassan.json --output json | jq '.checks[] | select(.status != "pass")'`,
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if (len(opts.persons) > 0) != (opts.fieldMapping != "") {
				return usagef(cmd, "--person and --field-mapping go together: the sample person is mapped through the field mapping")
			}
			return opts.checkConfig(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return validateRun(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.persons, "person", nil, "a sample HelloID person, from `FILE` (repeatable)")
	f.StringVar(&opts.fieldMapping, "field-mapping", "", "HelloID's fieldMapping.json, from `FILE`, to map the sample persons")
	_ = cmd.MarkFlagFilename("person", "json")
	_ = cmd.MarkFlagFilename("field-mapping", "json")
	opts.register(cmd, true)
	return cmd
}

// validation is what `validate --output json` prints.
type validation struct {
	OK     bool          `json:"ok"` // no check failed
	Checks []checkResult `json:"checks"`
}

func validateRun(ctx context.Context, opts *validateOptions) error {
	s, cfg, err := opts.configuration()
	defer s.close()
	if err != nil {
		return err
	}
	v := &validator{session: s, cfg: cfg, persons: opts.persons, fieldMapping: opts.fieldMapping, goos: runtime.GOOS}
	v.run(ctx)

	failed := v.failures()
	if s.json {
		if err := s.printJSON(validation{OK: failed == 0, Checks: v.results}); err != nil {
			return err
		}
	} else if err := s.printTable(checksTable(v.results, s.style)); err != nil {
		return err
	}
	if failed > 0 {
		return s.fail(fmt.Errorf("%d of %s failed", failed, plural(len(v.results), "check", "checks")))
	}
	if !s.json {
		fmt.Fprintln(s.out, s.style.Green("Ready: no check failed."))
	}
	return nil
}

// checksTable shows one check a line: its symbol, its name, its message.
func checksTable(results []checkResult, st render.Style) *render.Table {
	symbols := map[checkStatus]render.Cell{
		checkPass: {Text: "✓", Paint: st.Green},
		checkWarn: {Text: "!", Paint: st.Yellow},
		checkFail: {Text: "✗", Paint: st.Red},
		checkSkip: {Text: "-", Paint: st.Dim},
	}
	t := &render.Table{}
	for _, r := range results {
		message := render.Plain(r.Message)
		if r.Status == checkSkip {
			message.Paint = st.Dim
		}
		t.Add(symbols[r.Status], render.Cell{Text: r.Check, Paint: st.Bold}, message)
	}
	return t
}
