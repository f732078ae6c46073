package cli

import (
	"github.com/spf13/cobra"
)

// addAdminCommands adds what admins run by hand: the flags that build a
// lifecycle action's context from HelloID's own files (--config, --person,
// …), and the commands sites, get, find, validate, map, plan and version. Call it
// after the lifecycle actions are added. Cobra adds `completion` by itself.
func addAdminCommands(root *cobra.Command, g *globalOptions, io IOStreams) {
	for _, cmd := range root.Commands() {
		if rules, lifecycle := lifecycleBuildRules[cmd.Name()]; lifecycle {
			addBuildFlags(cmd, g, rules)
		}
	}
	root.AddCommand(
		newSitesCmd(g, io, nil),
		newGetCmd(g, io, nil),
		newFindCmd(g, io, nil),
		newValidateCmd(g, io, nil),
		newMapCmd(g, io, nil),
		newPlanCmd(g, io),
		newVersionCmd(io),
	)
}
