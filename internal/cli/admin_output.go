package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

// newOutputFlag is --output of the admin commands: table or json; unset
// means "decide from the terminal" (see decideOutput).
func newOutputFlag() *enumFlag { return newEnum("", "table", "json") }

// presentation is how an admin command shows its results.
type presentation struct {
	json     bool         // JSON on standard output, else tables
	style    render.Style // colour of the tables
	progress bool         // progress bars on standard error
}

// decideOutput is the one place that turns IOStreams' terminal flags into
// output decisions: tables when standard output is a terminal (or --output
// table), JSON otherwise; colour only on a terminal and without NO_COLOR
// (https://no-color.org); progress bars only when standard error is a
// terminal, so logs and CI output stay clean.
func decideOutput(io IOStreams, output string) presentation {
	asJSON := output == "json" || (output == "" && !io.OutIsTerminal)
	_, noColour := io.lookupEnv("NO_COLOR")
	return presentation{
		json:     asJSON,
		style:    render.Style{Colour: !asJSON && io.OutIsTerminal && !noColour},
		progress: io.ErrIsTerminal,
	}
}

// writeJSON prints v as indented JSON without HTML escaping ("&" stays "&"),
// in one Write.
func writeJSON(w io.Writer, v any) error {
	compact, err := object.Marshal(v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// scanProgress counts persons read during a scan of the whole site.
type scanProgress struct{ bar *progressbar.ProgressBar }

// newScanProgress shows a spinner with a count on w, or nothing when show is
// false. The bar renders only from Add (no ticker goroutine), so nothing is
// written after Done.
func newScanProgress(w io.Writer, show bool, description string) *scanProgress {
	if !show {
		return &scanProgress{}
	}
	return &scanProgress{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("persons"),
		progressbar.OptionShowIts(),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionThrottle(50*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

// AddPage counts a page of rows persons.
func (p *scanProgress) AddPage(rows int) {
	if p.bar != nil {
		_ = p.bar.Add(rows)
	}
}

// Done clears the bar.
func (p *scanProgress) Done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
	}
}
