package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// levelFlag is --log-level.
type levelFlag struct{ level zerolog.Level }

func (l *levelFlag) String() string { return l.level.String() }
func (l *levelFlag) Type() string   { return "level" }
func (l *levelFlag) Set(s string) error {
	switch strings.ToLower(s) {
	case "error":
		l.level = zerolog.ErrorLevel
	case "warn", "warning":
		l.level = zerolog.WarnLevel
	case "info":
		l.level = zerolog.InfoLevel
	case "debug":
		l.level = zerolog.DebugLevel
	default:
		return fmt.Errorf("must be error, warn, info or debug")
	}
	return nil
}

// formatFlag is --log-format.
type formatFlag struct{ value string }

func (f *formatFlag) String() string { return f.value }
func (f *formatFlag) Type() string   { return "format" }
func (f *formatFlag) Set(s string) error {
	switch strings.ToLower(s) {
	case "console", "json":
		f.value = strings.ToLower(s)
		return nil
	}
	return fmt.Errorf("must be console or json")
}

// newLogger writes to w (already redacting) at the chosen level and format.
func newLogger(w io.Writer, level zerolog.Level, format string, colour bool) zerolog.Logger {
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: !colour, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}
