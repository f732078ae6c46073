package accessprofile

import (
	"strings"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// FuzzParse: any file parses or fails with an error; a parsed table finds
// every row by its own key, in any casing, and lists each profile once.
func FuzzParse(f *testing.F) {
	for _, seed := range repotest.Seeds(f, "mapping-table") {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tbl, err := Parse(raw)
		if err != nil {
			return
		}
		for _, row := range tbl.Rows() {
			for _, key := range []string{row.LookupKey, strings.ToUpper(row.LookupKey), " " + row.LookupKey + " "} {
				got, ok := tbl.Lookup(key)
				if !ok || got != row {
					t.Fatalf("row %+v is not found by %q (got %+v, %v)", row, key, got, ok)
				}
			}
		}
		seen := map[string]bool{}
		for _, p := range tbl.Profiles() {
			id := strings.ToLower(p.ID)
			if seen[id] {
				t.Fatalf("profile %s listed twice", p.ID)
			}
			seen[id] = true
		}
	})
}
