package helloid

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// FuzzDecodeContext: whatever arrives on standard input, decoding and every
// accessor return an answer or an error, never a panic or a hang, and the
// failure answer is always one valid JSON document.
func FuzzDecodeContext(f *testing.F) {
	for _, seed := range repotest.Seeds(f, "context") {
		f.Add(seed)
	}
	f.Add([]byte{0xFF, 0xFE, '{', 0, '}', 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := Decode(raw)
		if err != nil {
			var buf bytes.Buffer
			if werr := Failure(CreateAccount, err.Error()).Write(&buf); werr != nil || !json.Valid(buf.Bytes()) {
				t.Fatalf("the failure answer is not valid JSON: %v %q", werr, buf.String())
			}
			return
		}
		if c.Action == nil {
			t.Fatal("decoded without an actionContext")
		}
		_, _ = c.Configuration()
		_, _ = c.Data()
		_, _ = c.DryRun()
		_, _ = c.AccountReference()
		_, _ = c.Correlation()
		if _, err := json.Marshal(c.Action); err != nil {
			t.Fatalf("a decoded context cannot be encoded again: %v", err)
		}
	})
}
