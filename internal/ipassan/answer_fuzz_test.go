package ipassan

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeAnswers: whatever bytes IPassan (or a proxy) answers, reading
// them as a page or as a person never panics, and never accepts what is not
// JSON.
func FuzzDecodeAnswers(f *testing.F) {
	f.Add([]byte(benchPage()))
	for _, s := range []string{`{"a":`, `{"data":[{"uuid":"x"},null],"next_cursor":1}`, `{"data":[{"uuid":"x","accessType":{"doorPermanent":{"uuid":"g"}}}]}`,
		`{"data":[{"uuid":"x","UUID":"y"}]}`, `{"data":null,"next_cursor":null}`, `{"data":{"uuid":"x"}}`, `[]`, `<html>`, `{"uuid":"x","accessType":[`,
		`{"data":[],"data":[]}`, `{"next_cursor":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rows := 0
		_, err := decodePage(body, func(Person) bool { rows++; return true })
		if err == nil && !json.Valid(body) {
			t.Fatalf("a page that is not JSON was read: %q", body)
		}
		var p Person
		if p.UnmarshalJSON(body) == nil && !json.Valid(body) {
			t.Fatalf("a person that is not JSON was read: %q", body)
		}
		if _, err := decodePerson(body); err == nil && !json.Valid(body) {
			t.Fatalf("a person that is not JSON was read: %q", body)
		}
	})
}
