package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

func newImportCmd(g *globalOptions, io IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "import",
		Short: "Entitlement import: every person of the site as a HelloID account, one JSON line each",
		Long: `Prints every person of the site as one JSON line, streamed while the pages arrive:
{AccountReference, DisplayName ("first last", else the uuid), UserName (mail, else the uuid),
Enabled (has a doorPermanent profile), Data (the ImportFields that are not _extension ones, plus
number)}. On failure the lines already printed stand, the reason goes to standard error and
the exit status is 1. Deadline: importTimeoutSeconds (default 85).`,
		Example: `  ipassan-connector import < context.json > accounts.jsonl
  ipassan-connector import --context context.json | wc -l`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImport(cmd.Context(), "import", g, io, func(ctx context.Context, in *helloid.Context, c *connector.Connector, emit func(any) error) (int, error) {
				return c.ImportAccounts(ctx, in, func(a connector.ImportedAccount) error { return emit(a) })
			})
		},
	}
}

func newImportPermissionsCmd(g *globalOptions, io IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "import-permissions",
		Short: "Entitlement import: who holds which access profile, one JSON line per batch",
		Long: fmt.Sprintf(`Reads the whole site and prints, per access profile in the permission slot
(permissionAccessType), {PermissionReference: {Reference}, DisplayName, Description,
AccountReferences} with at most %d references a line. The mapping table's profiles come first,
in row order (one without members once, with an empty list); profiles the table does not know
follow, named by GUID. On failure the reason goes to standard error and the exit status is 1.`, connector.MaxBatch),
		Example: `  ipassan-connector import-permissions < context.json > permissions.jsonl`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runImport(cmd.Context(), "import-permissions", g, io, func(ctx context.Context, in *helloid.Context, c *connector.Connector, emit func(any) error) (int, error) {
				return c.ImportPermissions(ctx, in, func(b connector.PermissionBatch) error { return emit(b) })
			})
		},
	}
}

// importer streams JSON lines through emit and returns how many it wrote.
type importer func(ctx context.Context, in *helloid.Context, c *connector.Connector, emit func(any) error) (int, error)

// runImport runs an import under the session's deadline and panic safety,
// writing JSON Lines to standard output. A failure goes to standard error
// with exit status 1; the lines printed before it stand.
func runImport(ctx context.Context, name string, g *globalOptions, io IOStreams, imp importer) error {
	s := newSession(g, io)
	s.deadlineOf = func(c config.Config) time.Duration { return c.ImportTimeout }
	lines := newLineWriter(io, s.red.Redact)
	count := 0
	out := s.run(ctx, name, "", func(ctx context.Context, in *helloid.Context, c *connector.Connector) *helloid.Output {
		n, err := imp(ctx, in, c, lines.write)
		count = n
		if err == nil {
			err = lines.flush()
		}
		if err != nil {
			return helloid.Failure("", err.Error())
		}
		return &helloid.Output{Success: true}
	})
	lines.close()
	if !out.Success {
		msg := "import failed"
		if len(out.AuditLogs) > 0 {
			msg = s.red.Redact(out.AuditLogs[0].Message)
		}
		fmt.Fprintf(io.ErrOut, "ipassan-connector %s failed: %s\n", name, msg)
		return exitError{ExitFailed}
	}
	s.log.Info().Int("lines", count).Msg(name + " done")
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
}

func newLineWriter(io IOStreams, scrub func(string) string) *lineWriter {
	return &lineWriter{w: bufio.NewWriterSize(io.Out, 32<<10), scrub: scrub}
}

var errClosed = errors.New("the output is closed: the deadline passed")

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
	if l.w.Available() < len(line)+1 {
		if err := l.w.Flush(); err != nil {
			return err
		}
	}
	_, err = l.w.WriteString(strings.TrimSpace(line) + "\n")
	return err
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
