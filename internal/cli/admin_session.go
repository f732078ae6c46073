package cli

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// adminOptions are what the admin commands share: where the configuration
// comes from (--config, --set or --context) and how results are shown
// (--output).
type adminOptions struct {
	name   string
	g      *globalOptions
	io     IOStreams
	config configFlags
	output *enumFlag
}

func newAdminOptions(name string, g *globalOptions, io IOStreams) adminOptions {
	return adminOptions{name: name, g: g, io: io, output: newOutputFlag()}
}

// register adds --output and, with configured, --config and --set.
func (o *adminOptions) register(cmd *cobra.Command, configured bool) {
	if configured {
		o.config.register(cmd)
	}
	o.output.register(cmd, false, "output", "table or json (default: a table on a terminal, JSON when standard output is piped)")
}

// checkConfig is the usage check of a command that reads a configuration:
// exactly one place to read it from.
func (o *adminOptions) checkConfig(cmd *cobra.Command) error {
	return usage(cmd, checkConfigSource(o.name, o.g, o.config))
}

// session starts the command's run; close ends it.
func (o *adminOptions) session() *adminSession {
	red := secret.NewRedactor()
	s := &adminSession{name: o.name, io: o.io, red: red, out: red.Writer(o.io.Out), presentation: decideOutput(o.io, o.output.String())}
	s.errOut, s.close = stderrFor(o.io, s.waitingFor)
	s.errOut = red.Writer(s.errOut)
	s.log = newLogger(s.errOut, o.g.logLevel.String(), o.g.logFormat.String(), o.io.ErrIsTerminal)
	return s
}

// configuration starts the run and reads the configuration. A failure is
// already reported: return it as it is.
func (o *adminOptions) configuration() (*adminSession, *object.Object, error) {
	s := o.session()
	cfg, err := loadConfiguration(o.g, o.config, o.io)
	if err != nil {
		return s, nil, s.fail(err)
	}
	learnSecret(s.red, cfg)
	if o.g.contextFile == "" {
		s.hint = secretHint(cfg, o.io)
	}
	return s, cfg, nil
}

// open starts the run, reads the configuration and connects, read-only.
// Without needSite, siteId is neither required nor checked. A failure is
// already reported: return it as it is.
func (o *adminOptions) open(needSite bool) (*adminSession, *connector.Connector, error) {
	s, cfg, err := o.configuration()
	if err != nil {
		return s, nil, err
	}
	conn, err := s.connect(cfg, needSite)
	if err != nil {
		return s, nil, s.fail(err)
	}
	return s, conn, nil
}

// adminSession is one run of an admin command (sites, get, find, validate,
// map, plan): its redacting streams and log, and how it presents results.
// Unlike an action it prints tables or JSON, not an outputContext, and
// reports a failure as one line on standard error with exit status 1.
type adminSession struct {
	name   string
	io     IOStreams
	red    *secret.Redactor
	log    zerolog.Logger
	out    io.Writer // standard output, through the redactor
	errOut io.Writer // standard error, through the redactor and the spinner
	close  func()    // ends the spinner
	conn   atomic.Pointer[connector.Connector]
	hint   string // what a configuration error should add (see secretHint)
	presentation
}

// waitingFor is what the spinner says the command waits for.
func (s *adminSession) waitingFor() string {
	if c := s.conn.Load(); c != nil {
		return c.Client.Activity()
	}
	return ""
}

// placeholderSiteID stands in for siteId where a command needs none (sites,
// which is how an admin finds it): the client never uses it there.
const placeholderSiteID = "00000000-0000-0000-0000-000000000000"

// connect builds the connector for a Configuration, as an action would,
// read-only: admin commands never write to IPassan. Without needSite,
// siteId is neither required nor checked.
func (s *adminSession) connect(cfg *object.Object, needSite bool) (*connector.Connector, error) {
	if !needSite {
		cfg = cfg.Clone()
		cfg.Set(config.KeySiteID, placeholderSiteID)
	}
	action := object.New()
	action.Set("Configuration", cfg)
	action.Set("DryRun", true)
	conn, err := newConnector(&helloid.Context{Action: action}, s.red, s.log)
	if err != nil {
		return nil, fmt.Errorf("%w%s", err, s.hint)
	}
	if id := conn.Config.SiteID; needSite && !contextbuild.IsGUID(id) {
		return nil, notSiteGUID(id)
	}
	s.conn.Store(conn)
	return conn, nil
}

// notSiteGUID is the error of a siteId that cannot be a site's GUID, such as
// the site's name: IPassan would only answer Access Denied.
func notSiteGUID(id string) error {
	return fmt.Errorf("configuration key %s must be the site's GUID (such as %s), got %s: "+
		"'ipassan-connector sites' lists each site with its GUID", config.KeySiteID, exampleSiteID, textenc.Quote(id))
}

// exampleSiteID is the demo's site GUID, as an example in messages.
const exampleSiteID = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"

// learnSecret registers the configuration's client secret with the redactor
// before anything can echo it, even when the rest of the configuration is
// wrong (validate reports a broken configuration line by line, before
// connector.New would learn it).
func learnSecret(red *secret.Redactor, cfg *object.Object) {
	if v, ok := cfg.Get(config.KeyClientSecret); ok {
		if text, ok := object.Text(v); ok {
			red.Add(text)
		}
	}
}

// fail reports err on standard error and ends the command with status 1.
func (s *adminSession) fail(err error) error {
	s.close()
	fmt.Fprintf(s.errOut, "ipassan-connector %s: %s\n", s.name, connector.Explain(err))
	return exitError{ExitFailed}
}

// printJSON prints v as indented JSON on standard output.
func (s *adminSession) printJSON(v any) error {
	if err := writeJSON(s.out, v); err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	return nil
}

// printTable prints a table on standard output in the session's style.
func (s *adminSession) printTable(t *render.Table) error {
	if err := t.Render(s.out, s.style); err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	return nil
}

// readingSite runs read, which reads the whole site through conn, with a
// progress bar on standard error when that is a terminal.
func (s *adminSession) readingSite(conn *connector.Connector, read func() error) error {
	progress := newScanProgress(s.errOut, s.progress, "Reading the site")
	conn.Progress = progress.AddPage
	defer progress.Done()
	return read()
}
