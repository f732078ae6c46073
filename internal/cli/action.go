package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// preparer adjusts the connector or the context once both exist, before the
// action runs: an action's own flags, the rules of a hand-run action.
type preparer func(*connector.Connector, *helloid.Context) error

// newActionCmd builds the command of one action of the registry: its help,
// its own flags, the flags that build its context by hand, and the run that
// prints its outputContext or its JSON Lines.
func newActionCmd(a actions.Action, g *globalOptions, io IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:     a.Name,
		Short:   a.Short,
		Long:    a.Long + "\n\n" + inputOutputHelp(a),
		Example: a.Example,
		Args:    noArgs,
	}
	if cmd.Example == "" {
		cmd.Example = fmt.Sprintf(`  ipassan-connector %[1]s < context.json
  ipassan-connector %[1]s --context context.json --log-level debug`, a.Name)
	}
	prepares := []preparer{addOwnFlags(cmd, a)}
	prepares = append(prepares, addBuildFlags(cmd, g, io, a))
	prepare := func(c *connector.Connector, in *helloid.Context) error {
		for _, p := range prepares {
			if err := p(c, in); err != nil {
				return err
			}
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if a.JSONLines() {
			return runImport(cmd.Context(), a, prepare, g, io)
		}
		if code := runAction(cmd.Context(), a, prepare, g, io); code != ExitOK {
			return exitError{code}
		}
		return nil
	}
	return cmd
}

// inputOutputHelp is what every action's help says about its input and output.
func inputOutputHelp(a actions.Action) string {
	if a.JSONLines() {
		return `Reads {"actionContext": …, "personContext": …} from standard input or --context FILE and
prints JSON Lines. Exit status 0 when every line was printed, else 1.`
	}
	return `Reads {"actionContext": …, "personContext": …} from standard input or --context FILE and
prints the outputContext as one JSON document. Exit status 0 when Success is true, else 1.`
}

// addOwnFlags registers the flags only this action takes (the registry's
// Flags) and returns what applies the given ones.
func addOwnFlags(cmd *cobra.Command, a actions.Action) preparer {
	f := cmd.Flags()
	for _, flag := range a.Flags {
		switch flag.Kind {
		case actions.Switch:
			f.Bool(flag.Name, false, flag.Usage)
		case actions.Number:
			f.Int(flag.Name, 0, flag.Usage)
		default:
			f.String(flag.Name, "", flag.Usage)
		}
	}
	return func(c *connector.Connector, in *helloid.Context) error {
		for _, flag := range a.Flags {
			if given := f.Lookup(flag.Name); given.Changed {
				if err := flag.Apply(given.Value.String(), c, in); err != nil {
					return fmt.Errorf("--%s: %w", flag.Name, err)
				}
			}
		}
		return nil
	}
}

// runAction runs one outputContext action and prints its outputContext:
// exactly one JSON document on standard output, whatever happens.
func runAction(ctx context.Context, a actions.Action, prepare preparer, g *globalOptions, io IOStreams) int {
	s := newSession(g, io, a)
	out := s.run(ctx, a.Name, a.Audit, func(ctx context.Context, in *helloid.Context, conn *connector.Connector) *helloid.Output {
		if prepare != nil {
			if err := prepare(conn, in); err != nil {
				return helloid.Failure(a.Audit, err.Error())
			}
		}
		return a.Run(conn, ctx, in)
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
