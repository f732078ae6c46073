// Package accessprofile reads the access-profile mapping table: a `;`-separated
// CSV that maps a HelloID lookup value (by default the job title) to an IPassan
// access profile. Row order is the only priority there is.
package accessprofile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// Column names of the header, as the public connector's AccessProfile.csv has them.
const (
	ColumnLookupKey   = "HelloIDLookupKey"
	ColumnProfileName = "AccessProfileName"
	ColumnProfileID   = "AccessProfileId"
)

// Row is one mapping.
type Row struct {
	Line        int    // line number in the file, for messages
	LookupKey   string // trimmed
	ProfileName string
	ProfileID   string
}

// Profile is one distinct access profile of the table.
type Profile struct {
	ID   string
	Name string // of the first row naming this profile
}

// Table is a parsed mapping table.
type Table struct {
	rows  []Row
	byKey map[string]int // folded key -> row index
	// Windows1252 reports that the file was not UTF-8 and was read as the
	// Windows code page Excel saves in.
	Windows1252 bool
}

// NormalizeKey is how lookup keys compare: trimmed and case-insensitive, as
// PowerShell's -eq compares them.
func NormalizeKey(key string) string { return strings.ToLower(strings.TrimSpace(key)) }

// Load reads the table from a file.
func Load(path string) (*Table, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("the access-profile mapping file %q does not exist", path)
		}
		return nil, fmt.Errorf("the access-profile mapping file %q cannot be read: %w", path, err)
	}
	t, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("the access-profile mapping file %q: %w", path, err)
	}
	return t, nil
}

// Parse reads the table from the bytes of a CSV file: UTF-8 with or without a
// byte-order mark, UTF-16 with one, or Windows-1252; CRLF or LF line ends;
// blank lines anywhere.
func Parse(raw []byte) (*Table, error) {
	text, guessed, err := textenc.ToUTF8OrWindows1252(raw)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	t := &Table{byKey: map[string]int{}, Windows1252: guessed}
	var cols map[string]int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if blank(rec) {
			continue
		}
		line, _ := r.FieldPos(0)
		if cols == nil {
			if cols, err = header(rec); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			continue
		}
		if err := t.add(rec, cols, line); err != nil {
			return nil, err
		}
	}
	switch {
	case cols == nil:
		return nil, errors.New("the mapping table is empty: expected the header " + strings.Join([]string{ColumnLookupKey, ColumnProfileName, ColumnProfileID}, ";"))
	case len(t.rows) == 0:
		return nil, errors.New("the mapping table has a header but no rows")
	}
	return t, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func header(rec []string) (map[string]int, error) {
	if len(rec) == 1 {
		// A table saved by a spreadsheet with another separator reads as one
		// column holding every name: say that, not that a name is missing.
		for _, sep := range []string{",", "\t", "|"} {
			if strings.Contains(rec[0], sep) {
				return nil, fmt.Errorf("the header separates its columns with %q; the table needs ';' (%s;%s;%s)",
					sep, ColumnLookupKey, ColumnProfileName, ColumnProfileID)
			}
		}
	}
	cols := map[string]int{}
	for i, name := range rec {
		cols[strings.ToLower(strings.TrimSpace(name))] = i
	}
	for _, want := range []string{ColumnLookupKey, ColumnProfileName, ColumnProfileID} {
		if _, ok := cols[strings.ToLower(want)]; !ok {
			return nil, fmt.Errorf("the header must name the columns %s;%s;%s separated by ';' (missing %s, found %q)",
				ColumnLookupKey, ColumnProfileName, ColumnProfileID, want, strings.Join(rec, ";"))
		}
	}
	return cols, nil
}

func (t *Table) add(rec []string, cols map[string]int, line int) error {
	get := func(col string) string {
		i := cols[strings.ToLower(col)]
		if i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	row := Row{Line: line, LookupKey: get(ColumnLookupKey), ProfileName: get(ColumnProfileName), ProfileID: get(ColumnProfileID)}
	switch {
	case row.LookupKey == "":
		return fmt.Errorf("line %d: %s is empty", line, ColumnLookupKey)
	case row.ProfileID == "":
		return fmt.Errorf("line %d: %s is empty for lookup key %q", line, ColumnProfileID, row.LookupKey)
	case strings.ContainsFunc(row.ProfileID, func(r rune) bool { return r <= ' ' || r == '/' || r == '?' || r == '&' }):
		return fmt.Errorf("line %d: %s %q is not a profile GUID", line, ColumnProfileID, row.ProfileID)
	}
	key := NormalizeKey(row.LookupKey)
	if prev, dup := t.byKey[key]; dup {
		return fmt.Errorf("line %d: lookup key %q repeats line %d (%q); keys are compared without regard to case",
			line, row.LookupKey, t.rows[prev].Line, t.rows[prev].LookupKey)
	}
	t.byKey[key] = len(t.rows)
	t.rows = append(t.rows, row)
	return nil
}

// Lookup finds the row of a lookup key.
func (t *Table) Lookup(key string) (Row, bool) {
	i, ok := t.byKey[NormalizeKey(key)]
	if !ok {
		return Row{}, false
	}
	return t.rows[i], true
}

// Rows returns the rows in file order.
func (t *Table) Rows() []Row { return append([]Row(nil), t.rows...) }

// Profiles returns each distinct profile once, in the order of its first row,
// named as in that row.
func (t *Table) Profiles() []Profile {
	var out []Profile
	seen := map[string]bool{}
	for _, r := range t.rows {
		id := strings.ToLower(r.ProfileID)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, Profile{ID: r.ProfileID, Name: r.ProfileName})
	}
	return out
}

// Profile finds a profile by GUID (without regard to case).
func (t *Table) Profile(id string) (Profile, bool) {
	for _, p := range t.Profiles() {
		if strings.EqualFold(p.ID, strings.TrimSpace(id)) {
			return p, true
		}
	}
	return Profile{}, false
}

// Rank is the position of a profile's first row; lower wins. A profile not in
// the table ranks last.
func (t *Table) Rank(id string) int {
	for i, r := range t.rows {
		if strings.EqualFold(r.ProfileID, strings.TrimSpace(id)) {
			return i
		}
	}
	return len(t.rows)
}
