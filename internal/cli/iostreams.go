package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the process's streams and environment, injected so that
// tests capture what is written, decide what counts as a terminal and run in
// parallel without touching the real environment.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InIsTerminal: nobody piped a context in. OutIsTerminal and
	// ErrIsTerminal decide between human and machine output, and colour.
	InIsTerminal  bool
	OutIsTerminal bool
	ErrIsTerminal bool

	// LookupEnv reads an environment variable (IPASSAN_CLIENT_SECRET,
	// NO_COLOR); nil is an empty environment.
	LookupEnv func(key string) (string, bool)
}

// System returns the real streams and environment.
func System() IOStreams {
	return IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InIsTerminal:  isTerminal(os.Stdin),
		OutIsTerminal: isTerminal(os.Stdout),
		ErrIsTerminal: isTerminal(os.Stderr),
		LookupEnv:     os.LookupEnv,
	}
}

// isTerminal asks the terminal itself: a character device such as /dev/null
// is not one.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// env is the value of an environment variable, "" when unset.
func (s IOStreams) env(key string) string {
	v, _ := s.lookupEnv(key)
	return v
}

func (s IOStreams) lookupEnv(key string) (string, bool) {
	if s.LookupEnv == nil {
		return "", false
	}
	return s.LookupEnv(key)
}
