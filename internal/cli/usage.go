package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// usageError is a command line the binary cannot make sense of: Main prints
// it with the command's usage on standard error, nothing on standard output,
// and exits 2. Every other error is a failure (exit 1): a usage error is
// always said to be one, where it is found.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usage makes err a usage error of cmd.
func usage(cmd *cobra.Command, err error) error {
	var already usageError
	if err == nil || errors.As(err, &already) {
		return err
	}
	return usageError{cmd: cmd, err: err}
}

// usagef is usage with a message.
func usagef(cmd *cobra.Command, format string, args ...any) error {
	return usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

// pflag's messages, to be said again in our words.
var (
	unknownFlag      = regexp.MustCompile(`^unknown flag: --(\S+)$`)
	unknownShorthand = regexp.MustCompile(`^unknown shorthand flag: '(.)' in (\S+)$`)
	needsArgument    = regexp.MustCompile(`^flag needs an argument: (?:'(.)' in -\S+|--(\S+))$`)
	invalidArgument  = regexp.MustCompile(`^invalid argument "((?s).*)" for "(?:-., )?--(\S+)" flag: ((?s).*)$`)
)

// flagError words a flag that cobra could not parse, naming the command and,
// for a mistyped flag, the closest one it has.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name := cmd.Name()
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		return usagef(cmd, "%s has no flag --%s%s", name, m[1], suggestFlag(cmd, m[1]))
	}
	if m := unknownShorthand.FindStringSubmatch(msg); m != nil {
		return usagef(cmd, "%s has no flag -%s (in %s)%s", name, m[1], m[2], suggestFlag(cmd, m[1]))
	}
	if m := needsArgument.FindStringSubmatch(msg); m != nil {
		flag := "--" + m[2]
		if m[1] != "" {
			flag = "-" + m[1]
		}
		return usagef(cmd, "%s needs a value: %s %s", flag, flag, valueName(cmd, strings.TrimLeft(flag, "-")))
	}
	if m := invalidArgument.FindStringSubmatch(msg); m != nil {
		return usagef(cmd, "--%s %q: %s", m[2], m[1], m[3])
	}
	return usage(cmd, err)
}

// suggestFlag is ` (did you mean --x?)` for the flag of cmd closest to name,
// or where it is, when another command has it.
func suggestFlag(cmd *cobra.Command, name string) string {
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	if c := closest(name, names); c != "" {
		return fmt.Sprintf(" (did you mean --%s?)", c)
	}
	var others []string
	for _, sibling := range cmd.Root().Commands() {
		if sibling != cmd && sibling.Flags().Lookup(name) != nil {
			others = append(others, sibling.Name())
		}
	}
	if len(others) > 0 {
		return fmt.Sprintf(" (--%s is a flag of %s)", name, andList(others))
	}
	return ""
}

// valueName is the placeholder the flag's help gives its value: FILE, UUID, ….
func valueName(cmd *cobra.Command, name string) string {
	f := cmd.Flags().Lookup(name)
	if f == nil && len(name) == 1 {
		f = cmd.Flags().ShorthandLookup(name)
	}
	if f == nil {
		return "VALUE"
	}
	placeholder, _ := pflag.UnquoteUsage(f)
	if placeholder == "" || strings.Contains(placeholder, "|") {
		return "VALUE"
	}
	return strings.ToUpper(placeholder)
}

// noArgs refuses arguments: a command that takes none says so.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usagef(cmd, "%s takes no arguments, got %q", cmd.Name(), args[0])
}

// exactArgs wants n arguments, named by what they are.
func exactArgs(what ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(what):
			return usagef(cmd, "%s needs %s", cmd.Name(), andList(what[len(args):]))
		case len(args) > len(what):
			return usagef(cmd, "%s takes %s, got also %q", cmd.Name(), andList(what), args[len(what)])
		}
		return nil
	}
}

// rootArgs is the root's: an argument where a command belongs is an unknown
// command.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return usagef(cmd, "unknown command %q%s", args[0], commandSuggestion(cmd, args[0]))
}

func commandSuggestion(root *cobra.Command, name string) string {
	if c := closest(name, commandNames(root)); c != "" {
		return fmt.Sprintf(" (did you mean %s?)", c)
	}
	return "; 'ipassan-connector --help' lists the commands"
}

func commandNames(root *cobra.Command) []string {
	var names []string
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// requiredFlags says, in one sentence, which required flags cmd misses.
func requiredFlags(cmd *cobra.Command) error {
	var missing []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if _, required := f.Annotations[cobra.BashCompOneRequiredFlag]; required && !f.Changed {
			missing = append(missing, "--"+f.Name+" "+valueName(cmd, f.Name))
		}
	})
	if len(missing) > 0 {
		return usagef(cmd, "%s needs %s", cmd.Name(), andList(missing))
	}
	return nil
}

// fixCompletion makes cobra's completion command refuse a shell it does not
// know as a usage error; by itself it prints help and exits 0.
func fixCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		shells := commandNames(c)
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usagef(cmd, "completion knows %s, not %q%s", orList(shells), args[0], didYouMean(args[0], shells))
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error {
			return usagef(cmd, "completion needs a shell: %s", orList(shells))
		}
	}
}

// helpCommand replaces cobra's, which answers an unknown topic with exit 0.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			if found, _, err := root.Find(args); err != nil || found == root {
				return usagef(cmd, "no help for %q: it is not a command%s", strings.Join(args, " "), commandSuggestion(root, args[0]))
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return commandNames(root), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			found, _, _ := root.Find(args)
			return found.Help()
		},
	}
}
