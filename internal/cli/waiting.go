package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// waiting is standard error on a terminal, with a spinner: when nothing has
// been written for a while, it shows what the command is waiting for (the
// request in flight, a retry's wait) and for how long, so that a connection
// that is refused and retried, or a slow IPassan, is never silence. Whatever
// is written through it (logs, progress bars) first clears the spinner's line.
type waiting struct {
	w     io.Writer
	what  func() string
	quiet time.Duration // silence before the spinner shows
	start time.Time

	mu    sync.Mutex
	last  time.Time // when something was last written through
	shown bool      // the spinner's line is on the screen
	frame int

	stop chan struct{}
	done chan struct{}
}

// spinnerFrames turn once a second at the tick below.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// startWaiting shows the spinner on w after quiet without output, redrawing
// it every tick, until Stop.
func startWaiting(w io.Writer, what func() string, quiet, tick time.Duration) *waiting {
	now := time.Now()
	s := &waiting{w: w, what: what, quiet: quiet, start: now, last: now, stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop(tick)
	return s
}

func (s *waiting) loop(tick time.Duration) {
	defer close(s.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.draw(now)
		}
	}
}

// draw shows the spinner when nothing was written for quiet.
func (s *waiting) draw(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.last) < s.quiet {
		return
	}
	what := "working"
	if s.what != nil {
		if w := s.what(); w != "" {
			what = w
		}
	}
	s.frame = (s.frame + 1) % len(spinnerFrames)
	_, _ = fmt.Fprintf(s.w, "\r%s %s (%s)\x1b[K", spinnerFrames[s.frame], what, now.Sub(s.start).Round(100*time.Millisecond))
	s.shown = true
}

// clear removes the spinner's line; the caller holds mu.
func (s *waiting) clear() {
	if s.shown {
		_, _ = io.WriteString(s.w, "\r\x1b[K")
		s.shown = false
	}
}

// Write clears the spinner and writes p.
func (s *waiting) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	s.last = time.Now()
	return s.w.Write(p)
}

// Stop ends the spinner and clears its line; later writes go straight through.
func (s *waiting) Stop() {
	select {
	case <-s.stop:
		return
	default:
	}
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
}

// Spinner timing: shown after a second of silence, as people expect of a
// terminal; redrawn ten times a second.
const (
	spinnerQuiet = time.Second
	spinnerTick  = 100 * time.Millisecond
)

// stderrFor is where a command writes its logs and progress: standard error,
// with the spinner when that is a terminal. stop ends the spinner.
func stderrFor(streams IOStreams, what func() string) (w io.Writer, stop func()) {
	if !streams.ErrIsTerminal {
		return streams.ErrOut, func() {}
	}
	s := startWaiting(streams.ErrOut, what, spinnerQuiet, spinnerTick)
	return s, s.Stop
}
