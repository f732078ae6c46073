// Package cli is the command line of ipassan-connector: cobra commands that
// read HelloID's context, run a connector action and print its outputContext.
// Commands return errors; Main alone turns them into exit statuses.
package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
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
	logLevel    *enumFlag
	logFormat   *enumFlag
	// timeout bounds an action until its configuration says otherwise.
	timeout time.Duration
	// build, when set, builds the action's context from HelloID's own files
	// (--config …) instead of reading it; see admin_build.go.
	build func() (*helloid.Context, error)
	// configHint, when set, adds to a configuration error what the admin may
	// have forgotten (the secret's environment variable).
	configHint func() string
}

func newGlobalOptions() *globalOptions {
	return &globalOptions{logLevel: newLevelFlag(), logFormat: newEnum("console", logFormats...), timeout: config.DefaultActionTimeout}
}

// Main runs the command line and returns the exit status: 0 success, 2 a
// usage error (said so where it was found), 1 anything else.
func Main(ctx context.Context, args []string, io IOStreams) int {
	return execute(ctx, NewRoot(io), args, io)
}

// execute runs root with args and turns what it returns into an exit status:
// the one place that does.
func execute(ctx context.Context, root *cobra.Command, args []string, io IOStreams) int {
	root.SetArgs(commandFirst(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	var exit exitError
	var bad usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &bad):
		fmt.Fprintf(io.ErrOut, "%s: %v\n\n%s", bad.cmd.CommandPath(), bad.err, bad.cmd.UsageString())
		if bad.cmd.HasParent() {
			fmt.Fprintf(io.ErrOut, "\n'%s --help' explains more.\n", bad.cmd.CommandPath())
		}
		return ExitUsage
	default:
		fmt.Fprintf(io.ErrOut, "%s: %v\n", cmd.CommandPath(), err)
		return ExitFailed
	}
}

// NewRoot builds the command tree.
func NewRoot(io IOStreams) *cobra.Command {
	g := newGlobalOptions()
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
		// An argument where a command belongs is a usage error naming it;
		// without one the root shows its help.
		Args: rootArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		// Required flags are checked here, so that a missing one is a usage
		// error in our words (cobra checks them again, finding none).
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return requiredFlags(cmd) },
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetVersionTemplate("ipassan-connector {{.Version}}\n")
	root.SetFlagErrorFunc(flagError)

	pf := root.PersistentFlags()
	pf.StringVar(&g.contextFile, "context", "", "read the HelloID context from `FILE` instead of standard input")
	g.logLevel.register(root, true, "log-level", "log level on standard error: "+orList(logLevels))
	g.logFormat.register(root, true, "log-format", "log format on standard error: "+orList(logFormats))

	for _, a := range actions.All() {
		root.AddCommand(newActionCmd(a, g, io))
	}
	addAdminCommands(root, g, io)
	root.SetHelpCommand(helpCommand(root))
	fixCompletion(root)
	return root
}

// Version is set at build time (make build: -ldflags "-X …/internal/cli.Version=…");
// without it the module version is used, "(devel)" for a local build.
var Version = ""

// buildInfo is what the binary was built from, as `version --output json`
// prints it.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"` // the VCS revision, 12 characters
	Modified bool   `json:"modified"`         // built from a tree with uncommitted changes
	Go       string `json:"go"`
}

func readBuildInfo() buildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildInfo{Version: cmp.Or(Version, "(unknown)")}
	}
	b := buildInfo{Version: cmp.Or(Version, info.Main.Version), Go: info.GoVersion}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if len(b.Commit) > 12 {
		b.Commit = b.Commit[:12]
	}
	return b
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	b := readBuildInfo()
	v := b.Version
	if b.Commit != "" {
		v += " (commit " + b.Commit
		if b.Modified {
			v += "+dirty"
		}
		v += ")"
	}
	return v
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
