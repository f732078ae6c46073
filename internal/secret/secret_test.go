package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := New("s3cr3t&=+%Zoë")
	for _, verb := range []string{"%v", "%s", "%q", "%x", "%#v", "%+v", "%d"} {
		assert.Equal(t, Mask, fmt.Sprintf(verb, s), verb)
	}
	assert.Equal(t, "{"+Mask+"}", fmt.Sprintf("%v", struct{ S Secret }{s}))
	b, _ := json.Marshal(map[string]Secret{"clientSecret": s})
	assert.Equal(t, `{"clientSecret":"[redacted]"}`, string(b))
	assert.Equal(t, "s3cr3t&=+%Zoë", s.Reveal())
}

// pasted is a client secret as an admin pasted it, surrounding spaces
// included, with every character encoders like to escape.
const pasted = `  Kx9/aB3+ Zoë<&>"\%🚪  `

// kept is what a server keeps and echoes: the secret trimmed.
const kept = `Kx9/aB3+ Zoë<&>"\%🚪`

// jsonEscaped spells s as a JSON encoder would, escaping / as PHP does and
// writing every non-ASCII character and each of <>&+/ as \uXXXX, in the given
// hex case.
func jsonEscaped(s string, upper, slashAsU bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' && !slashAsU:
			b.WriteString(`\/`)
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r > 0xFFFF:
			r -= 0x10000
			b.WriteString(hexU(0xD800+(r>>10), upper) + hexU(0xDC00+(r&0x3FF), upper))
		case r > 0x7E || strings.ContainsRune("<>&+/", r):
			b.WriteString(hexU(r, upper))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hexU(r rune, upper bool) string {
	if upper {
		return fmt.Sprintf(`\u%04X`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

func percentLower(s string) string {
	return strings.NewReplacer("%2F", "%2f", "%2B", "%2b", "%C3", "%c3", "%AB", "%ab", "%3C", "%3c", "%3E", "%3e",
		"%5C", "%5c", "%F0", "%f0", "%9F", "%9f", "%AA", "%aa").Replace(url.QueryEscape(s))
}

func htmlEscaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "ë", "&#235;", "🚪", "&#x1F6AA;").Replace(s)
}

func TestRedactorMasksEverySpelling(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add(pasted)
	r.Add("eyJhbGciOi.J9-x_Y") // a bearer token
	r.Add("ab")                // too short to scrub

	phpJSON, _ := json.Marshal(kept)
	tests := []struct{ name, spelled string }{
		{"as sent", pasted},
		{"trimmed", kept},
		{"Go JSON, HTML-safe", string(phpJSON)},
		{`PHP JSON: \/ and \u lower case`, jsonEscaped(kept, false, false)},
		{`\u upper case, / as \u002F`, jsonEscaped(kept, true, true)},
		{"Go quoted", strconv.Quote(kept)},
		{"Go quoted ASCII", strconv.QuoteToASCII(kept)},
		{"percent-encoded upper case, + for space", url.QueryEscape(kept)},
		{"percent-encoded lower case", percentLower(kept)},
		{"percent-encoded path", url.PathEscape(kept)},
		{"percent-encoded as sent", url.QueryEscape(pasted)},
		{"HTML", htmlEscaped(kept)},
		{"mixed", `Kx9\/aB3%2B+Zo\u00EB&lt;&>\"\\%25🚪`},
		{"token", "eyJhbGciOi.J9-x_Y"},
		{"token JSON-escaped", `eyJhbGciOi.J9-x_Y`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, in := range []string{tt.spelled, "before " + tt.spelled + " after", `{"error":"` + tt.spelled + `"}`, tt.spelled + tt.spelled} {
				out := r.Redact(in)
				assert.NotContains(t, out, "Kx9", in)
				assert.NotContains(t, out, "aB3", in)
				assert.NotContains(t, out, "J9-x", in)
				assert.Contains(t, out, Mask, in)
			}
			assert.Equal(t, Mask, strings.Trim(r.Redact(tt.spelled), `" `), "the whole spelling is masked")
		})
	}
	assert.Equal(t, "ab", r.Redact("ab"))
}

func TestRedactorMasksASecretCutShort(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add(kept)
	tests := []struct{ in, want string }{
		{"echo Kx9/aB3+ Zo…", "echo " + Mask + "…"},
		{"echo Kx9/aB3...", "echo " + Mask + "..."},
		{`echo Kx9\/aB3\u002…`, "echo " + Mask + "…"}, // cut inside an escape
		{"echo Kx9%2FaB%…", "echo " + Mask + "…"},
		{"echo Kx9…", "echo " + Mask + "…"},
		{"echo Kx9%2FaB3%2B+Zo%C3%AB%3C%26%3E%22%5C%2…", "echo " + Mask + "…"}, // the % of a cut %25 reads as a %
		{"echo Kx…", "echo Kx…"},                                               // two characters tell nothing
		{"echo Kx9/aB3 and more", "echo Kx9/aB3 and more"},                     // not cut: a prefix is not the secret
		{"echo Kx9/aB3 …", "echo Kx9/aB3 …"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.Redact(tt.in), tt.in)
	}
}

func TestRedactorKeepsOtherText(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add(`p%q\r&s`)
	for _, in := range []string{
		"", "plain text", `a \ b % c & d + e`, `\u00`, `%zz`, `&#;`, `&#xZZ;`, `\uD83D`, "p%q\\r", "p%25q",
		strings.Repeat(`\`, 1000) + strings.Repeat("%", 1000),
	} {
		assert.Equal(t, in, r.Redact(in))
	}
	// A secret holding \, % and & may be spelled with them raw or escaped,
	// character by character.
	for _, in := range []string{`p%q\r&s`, `p%25q\\r&amp;s`, `p%q\\r&s`, `p%25q\r&amp;s`, `p\u0025q\u005Cr\u0026s`} {
		assert.Equal(t, "<"+Mask+">", r.Redact("<"+in+">"), in)
	}
}

func TestNilRedactorPassesThrough(t *testing.T) {
	t.Parallel()
	var r *Redactor
	r.Add("whatever")
	assert.Equal(t, "whatever", r.Redact("whatever"))
	assert.Equal(t, "whatever", NewRedactor().Redact("whatever"))
}

func TestRedactingWriter(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("eyJtok")
	var buf bytes.Buffer
	n, err := r.Writer(&buf).Write([]byte(`token eyJtok here, "eyJ\u0074ok"`))
	assert.NoError(t, err)
	assert.Equal(t, 32, n, "the length written is the caller's")
	assert.Equal(t, `token [redacted] here, "[redacted]"`, buf.String())
}

// BenchmarkRedactLogLine: a log line with no secret in it, against a client
// secret and two tokens, which is what nearly every Write carries.
func BenchmarkRedactLogLine(b *testing.B) {
	r := NewRedactor()
	r.Add(pasted)
	r.Add(strings.Repeat("eyJhbGciOiJIUzI1NiJ9.", 40))
	r.Add("fake-0123456789abcdef")
	line := `{"level":"debug","method":"GET","path":"/api/v1/access/site/5a1b2c3d-0000-4000-8000-00000000a1b2/person?limit=50&offset=100","status":200,"took":12.5,"message":"ipassan request"}` + "\n"
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Redact(line)
	}
}

// FuzzRedact: any secret, any text: Redact never fails, masks the secret
// written plainly or percent-encoded wherever it stands, and leaves text that
// holds nothing of it as it was.
func FuzzRedact(f *testing.F) {
	f.Add(kept, "before "+kept+" after")
	f.Add(`p%q\r&s`, `p%25q\\r&amp;s…`)
	f.Add("abc", `\uD83D\uDE80 %zz &#xZZ; \`)
	f.Fuzz(func(t *testing.T, value, text string) {
		r := NewRedactor()
		r.Add(value)
		out := r.Redact(text)
		v := strings.TrimSpace(value)
		if utf8.RuneCountInString(v) < minLength || !utf8.ValidString(v) {
			return
		}
		for _, spelled := range []string{v, url.QueryEscape(v)} {
			if got := r.Redact("<" + spelled + ">"); strings.Contains(got, spelled) && !strings.Contains("<"+Mask+">", spelled) {
				t.Fatalf("%q still shows %q", got, spelled)
			}
		}
		if !strings.ContainsAny(text, `\%&+.…`) && !strings.Contains(text, v[:1]) && out != text {
			t.Fatalf("%q changed to %q", text, out)
		}
	})
}
