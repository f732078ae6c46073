package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// getOptions are the parsed flags of `get` and what it runs with.
type getOptions struct {
	adminOptions
	uuid string
}

func newGetCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &getOptions{adminOptions: newAdminOptions("get", g, io)}
	cmd := &cobra.Command{
		Use:   "get UUID",
		Short: "Show one IPassan person of the site by its uuid (the account reference)",
		Long: `Reads one person of the configured site, by the uuid HelloID keeps as the account reference,
and shows every field, with the names the mapping table gives its access profiles.`,
		Example: `  ipassan-connector get c0a80101-0000-4000-8000-000000000001 --config ipassan.json

  # The same with HelloID's whole context, as JSON
  ipassan-connector get c0a80101-0000-4000-8000-000000000001 --context context.json --output json`,
		Args:    exactArgs("the person's UUID (the account reference; 'find --number' finds it)"),
		PreRunE: func(cmd *cobra.Command, _ []string) error { return opts.checkConfig(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.uuid = args[0]
			return getRun(cmd.Context(), opts)
		},
	}
	opts.register(cmd, true)
	return cmd
}

func getRun(ctx context.Context, opts *getOptions) error {
	s, conn, err := opts.open(true)
	defer s.close()
	if err != nil {
		return err
	}
	p, err := conn.Client.GetPerson(ctx, opts.uuid)
	if errors.Is(err, ipassan.ErrNotFound) {
		return s.fail(fmt.Errorf("site %s has no person with uuid %s", conn.Config.SiteID, textenc.Quote(opts.uuid)))
	}
	if err != nil {
		return s.fail(err)
	}
	if s.json {
		return s.printJSON(p)
	}
	return s.printTable(render.PairTable(personPairs(p, profileNamer{conn}), s.style))
}
