package fake

import "testing"

// The start line counts in plain words: "1 base", not "1 bases".
func TestStringCountsInPlainWords(t *testing.T) {
	s := New(Seed{Bases: []BaseSeed{{UUID: "b", Sites: []SiteSeed{{UUID: "s", Persons: []Person{{UUID: "p"}, {UUID: "q"}}}}}}}, Options{})
	if got, want := s.String(), "fake IPassan: 1 base, 1 site, 2 persons, 0 profiles"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
