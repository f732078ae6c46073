package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// runImport runs a JSON Lines action under the session's deadline and panic
// safety, writing its lines to standard output. A failure goes to standard
// error with exit status 1; the lines printed before it stand.
func runImport(ctx context.Context, a actions.Action, hooks runHooks, g *globalOptions, io IOStreams) error {
	s := newSession(g, io, a)
	s.configure = hooks.configure
	lines := newLineWriter(io, s.red.Redact, hooks.limit)
	count := 0
	out := s.run(ctx, a.Name, a.Audit, func(ctx context.Context, in *helloid.Context, c *connector.Connector) *helloid.Output {
		if hooks.prepare != nil {
			// An import has no audit lines: its warnings were logged.
			if _, err := hooks.prepare(ctx, c, in); err != nil {
				return helloid.Failure(a.Audit, err.Error())
			}
		}
		n, err := a.Import(c, ctx, in, lines.write)
		count = n
		if errors.Is(err, errEnough) {
			count, err = lines.written(), nil // the limit asked for is reached
		}
		if err == nil {
			err = lines.flush()
		}
		if err != nil {
			return helloid.Failure(a.Audit, err.Error())
		}
		return &helloid.Output{Success: true}
	})
	lines.close()
	s.finished(a.Name, out)
	if !out.Success {
		msg := "import failed"
		if len(out.AuditLogs) > 0 {
			msg = s.red.Redact(out.AuditLogs[0].Message)
		}
		fmt.Fprintf(io.ErrOut, "ipassan-connector %s failed: %s\n", a.Name, msg)
		return exitError{ExitFailed}
	}
	s.log.Info().Int("lines", count).Msg(a.Name + " done")
	return nil
}

// lineWriter writes JSON lines in chunks, so that a large import costs few
// system calls yet streams. After close (the deadline passed and the answer
// is out) nothing more is written.
type lineWriter struct {
	mu     sync.Mutex
	w      *bufio.Writer
	scrub  func(string) string
	closed bool
	limit  int // the most lines to write; 0 for no limit
	lines  int
}

func newLineWriter(io IOStreams, scrub func(string) string, limit int) *lineWriter {
	return &lineWriter{w: bufio.NewWriterSize(io.Out, 32<<10), scrub: scrub, limit: limit}
}

var (
	errClosed = errors.New("the output is closed: the deadline passed")
	// errEnough stops an import that printed the lines asked for.
	errEnough = errors.New("the lines asked for are printed")
)

func (l *lineWriter) written() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines
}

func (l *lineWriter) write(v any) error {
	b, err := object.Marshal(v)
	if err != nil {
		return err
	}
	line := l.scrub(string(b))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errClosed
	}
	if l.limit > 0 && l.lines >= l.limit {
		return errEnough
	}
	if l.w.Available() < len(line)+1 {
		if err := l.w.Flush(); err != nil {
			return err
		}
	}
	if _, err = l.w.WriteString(strings.TrimSpace(line) + "\n"); err != nil {
		return err
	}
	l.lines++
	return nil
}

func (l *lineWriter) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Flush()
}

func (l *lineWriter) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		_ = l.w.Flush()
		l.closed = true
	}
}
