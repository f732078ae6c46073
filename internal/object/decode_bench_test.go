package object

import (
	"encoding/json"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// A plan decodes tens of thousands of HelloID persons like this one.
func BenchmarkDecodePerson(b *testing.B) {
	raw := repotest.Read(b, "testdata", "persons", "raet-ijsbrand-van-t-hof.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeObject(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// The baseline for BenchmarkDecodePerson: encoding/json decoding the same
// person into maps (no key order, no case-insensitive keys).
func BenchmarkDecodePersonEncodingJSON(b *testing.B) {
	raw := repotest.Read(b, "testdata", "persons", "raet-ijsbrand-van-t-hof.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			b.Fatal(err)
		}
	}
}
