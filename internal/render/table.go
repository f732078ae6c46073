package render

import (
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// Cell is one table cell: its text, and how to colour it once padded.
// Alignment is computed on the text alone, so colour never skews columns.
type Cell struct {
	Text  string
	Paint func(string) string // nil: plain
}

// Plain is a cell without colour.
func Plain(text string) Cell { return Cell{Text: text} }

// Table is rows of cells under an optional header, printed with aligned
// columns two spaces apart.
type Table struct {
	Header []string // printed bold; nil for none
	rows   [][]Cell
}

// Add appends a row.
func (t *Table) Add(cells ...Cell) { t.rows = append(t.rows, cells) }

// AddText appends a row of plain cells.
func (t *Table) AddText(texts ...string) {
	cells := make([]Cell, len(texts))
	for i, s := range texts {
		cells[i] = Plain(s)
	}
	t.Add(cells...)
}

// Len is the number of rows, header not counted.
func (t *Table) Len() int { return len(t.rows) }

// columnGap separates columns.
const columnGap = "  "

// Render writes the table to w in one Write, so that a redacting writer sees
// every value whole. Widths count terminal cells, not bytes: "Zoë" is three
// wide whether its ë is one code point or e plus a combining mark. Cells
// holding line breaks are shown on one line (as ⏎) to keep rows aligned.
func (t *Table) Render(w io.Writer, s Style) error {
	rows := t.rows
	if t.Header != nil {
		header := make([]Cell, len(t.Header))
		for i, h := range t.Header {
			header[i] = Cell{Text: h, Paint: s.Bold}
		}
		rows = append([][]Cell{header}, rows...)
	}
	widths := map[int]int{}
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], uniseg.StringWidth(oneLine(c.Text)))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			text := oneLine(c.Text)
			if i < len(row)-1 {
				text += strings.Repeat(" ", widths[i]-uniseg.StringWidth(text))
			}
			if c.Paint != nil {
				// Paint the text, not its padding: underlines and
				// backgrounds would otherwise run into the gap.
				trimmed := strings.TrimRight(text, " ")
				text = c.Paint(trimmed) + text[len(trimmed):]
			}
			if i > 0 {
				line.WriteString(columnGap)
			}
			line.WriteString(text)
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps a cell on one line and makes it harmless to print: values
// come from IPassan and from people, and an escape sequence in a name must not
// repaint or retitle the admin's terminal. Other control characters show as
// U+FFFD.
func oneLine(s string) string {
	s = lineBreaks.Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, s)
}

var lineBreaks = strings.NewReplacer("\r\n", "⏎", "\n", "⏎", "\r", "⏎", "\t", " ")
