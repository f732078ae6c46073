package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newVersionCmd prints what --version prints, for people who type it as a
// command.
func newVersionCmd(io IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version and the commit the binary was built from",
		Example: `  ipassan-connector version`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			if _, err := fmt.Fprintf(io.Out, "ipassan-connector %s\n", version()); err != nil {
				return exitError{ExitFailed}
			}
			return nil
		},
	}
}
