package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// findOptions are the parsed flags of `find` and what it runs with.
type findOptions struct {
	g      *globalOptions
	io     IOStreams
	config configFlags
	output outputFlag
	number string
	mail   string
}

func newFindCmd(g *globalOptions, io IOStreams, runF func(context.Context, *findOptions) error) *cobra.Command {
	opts := &findOptions{g: g, io: io}
	cmd := &cobra.Command{
		Use:   "find (--number N | --mail M)",
		Short: "Find the persons of the site with an employee number or a mail address",
		Long: `IPassan cannot filter persons, so find reads the whole site and shows every person whose
number (or mail) equals the value, compared as text, trimmed and without regard to case, the
way correlation compares. More than one match means correlation on that value would fail.
Exit status 1 when nothing matches.`,
		Example: `  ipassan-connector find --number 1002 --config ipassan.json
  ipassan-connector find --mail femke.devries@zorggroep-demo.nl --config ipassan.json --output json`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			// Neither flag, or both, is left to cobra's flag-group message.
			for _, field := range []string{ipassan.FieldNumber, ipassan.FieldMail} {
				if cmd.Flags().Changed(field) && strings.TrimSpace(opts.value(field)) == "" {
					return fmt.Errorf("--%s is empty: there is nothing to look for", field)
				}
			}
			return checkConfigSource("find", g, opts.config)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return findRun(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.number, "number", "", "the employee number to look for (IPassan's number field)")
	f.StringVar(&opts.mail, "mail", "", "the mail address to look for")
	cmd.MarkFlagsOneRequired("number", "mail")
	cmd.MarkFlagsMutuallyExclusive("number", "mail")
	opts.config.register(cmd)
	addOutputFlag(cmd, &opts.output)
	return cmd
}

// search is what find looks for: the one flag given, never empty (PreRunE).
func (o *findOptions) search() (field, value string) {
	if o.number != "" {
		return ipassan.FieldNumber, o.number
	}
	return ipassan.FieldMail, o.mail
}

func (o *findOptions) value(field string) string {
	if field == ipassan.FieldNumber {
		return o.number
	}
	return o.mail
}

func findRun(ctx context.Context, opts *findOptions) error {
	s := newAdminSession("find", opts.g, opts.io, opts.output)
	field, value := opts.search()
	cfg, err := loadConfiguration(opts.g, opts.config, opts.io)
	if err != nil {
		return s.fail(err)
	}
	conn, err := s.connect(cfg, true)
	if err != nil {
		return s.fail(err)
	}

	progress := s.progressBar("Reading the site")
	conn.Progress = progress.AddPage
	found, scanned, err := conn.FindPersons(ctx, field, value)
	progress.Done()
	if err != nil {
		return s.fail(err)
	}
	if s.json {
		if err := s.printJSON(found); err != nil {
			return err
		}
	} else if len(found) > 0 {
		if err := s.printTable(matchTable(found, profileNamer{conn}, s.style)); err != nil {
			return err
		}
		fmt.Fprintf(s.out, "%s\n", s.style.Dim(fmt.Sprintf("%d of the %d persons of the site match %s %s", len(found), scanned, field, textenc.Quote(value))))
	}
	if len(found) == 0 {
		return s.fail(fmt.Errorf("none of the %d persons of site %s has %s %s", scanned, conn.Config.SiteID, field, textenc.Quote(value)))
	}
	return nil
}

// matchTable has one row per person found.
func matchTable(persons []ipassan.Person, profiles profileNamer, st render.Style) *render.Table {
	t := &render.Table{Header: []string{"UUID", "NAME", "NUMBER", "MAIL", "DOOR PROFILE"}}
	for _, p := range persons {
		door := render.Plain(profiles.label(p.AccessType.DoorPermanent))
		if p.AccessType.DoorPermanent == "" {
			door.Paint = st.Dim
		}
		t.Add(render.Plain(p.UUID), render.Plain(p.DisplayName()), render.Plain(p.Number), render.Plain(p.Mail), door)
	}
	return t
}
