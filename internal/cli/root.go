// Package cli is the command line of ipassan-connector: cobra commands that
// read HelloID's context, run a connector action and print its outputContext.
// Commands return errors; Main alone turns them into exit statuses.
package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
)

// Exit statuses (the CLI contract).
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
)

// exitError carries a status out of a command without printing anything more:
// the command has already said what happened.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// globalOptions are the flags every command takes, before or after its name.
type globalOptions struct {
	contextFile string
	logLevel    levelFlag
	logFormat   formatFlag
	// timeout bounds an action until its configuration says otherwise.
	timeout time.Duration
	// build, when set, builds the action's context from HelloID's own files
	// (--config …) instead of reading it; see admin_build.go.
	build func() (*helloid.Context, error)
}

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, io IOStreams) int {
	root := NewRoot(io)
	root.SetArgs(commandFirst(root, args))
	err := root.ExecuteContext(ctx)
	var exit exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		return exit.code
	default:
		// Anything cobra refused before a command ran: unknown command or flag,
		// a bad flag value, stray arguments.
		fmt.Fprintf(io.ErrOut, "ipassan-connector: %v\nRun 'ipassan-connector --help' for usage.\n", err)
		return ExitUsage
	}
}

// NewRoot builds the command tree.
func NewRoot(io IOStreams) *cobra.Command {
	g := &globalOptions{logLevel: levelFlag{zerolog.InfoLevel}, logFormat: formatFlag{"console"}, timeout: config.DefaultActionTimeout}
	root := &cobra.Command{
		Use:   "ipassan-connector",
		Short: "Provision IPassan door access from HelloID",
		Long: `ipassan-connector is HelloID's target connector for IPassan (FDI Matelec) access control.

HelloID's agent runs one command per lifecycle action, passing its context as JSON on
standard input; the command prints the outputContext (Success, AuditLogs, …) as one JSON
document on standard output. Logs go to standard error. Exit status: 0 success, 1 the
action failed, 2 usage error.`,
		Example: `  # What HelloID's create.ps1 does: the context on stdin, the outputContext on stdout
  ipassan-connector create < context.json

  # The same from a file, with debug logging on stderr
  ipassan-connector create --context context.json --log-level debug`,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetVersionTemplate("ipassan-connector {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return err })

	pf := root.PersistentFlags()
	pf.StringVar(&g.contextFile, "context", "", "read the HelloID context from `FILE` instead of standard input")
	pf.Var(&g.logLevel, "log-level", "log level on standard error: error, warn, info or debug")
	pf.Var(&g.logFormat, "log-format", "log format on standard error: console or json")

	for _, name := range []string{"create", "update", "enable", "disable", "delete", "permissions", "grant", "revoke", "subpermissions"} {
		root.AddCommand(newActionCmd(name, g, io))
	}
	addAdminCommands(root, g, io)
	root.AddCommand(newImportCmd(g, io), newImportPermissionsCmd(g, io))
	return root
}

// Version is set at build time (make build: -ldflags "-X …/internal/cli.Version=…");
// without it the module version is used, "(devel)" for a local build.
var Version = ""

// version is the module version and VCS revision the binary was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return orDefault(Version, "(unknown)")
	}
	v := orDefault(Version, info.Main.Version)
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (commit " + rev + modified + ")"
	}
	return v
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// commandFirst moves the command name to the front when flags of that command
// stand before it, so that "--include-site-profiles permissions" works like
// "permissions --include-site-profiles": the contract lets flags stand before
// or after the command name. Cobra itself finds the command past global
// flags only. A name counts as the command only when every token before it
// reads as that command's flags (a flag's value is never taken for it).
func commandFirst(root *cobra.Command, args []string) []string {
	for k, arg := range args {
		if k == 0 || strings.HasPrefix(arg, "-") {
			continue
		}
		cmd, _, err := root.Find([]string{arg})
		if err != nil || cmd == root || !flagsOf(cmd, args[:k]) {
			continue
		}
		out := append([]string{arg}, args[:k]...)
		return append(out, args[k+1:]...)
	}
	return args
}

// flagsOf reports whether tokens are all flags of cmd, with their values.
func flagsOf(cmd *cobra.Command, tokens []string) bool {
	flags := cmd.Flags()
	flags.AddFlagSet(cmd.InheritedFlags())
	for i := 0; i < len(tokens); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(tokens[i], "-"), "=")
		if !strings.HasPrefix(tokens[i], "-") || name == "" {
			return false
		}
		f := flags.Lookup(name)
		if f == nil && len(name) == 1 {
			f = flags.ShorthandLookup(name)
		}
		if f == nil {
			return false
		}
		if !hasValue && f.NoOptDefVal == "" {
			if i+1 >= len(tokens) {
				return false // the candidate itself is this flag's value
			}
			i++ // the next token is this flag's value
		}
	}
	return true
}
