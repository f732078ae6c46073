// Package render prints what admin commands show a person at a terminal:
// aligned tables, key/value lists and colour. It knows nothing of where the
// output goes; the caller decides whether there is a terminal and passes a
// Style saying so.
package render

// Style colours text with ANSI escapes when Colour is set; the zero value
// leaves every text as it is, for pipes, files and NO_COLOR.
type Style struct{ Colour bool }

// ANSI SGR sequences.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	dim    = "\x1b[2m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
)

func (s Style) paint(code, text string) string {
	if !s.Colour || text == "" {
		return text
	}
	return code + text + reset
}

// Bold is for headers.
func (s Style) Bold(text string) string { return s.paint(bold, text) }

// Dim is for what matters less: null values, hints.
func (s Style) Dim(text string) string { return s.paint(dim, text) }

// Green is for what passed.
func (s Style) Green(text string) string { return s.paint(green, text) }

// Yellow is for warnings.
func (s Style) Yellow(text string) string { return s.paint(yellow, text) }

// Red is for failures.
func (s Style) Red(text string) string { return s.paint(red, text) }
