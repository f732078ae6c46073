package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// preparer adjusts the connector or the context once both exist, before the
// action runs: an action's own flags, the rules of a hand-run action. What it
// has to warn about comes back as audit lines, printed before the action's own.
type preparer func(ctx context.Context, c *connector.Connector, in *helloid.Context) ([]helloid.AuditLog, error)

// runHooks are what a command adds to an action's run.
type runHooks struct {
	// configure applies the action's own flags: no input or output, before
	// the deadline is chosen.
	configure func(*connector.Connector, *helloid.Context) error
	// prepare runs under the deadline, before the action.
	prepare preparer
	// limit is the most JSON lines an import prints; 0 for all.
	limit int
}

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
	configure, limit := addOwnFlags(cmd, a)
	prepare := addBuildFlags(cmd, g, io, a)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		hooks := runHooks{configure: configure, prepare: prepare, limit: limit()}
		if a.JSONLines() {
			return runImport(cmd.Context(), a, hooks, g, io)
		}
		if code := runAction(cmd.Context(), a, hooks, g, io); code != ExitOK {
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
// Flags) and returns what applies the given ones, and the limit on lines
// they set.
func addOwnFlags(cmd *cobra.Command, a actions.Action) (configure func(*connector.Connector, *helloid.Context) error, limit func() int) {
	f := cmd.Flags()
	for _, flag := range a.Flags {
		switch flag.Kind {
		case actions.Switch:
			f.Bool(flag.Name, false, flag.Usage)
		case actions.Number:
			f.Var(new(countValue), flag.Name, flag.Usage)
		default:
			f.String(flag.Name, "", flag.Usage)
		}
	}
	configure = func(c *connector.Connector, in *helloid.Context) error {
		for _, flag := range a.Flags {
			if given := f.Lookup(flag.Name); given.Changed && flag.Apply != nil {
				if err := flag.Apply(given.Value.String(), c, in); err != nil {
					return fmt.Errorf("--%s: %w", flag.Name, err)
				}
			}
		}
		return nil
	}
	limit = func() int {
		for _, flag := range a.Flags {
			if n, ok := f.Lookup(flag.Name).Value.(*countValue); flag.Limit && ok && *n > 0 {
				return int(*n)
			}
		}
		return 0
	}
	return configure, limit
}

// runAction runs one outputContext action and prints its outputContext:
// exactly one JSON document on standard output, whatever happens.
func runAction(ctx context.Context, a actions.Action, hooks runHooks, g *globalOptions, io IOStreams) int {
	s := newSession(g, io, a)
	s.configure = hooks.configure
	out := s.run(ctx, a.Name, a.Audit, func(ctx context.Context, in *helloid.Context, conn *connector.Connector) *helloid.Output {
		var notes []helloid.AuditLog
		if hooks.prepare != nil {
			var err error
			if notes, err = hooks.prepare(ctx, conn, in); err != nil {
				out := helloid.Failure(a.Audit, err.Error())
				out.AuditLogs = append(notes, out.AuditLogs...)
				return out
			}
		}
		out := a.Run(conn, ctx, in)
		out.AuditLogs = append(notes, out.AuditLogs...)
		return out
	})
	out.Redact(s.red.Redact)
	err := writeOutput(s.red.Writer(io.Out), out, io.OutIsTerminal)
	s.finished(a.Name, out)
	if err != nil {
		s.log.Error().Err(err).Msg("writing the outputContext")
		return ExitFailed
	}
	if !out.Success {
		return ExitFailed
	}
	return ExitOK
}

// writeOutput prints the outputContext: as HelloID's wrappers read it, one
// JSON document on one line; on a terminal indented, Success and the audit
// lines first, so that a person reads what happened before the data.
func writeOutput(w io.Writer, out *helloid.Output, terminal bool) error {
	if !terminal {
		return out.Write(w)
	}
	if out.AuditLogs == nil {
		out.AuditLogs = []helloid.AuditLog{}
	}
	raw, err := object.Marshal(out)
	if err != nil {
		return err
	}
	doc, err := object.DecodeObject(raw)
	if err != nil {
		return err
	}
	ordered := object.New()
	for _, key := range []string{"Success", "AuditLogs"} {
		v, _ := doc.Get(key)
		ordered.Set(key, v)
	}
	doc.Each(func(key string, v any) {
		if !ordered.Has(key) {
			ordered.Set(key, v)
		}
	})
	return writeJSON(w, ordered)
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

// countValue is a whole number flag that shows as "--max-accounts N" in the
// help, not as Go's "int".
type countValue int

func (v *countValue) String() string { return strconv.Itoa(int(*v)) }
func (v *countValue) Type() string   { return "N" }

func (v *countValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return errors.New("must be a whole number, 0 or more")
	}
	*v = countValue(n)
	return nil
}
