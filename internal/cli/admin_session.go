package cli

import (
	"fmt"
	"io"

	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// adminSession is one run of an admin command (sites, get, find, validate,
// map): its redacting streams and log, and how it presents results. Unlike a
// lifecycle action it prints tables or JSON, not an outputContext, and reports
// a failure as one line on standard error with exit status 1.
type adminSession struct {
	name string
	io   IOStreams
	red  *secret.Redactor
	log  zerolog.Logger
	out  io.Writer // standard output, through the redactor
	presentation
}

func newAdminSession(name string, g *globalOptions, io IOStreams, output outputFlag) *adminSession {
	red := secret.NewRedactor()
	return &adminSession{
		name: name, io: io, red: red,
		log:          newLogger(red.Writer(io.ErrOut), g.logLevel.level, g.logFormat.value, io.ErrIsTerminal),
		out:          red.Writer(io.Out),
		presentation: decideOutput(io, output),
	}
}

// placeholderSiteID stands in for siteId where a command needs none (sites,
// which is how an admin finds it): the client never uses it there.
const placeholderSiteID = "00000000-0000-0000-0000-000000000000"

// connect builds the connector for a Configuration, as a lifecycle action
// would, read-only: admin commands never write to IPassan. Without needSite,
// siteId is neither required nor checked.
func (s *adminSession) connect(cfg *object.Object, needSite bool) (*connector.Connector, error) {
	learnSecret(s.red, cfg)
	if !needSite {
		cfg = cfg.Clone()
		cfg.Set(config.KeySiteID, placeholderSiteID)
	}
	action := object.New()
	action.Set("Configuration", cfg)
	action.Set("DryRun", true)
	return newConnector(&helloid.Context{Action: action}, s.red, s.log)
}

// learnSecret registers the configuration's client secret with the redactor
// before anything can echo it, even when the rest of the configuration is
// wrong.
func learnSecret(red *secret.Redactor, cfg *object.Object) {
	if v, ok := cfg.Get(config.KeyClientSecret); ok {
		if text, ok := object.Text(v); ok {
			red.Add(text)
		}
	}
}

// fail reports err on standard error and ends the command with status 1.
func (s *adminSession) fail(err error) error {
	fmt.Fprintf(s.red.Writer(s.io.ErrOut), "ipassan-connector %s: %s\n", s.name, explainAdmin(err))
	return exitError{ExitFailed}
}

// explainAdmin words an error for the admin at the keyboard, as the audit
// logs word it.
func explainAdmin(err error) string { return connector.Explain(err) }

// printJSON prints v as indented JSON on standard output.
func (s *adminSession) printJSON(v any) error { return s.printed(writeJSON(s.out, v)) }

// printTable prints a table on standard output in the session's style.
func (s *adminSession) printTable(t *render.Table) error { return s.printed(t.Render(s.out, s.style)) }

// printed turns a failed write (a closed pipe) into exit status 1: Main would
// take any other error for a usage error.
func (s *adminSession) printed(err error) error {
	if err != nil {
		return s.fail(fmt.Errorf("writing the result: %w", err))
	}
	return nil
}

// progressBar shows a scan's progress on standard error, when that is a
// terminal.
func (s *adminSession) progressBar(description string) *scanProgress {
	return newScanProgress(s.io.ErrOut, s.progress, description)
}
