package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSecretNeverPrints(t *testing.T) {
	s := New("s3cr3t&=+%Zoë")
	for _, verb := range []string{"%v", "%s", "%q", "%x", "%#v", "%+v", "%d"} {
		assert.Equal(t, Mask, fmt.Sprintf(verb, s), verb)
	}
	assert.Equal(t, "{"+Mask+"}", fmt.Sprintf("%v", struct{ S Secret }{s}))
	b, _ := json.Marshal(map[string]Secret{"clientSecret": s})
	assert.Equal(t, `{"clientSecret":"[redacted]"}`, string(b))
	assert.Equal(t, "s3cr3t&=+%Zoë", s.Reveal())
}

func TestRedactorMasksEverySpelling(t *testing.T) {
	r := NewRedactor()
	r.Add(`pa"ss&word+Zoë<\`)
	r.Add("eyJtok")
	r.Add("ab") // too short to scrub
	for _, in := range []string{
		`pa"ss&word+Zoë<\`,
		`{"msg":"pa\"ss&word+Zoë<\\"}`,
		`{"msg":"pa\"ss\u0026word+Zoë\u003c\\"}`,
		`client_secret=pa%22ss%26word%2BZo%C3%AB%3C%5C`,
		"Bearer eyJtok",
	} {
		out := r.Redact(in)
		assert.NotContains(t, out, "word", in)
		assert.NotContains(t, out, "eyJ", in)
		assert.Contains(t, out, Mask, in)
	}
	assert.Equal(t, "ab", r.Redact("ab"))

	var buf bytes.Buffer
	n, err := r.Writer(&buf).Write([]byte("token eyJtok here"))
	assert.NoError(t, err)
	assert.Equal(t, 17, n)
	assert.Equal(t, "token [redacted] here", buf.String())
}

func TestNilRedactorPassesThrough(t *testing.T) {
	var r *Redactor
	r.Add("whatever")
	assert.Equal(t, "whatever", r.Redact("whatever"))
}
