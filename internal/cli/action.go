package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// actionHelp is each lifecycle command's help.
var actionHelp = map[string]struct{ short, long string }{
	"create": {"Create the IPassan person, or correlate with an existing one",
		`With correlation enabled, reads the whole site for persons whose AccountField equals the
correlation value: none found creates the person from Data (without _extension), one found
is taken over without any write (AccountCorrelated: true), several found fails.`},
	"update": {"Update the mapped fields that differ, and move the door profile on a job change",
		`Reads the person, compares each mapped field as text and sends only what differs. In
lifecycle mode a person who has a door profile gets the one Data._extension.accessProfileLookupKey
maps to; a person without one is never given one (update does not enable).`},
	"enable": {"Give the person the door profile its lookup key maps to",
		`Maps Data._extension.accessProfileLookupKey through the access-profile mapping table, sets the
doorPermanent slot and reads it back: IPassan silently ignores unknown profile GUIDs.`},
	"disable": {"Remove the person's door profile (doorPermanent only)",
		`Clears the doorPermanent slot and reads it back. The other slots are left alone. A person
that no longer exists counts as disabled.`},
	"delete": {"Delete the IPassan person",
		`Deletes the person. A person that no longer exists counts as deleted.`},
	"permissions": {"List the access profiles HelloID can grant",
		`Lists each distinct profile of the access-profile mapping table once, in row order, as
Permissions [{DisplayName, Identification: {Reference: <profile GUID>}}]. With
--include-site-profiles (or permissionsIncludeSiteProfiles), also every profile GUID found on
the site's persons, named by its GUID.`},
	"grant": {"Put the granted access profile in the permission slot",
		`Writes References.Permission's profile GUID to the permission slot (permissionAccessType,
default doorPermanent), replacing any other profile there (the audit log names it), and reads it
back. An account that does not exist fails.`},
	"revoke": {"Clear the permission slot if it still holds the revoked profile",
		`Clears the permission slot only when it holds the revoked profile: when HelloID granted a
new profile before revoking the old one, the new one stays. An account that does not exist
counts as revoked.`},
	"subpermissions": {"Dynamic permission: the access profile follows the person's contracts",
		`Maps each contract in conditions (all contracts in a DryRun) through the mapping table by
contractLookupPath (default Title.Name); when contracts map to different profiles, the one whose
row comes first wins. Grants, revokes or keeps against CurrentPermissions (Operation revoke
desires none) and prints the whole desired set as SubPermissions.`},
}

func newActionCmd(name string, g *globalOptions, io IOStreams) *cobra.Command {
	action := connector.Actions[name]
	help := actionHelp[name]
	cmd := &cobra.Command{
		Use:   name,
		Short: help.short,
		Long: help.long + `

Reads {"actionContext": …, "personContext": …} from standard input or --context FILE and
prints the outputContext as one JSON document. Exit status 0 when Success is true, else 1.`,
		Example: fmt.Sprintf(`  ipassan-connector %[1]s < context.json
  ipassan-connector %[1]s --context context.json --log-level debug`, name),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if code := runAction(cmd.Context(), action, g, io); code != ExitOK {
				return exitError{code}
			}
			return nil
		},
	}
	if name == "permissions" {
		include := cmd.Flags().Bool("include-site-profiles", false, "also list the profile GUIDs found on the site's persons")
		list := action.Run
		action.Run = func(c *connector.Connector, ctx context.Context, in *helloid.Context) *helloid.Output {
			c.Config.IncludeSiteProfiles = c.Config.IncludeSiteProfiles || *include
			return list(c, ctx, in)
		}
	}
	return cmd
}

// runAction runs one lifecycle action and prints its outputContext: exactly
// one JSON document on standard output, whatever happens.
func runAction(ctx context.Context, action connector.Action, g *globalOptions, io IOStreams) int {
	s := newSession(g, io)
	out := s.run(ctx, action.Name, action.Audit, func(ctx context.Context, in *helloid.Context, conn *connector.Connector) *helloid.Output {
		return action.Run(conn, ctx, in)
	})
	out.Redact(s.red.Redact)
	if err := out.Write(s.red.Writer(io.Out)); err != nil {
		s.log.Error().Err(err).Msg("writing the outputContext")
		return ExitFailed
	}
	if !out.Success {
		return ExitFailed
	}
	return ExitOK
}

// readContext reads the HelloID context from --context FILE or standard input.
func readContext(file string, io IOStreams) (*helloid.Context, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("the context file cannot be read: %w", err)
		}
		defer f.Close()
		return helloid.Read(f)
	}
	if io.InIsTerminal {
		return nil, errors.New("no context: pipe the HelloID context into standard input or pass --context FILE")
	}
	return helloid.Read(io.In)
}

// newConnector builds the connector an action runs on.
func newConnector(in *helloid.Context, red *secret.Redactor, log zerolog.Logger) (*connector.Connector, error) {
	return connector.New(in, connector.Env{Redactor: red, Log: log, UserAgent: "ipassan-connector/" + version()})
}
