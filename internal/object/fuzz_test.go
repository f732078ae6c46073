package object

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// FuzzDecode: the hand-written parser accepts exactly the JSON encoding/json
// accepts (but for keys repeated without regard to case, and nesting beyond
// MaxDepth, which it refuses on purpose), never panics, and what it decodes
// encodes back to the same value.
func FuzzDecode(f *testing.F) {
	for _, seed := range repotest.Seeds(f, "context") {
		f.Add(seed)
	}
	for _, s := range []string{`{"a":"\ud83d\ude00\u00e9\n"}`, `[1,-0.5e+3,true,null]`, `"\ud800"`, `{"A":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		valid := json.Valid(data)
		if err != nil {
			if valid && !strings.Contains(err.Error(), "twice") && !strings.Contains(err.Error(), "nests deeper") {
				t.Fatalf("valid JSON refused: %v\n%q", err, data)
			}
			return
		}
		if !valid {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
		once, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Decode(once)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", once, err)
		}
		twice, _ := Marshal(again)
		if string(once) != string(twice) {
			t.Fatalf("round trip changed %q into %q", once, twice)
		}
	})
}
