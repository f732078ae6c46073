package cli

import (
	"io"
	"os"
)

// IOStreams are the process's streams, injected so tests can capture them and
// decide what counts as a terminal.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InIsTerminal: nobody piped a context in. OutIsTerminal and
	// ErrIsTerminal decide between human and machine output, and colour.
	InIsTerminal  bool
	OutIsTerminal bool
	ErrIsTerminal bool
}

// System returns the real streams.
func System() IOStreams {
	return IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InIsTerminal:  isTerminal(os.Stdin),
		OutIsTerminal: isTerminal(os.Stdout),
		ErrIsTerminal: isTerminal(os.Stderr),
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
