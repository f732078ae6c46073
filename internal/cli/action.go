package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
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
}

func newActionCmd(name string, g *globalOptions, io IOStreams) *cobra.Command {
	action := connector.Actions[name]
	help := actionHelp[name]
	return &cobra.Command{
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
}

// runAction runs one lifecycle action and prints its outputContext: exactly
// one JSON document on standard output, whatever happens.
func runAction(ctx context.Context, action connector.Action, g *globalOptions, io IOStreams) int {
	red := secret.NewRedactor()
	log := newLogger(red.Writer(io.ErrOut), g.logLevel.level, g.logFormat.value, io.ErrIsTerminal)
	start := time.Now()
	var requests func() int64
	out := func() (out *helloid.Output) {
		defer func() {
			if r := recover(); r != nil {
				log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("internal error")
				out = helloid.Failure(action.Audit, fmt.Sprintf("Internal error in ipassan-connector %s: %v; nothing more was sent", action.Name, r))
			}
		}()
		in, err := readContext(g.contextFile, io)
		if err != nil {
			return helloid.Failure(action.Audit, err.Error())
		}
		conn, err := newConnector(in, red, log)
		if err != nil {
			return helloid.Failure(action.Audit, err.Error())
		}
		requests = conn.Client.Requests
		ctx, stop := context.WithTimeout(ctx, conn.Config.ActionTimeout)
		defer stop()
		return action.Run(conn, ctx, in)
	}()
	out.Redact(red.Redact)
	if err := out.Write(red.Writer(io.Out)); err != nil {
		log.Error().Err(err).Msg("writing the outputContext")
		return ExitFailed
	}
	ev := log.Info().Str("action", action.Name).Bool("success", out.Success).Dur("took", time.Since(start))
	if requests != nil {
		ev = ev.Int64("requests", requests())
	}
	ev.Msg("action finished")
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

// newConnector builds the connector an action runs on from the context's
// Configuration and DryRun.
func newConnector(in *helloid.Context, red *secret.Redactor, log zerolog.Logger) (*connector.Connector, error) {
	cfgObj, err := in.Configuration()
	if err != nil {
		return nil, err
	}
	// Learn the secret before anything can echo it, even when the rest of the
	// configuration is wrong.
	if v, ok := cfgObj.Get(config.KeyClientSecret); ok {
		if s, ok := object.Text(v); ok {
			red.Add(s)
		}
	}
	cfg, err := config.Parse(cfgObj)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	dryRun, err := in.DryRun()
	if err != nil {
		return nil, err
	}
	client, err := ipassan.New(ipassan.Options{
		BaseURL: cfg.BaseURL, SiteID: cfg.SiteID, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RequestTimeout: cfg.RequestTimeout, ReadOnly: dryRun, Logger: log, Redactor: red,
		UserAgent: "ipassan-connector/" + version(),
	})
	if err != nil {
		return nil, err
	}
	return &connector.Connector{Client: client, Config: cfg, DryRun: dryRun, Log: log}, nil
}
