package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newVersionCmd prints what --version prints, for people who type it as a
// command; --output json for scripts.
func newVersionCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := newAdminOptions("version", g, io)
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit the binary was built from",
		Example: `  ipassan-connector version
  ipassan-connector version --output json | jq -r .commit`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			// Always a line, unless JSON is asked for: a version is read by people.
			if opts.output.String() == "json" {
				s := opts.session()
				defer s.close()
				return s.printJSON(readBuildInfo())
			}
			if _, err := fmt.Fprintf(io.Out, "ipassan-connector %s\n", version()); err != nil {
				return fmt.Errorf("writing the version: %w", err)
			}
			return nil
		},
	}
	opts.register(cmd, false)
	return cmd
}
