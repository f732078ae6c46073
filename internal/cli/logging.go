package cli

import (
	"io"
	"time"

	"github.com/rs/zerolog"
)

// Log levels and formats on standard error.
var (
	logLevels  = []string{"error", "warn", "info", "debug"}
	logFormats = []string{"console", "json"}
)

func newLevelFlag() *enumFlag {
	f := newEnum("info", logLevels...)
	f.aliases = map[string]string{"warning": "warn"}
	return f
}

// newLogger writes to w (already redacting) at the chosen level and format.
func newLogger(w io.Writer, level, format string, colour bool) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: !colour, TimeFormat: time.TimeOnly}
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}
