package cli

import (
	"github.com/spf13/cobra"
)

// addAdminCommands adds the commands admins run by hand: sites, get, find,
// validate, map, plan and version. (The actions build their context from
// HelloID's own files themselves: see admin_build.go.)
func addAdminCommands(root *cobra.Command, g *globalOptions, io IOStreams) {
	root.AddCommand(
		newSitesCmd(g, io),
		newGetCmd(g, io),
		newFindCmd(g, io),
		newValidateCmd(g, io),
		newMapCmd(g, io),
		newPlanCmd(g, io),
		newVersionCmd(g, io),
	)
}
