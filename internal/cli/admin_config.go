package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// configFlags are --config and --set: a Configuration from HelloID's own
// files, as an alternative to a whole context (--context).
type configFlags struct {
	files []string
	sets  []string
}

func (c *configFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&c.files, "config", nil,
		"build the Configuration from `FILE`: HelloID's configuration.json (its defaultValues) or a flat {key: value} object; repeat to merge, a later file winning; the client secret may come from $"+contextbuild.EnvClientSecret)
	f.StringArrayVar(&c.sets, "set", nil, "set one configuration value, `key=value`, over the --config files (repeatable)")
	_ = cmd.MarkFlagFilename("config", "json")
}

// check refuses a --set that is not key=value before anything runs.
func (c configFlags) check() error {
	for _, set := range c.sets {
		if _, _, err := contextbuild.ParseSet(set); err != nil {
			return fmt.Errorf("--set: %w", err)
		}
	}
	return nil
}

// given reports whether the command was told to build its configuration.
func (c configFlags) given() bool { return len(c.files) > 0 || len(c.sets) > 0 }

// sources are the layers of the configuration; the secret may come from the
// environment.
func (c configFlags) sources(io IOStreams) contextbuild.ConfigSources {
	return contextbuild.ConfigSources{Files: c.files, Sets: c.sets, EnvSecret: io.env(contextbuild.EnvClientSecret)}
}

// errBothContextAndConfig is the usage error of giving a context and the files
// to build one from: the binary could only guess which one was meant.
var errBothContextAndConfig = errors.New("--context and --config/--set cannot be used together: either pass HelloID's whole context, or build it from the configuration file")

// checkConfigSource is an admin command's usage check: exactly one place to
// read the configuration from.
func checkConfigSource(name string, g *globalOptions, c configFlags) error {
	switch {
	case g.contextFile != "" && c.given():
		return errBothContextAndConfig
	case g.contextFile == "" && !c.given():
		return fmt.Errorf("%s needs a configuration: --config FILE (the client secret may come from $%s) or --context FILE", name, contextbuild.EnvClientSecret)
	}
	return c.check()
}

// loadConfiguration reads an admin command's Configuration from --context
// FILE, or builds it from --config, --set and the environment.
func loadConfiguration(g *globalOptions, c configFlags, io IOStreams) (*object.Object, error) {
	if g.contextFile == "" {
		return contextbuild.LoadConfiguration(c.sources(io))
	}
	in, err := readContext(g.contextFile, io)
	if err != nil {
		return nil, err
	}
	return in.Configuration()
}
