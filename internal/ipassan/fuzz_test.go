package ipassan

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// FuzzFormRoundTrip: every key and value survives encoding, byte for byte,
// both through ParseForm and through net/url's parser (what a server runs).
func FuzzFormRoundTrip(f *testing.F) {
	for _, seed := range repotest.Seeds(f, "form") {
		for _, line := range bytes.Split(seed, []byte("\n")) {
			if k, v, ok := strings.Cut(string(line), "\t"); ok {
				f.Add(k, v)
			}
		}
	}
	f.Add("accessType[doorPermanent]", "")
	f.Add("k%5Bx%5D", "%zz")
	f.Fuzz(func(t *testing.T, key, value string) {
		if key == "" {
			return
		}
		var form Form
		form.Set(key, value)
		form.Set("lastname", value)
		body := form.Encode()

		back, err := ParseForm(body)
		if err != nil {
			t.Fatalf("ParseForm(%q): %v", body, err)
		}
		for _, k := range []string{key, "lastname"} {
			if got, _ := back.Get(k); got != value {
				t.Fatalf("%q: %q came back as %q (body %q)", k, value, got, body)
			}
		}
		parsed, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("url.ParseQuery(%q): %v", body, err)
		}
		if got := parsed.Get(key); got != value {
			t.Fatalf("a server reads %q as %q (body %q)", value, got, body)
		}
	})
}
