package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

func rendered(t *testing.T, tb *Table, s Style) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, tb.Render(&b, s))
	return b.String()
}

func TestTableAlignsByTerminalWidth(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want string
	}{
		{"plain", [][]string{{"a", "bb", "c"}, {"ddd", "e", "f"}},
			"NAME  KEY  X\na     bb   c\nddd   e    f\n"},
		{"diacritics precomposed and decomposed are one cell each", [][]string{{"Zoë", "1"}, {"Zoe\u0308", "2"}, {"Ĳsbrand", "3"}},
			"NAME     KEY\nZoë      1\nZoe\u0308      2\nĲsbrand  3\n"},
		{"wide characters take two cells", [][]string{{"東京", "1"}, {"ab", "2"}},
			"NAME  KEY\n東京  1\nab    2\n"},
		{"no trailing spaces after a short last cell", [][]string{{"a", ""}, {"b", "x"}},
			"NAME  KEY\na\nb     x\n"},
		{"line breaks and tabs stay on one line", [][]string{{"a\nb", "c\td"}},
			"NAME  KEY\na⏎b   c d\n"},
		{"escape sequences cannot reach the terminal", [][]string{{"\x1b]0;owned\x07", "\x9b2J"}},
			"NAME        KEY\n\uFFFD]0;owned\uFFFD  \uFFFD2J\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := []string{"NAME", "KEY", "X"}[:len(tt.rows[0])]
			tb := &Table{Header: header}
			for _, r := range tt.rows {
				tb.AddText(r...)
			}
			assert.Equal(t, tt.want, rendered(t, tb, Style{}))
			assert.Equal(t, len(tt.rows), tb.Len())
		})
	}
}

// Colour goes around the text, never into the alignment.
func TestColourDoesNotSkewColumns(t *testing.T) {
	s := Style{Colour: true}
	tb := &Table{Header: []string{"A", "B"}}
	tb.Add(Cell{Text: "ok", Paint: s.Green}, Plain("x"))
	tb.Add(Plain("failed"), Cell{Text: "y", Paint: s.Red})
	assert.Equal(t, "\x1b[1mA\x1b[0m       \x1b[1mB\x1b[0m\n"+
		"\x1b[32mok\x1b[0m      x\n"+
		"failed  \x1b[31my\x1b[0m\n", rendered(t, tb, s))

	plain := strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "", "\x1b[32m", "", "\x1b[31m", "").Replace(rendered(t, tb, s))
	assert.Equal(t, "A       B\nok      x\nfailed  y\n", plain, "without the escapes, the plain table")
}

func TestStyleWithoutColourLeavesTextAlone(t *testing.T) {
	var s Style
	for _, paint := range []func(string) string{s.Bold, s.Dim, s.Green, s.Yellow, s.Red} {
		assert.Equal(t, "text", paint("text"))
	}
	assert.Equal(t, "", Style{Colour: true}.Red(""), "nothing to paint, no escapes")
	assert.Equal(t, "\x1b[33m!\x1b[0m", Style{Colour: true}.Yellow("!"))
	assert.Equal(t, "\x1b[2mnull\x1b[0m", Style{Colour: true}.Dim("null"))
}

func TestFlatten(t *testing.T) {
	o, err := object.DecodeObject([]byte(`{"lastname":"Bos","type":2,"active":true,"mail":null,"_extension":{"accessProfileLookupKey":"Tester","deep":{"x":"y"}},"titles":["a","b"],"empty":{}}`))
	require.NoError(t, err)
	assert.Equal(t, []Pair{
		{Key: "lastname", Value: "Bos"},
		{Key: "type", Value: "2"},
		{Key: "active", Value: "true"},
		{Key: "mail", Value: "null", Null: true},
		{Key: "_extension.accessProfileLookupKey", Value: "Tester"},
		{Key: "_extension.deep.x", Value: "y"},
		{Key: "titles", Value: `["a","b"]`},
		{Key: "empty", Value: "{}"},
	}, Flatten(o))

	s := Style{Colour: true}
	got := rendered(t, PairTable([]Pair{{Key: "a", Value: "1"}, {Key: "bb", Value: "null", Null: true}}, s), s)
	assert.Equal(t, "\x1b[1ma\x1b[0m   1\n\x1b[1mbb\x1b[0m  \x1b[2mnull\x1b[0m\n", got)
}
