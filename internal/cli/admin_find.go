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
	adminOptions
	number   string
	mail     string
	useIndex bool
}

func newFindCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &findOptions{adminOptions: newAdminOptions("find", g, io)}
	cmd := &cobra.Command{
		Use:   "find (--number N | --mail M)",
		Short: "Find the persons of the site with an employee number or a mail address",
		Long: `IPassan cannot filter persons, so find reads the whole site and shows every person whose
number (or mail) equals the value, compared as text, trimmed and without regard to case, the
way correlation compares. More than one match means correlation on that value would fail.
Exit status 1 when nothing matches.

With --use-index, a recent site index on this machine (see siteIndexMaxAgeSeconds) that names
exactly one person answers instead, after reading that person from IPassan confirms it, as a
correlating create does; anything else reads the whole site. Without it find always reads
the whole site, and leaves a fresh site index behind.`,
		Example: `  ipassan-connector find --number 1002 --config ipassan.json
  ipassan-connector find --mail femke.devries@zorggroep-demo.nl --config ipassan.json --output json
  ipassan-connector find --number 1002 --config ipassan.json --use-index`,
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			number, mail := cmd.Flags().Changed(ipassan.FieldNumber), cmd.Flags().Changed(ipassan.FieldMail)
			switch {
			case !number && !mail:
				return usagef(cmd, "find needs --number N or --mail M: the value to look for")
			case number && mail:
				return usagef(cmd, "find looks for --number or for --mail, not both at once")
			}
			for _, field := range []string{ipassan.FieldNumber, ipassan.FieldMail} {
				if cmd.Flags().Changed(field) && strings.TrimSpace(opts.value(field)) == "" {
					return usagef(cmd, "--%s is empty: there is nothing to look for", field)
				}
			}
			return opts.checkConfig(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return findRun(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.number, ipassan.FieldNumber, "", "the employee number `N` to look for (IPassan's number field)")
	f.StringVar(&opts.mail, ipassan.FieldMail, "", "the mail address `M` to look for")
	f.BoolVar(&opts.useIndex, "use-index", false, "answer from this machine's site index when it names one person and reading that person confirms it, as a correlating create does")
	opts.register(cmd, true)
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
	field, value := opts.search()
	s, conn, err := opts.open(true)
	defer s.close()
	if err != nil {
		return err
	}

	var found []ipassan.Person
	var scanned int
	var indexed bool
	err = s.readingSite(conn, func() (err error) {
		if opts.useIndex {
			found, scanned, indexed, err = conn.FindPersonsIndexed(ctx, field, value)
			return err
		}
		found, scanned, err = conn.FindPersons(ctx, field, value)
		return err
	})
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
		summary := fmt.Sprintf("%d of the %s of the site %s %s %s", len(found), plural(scanned, "person", "persons"), verb(len(found), "matches", "match"), field, textenc.Quote(value))
		if indexed {
			summary = fmt.Sprintf("found through the site index and confirmed by reading the person (the site was not read): %s %s", field, textenc.Quote(value))
		}
		fmt.Fprintf(s.out, "%s\n", s.style.Dim(summary))
	}
	if len(found) == 0 {
		return s.fail(fmt.Errorf("none of the %s of site %s has %s %s", plural(scanned, "person", "persons"), conn.Config.SiteID, field, textenc.Quote(value)))
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
