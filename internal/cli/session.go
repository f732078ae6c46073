package cli

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// session is one run of an action: its redacting log, and the deadline that
// makes it answer before HelloID kills it.
type session struct {
	g     *globalOptions
	io    IOStreams
	red   *secret.Redactor
	log   zerolog.Logger
	start time.Time

	phase atomic.Pointer[string]              // what the action is doing
	conn  atomic.Pointer[connector.Connector] // once the configuration is read

	// stopWaiting ends the spinner on standard error (a terminal's).
	stopWaiting func()

	// configure applies the action's own flags once the connector is built,
	// before the deadline is chosen (--preview chooses it).
	configure func(*connector.Connector, *helloid.Context) error

	// deadlineOf picks the deadline from the configuration: the action's own
	// (actionTimeoutSeconds; importTimeoutSeconds for an import's preview, none
	// for a full import).
	deadlineOf func(cfg config.Config, preview bool) time.Duration
}

func newSession(g *globalOptions, io IOStreams, a actions.Action) *session {
	red := secret.NewRedactor()
	s := &session{g: g, io: io, red: red, start: time.Now(), deadlineOf: a.Timeout}
	s.setPhase("reading the context")
	errOut, stop := stderrFor(io, s.waitingFor)
	s.stopWaiting = stop
	s.log = newLogger(red.Writer(errOut), g.logLevel.String(), g.logFormat.String(), io.ErrIsTerminal)
	return s
}

func (s *session) setPhase(p string) { s.phase.Store(&p) }

// waitingFor says what the action is waiting for: the request in flight or
// the retry wait, else the phase it is in.
func (s *session) waitingFor() string {
	if c := s.conn.Load(); c != nil {
		if a := c.Client.Activity(); a != "" {
			return a
		}
	}
	return *s.phase.Load()
}

// margin is how long before the deadline the work stops, so that the answer
// is printed in time: 1 s of a 25 s deadline, a fifth of a short one.
func margin(timeout time.Duration) time.Duration { return min(time.Second, timeout/5) }

// work is an action's body once its context and configuration are read.
type work func(ctx context.Context, in *helloid.Context, conn *connector.Connector) *helloid.Output

// run reads the context, builds the connector and runs w under the action's
// deadline (actionTimeoutSeconds, counted from the start of the process). A
// panic becomes a failed outputContext; so does a body that does not return
// in time, for whatever reason, naming what it was waiting for.
func (s *session) run(ctx context.Context, name, audit string, w work) *helloid.Output {
	done := make(chan *helloid.Output, 1)
	timeoutKnown := make(chan time.Duration, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error().Str("panic", fmt.Sprint(r)).Str("stack", string(debug.Stack())).Msg("internal error")
				done <- helloid.Failure(audit, fmt.Sprintf("Internal error in ipassan-connector %s: %v; nothing more was sent", name, r))
			}
		}()
		done <- s.body(ctx, audit, w, timeoutKnown)
	}()

	timeout := s.g.timeout
	watchdog := time.NewTimer(time.Until(s.start.Add(timeout - margin(timeout)/4)))
	defer watchdog.Stop()
	for {
		select {
		case out := <-done:
			s.stopWaiting()
			return out
		case timeout = <-timeoutKnown:
			if timeout == 0 {
				watchdog.Stop() // no deadline: a full import
				continue
			}
			watchdog.Reset(time.Until(s.start.Add(timeout - margin(timeout)/4)))
		case <-watchdog.C:
			out := helloid.Failure(audit, fmt.Sprintf("ipassan-connector %s did not finish within its deadline of %s; it was %s. Nothing more is sent.",
				name, timeout, s.waitingFor()))
			s.stopWaiting()
			return out
		}
	}
}

func (s *session) body(ctx context.Context, audit string, w work, timeoutKnown chan<- time.Duration) *helloid.Output {
	in, err := s.g.actionContext(s.io)
	if err != nil {
		return helloid.Failure(audit, err.Error())
	}
	s.setPhase("checking the configuration")
	conn, err := newConnector(in, s.red, s.log)
	if err != nil {
		msg := err.Error()
		if s.g.configHint != nil {
			msg += s.g.configHint()
		}
		return helloid.Failure(audit, msg)
	}
	s.conn.Store(conn)
	if s.configure != nil {
		if err := s.configure(conn, in); err != nil {
			return helloid.Failure(audit, err.Error())
		}
	}
	preview, _ := in.DryRun() // read already by connector.New
	timeout := s.deadlineOf(conn.Config, preview)
	timeoutKnown <- timeout
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, s.start.Add(timeout-margin(timeout)))
		defer cancel()
	}
	s.setPhase("working")
	return w(ctx, in, conn)
}

// finished logs how the action went. Callers log it after printing the
// answer, so on a terminal the answer comes first and this line ends it.
func (s *session) finished(name string, out *helloid.Output) {
	s.stopWaiting()
	ev := s.log.Info().Str("action", name).Bool("success", out.Success).Str("took", took(time.Since(s.start)))
	if c := s.conn.Load(); c != nil {
		ev = ev.Int64("requests", c.Client.Requests())
	}
	ev.Msg("action finished")
}

// took is a duration for a log line, with its unit and no false precision:
// "8.96s", "412ms".
func took(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		d = d.Round(100 * time.Millisecond)
	case d >= time.Second:
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	return d.String()
}
