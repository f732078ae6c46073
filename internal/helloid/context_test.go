package helloid

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

const sample = `{"ActionContext":{"configuration":{"BaseUrl":"https://ipassan.com","CLIENTID":"id"},` +
	`"dryrun":"True","references":{"account":"emp-1"},` +
	`"DATA":{"firstname":"Zoë","_Extension":{"AccessProfileLookupKey":"Medewerker Financiële administratie"}},` +
	`"correlationconfiguration":{"enabled":true,"personfield":"Person.ExternalId","personfieldvalue":1001,"accountfield":"number"}},` +
	`"PersonContext":{"person":{"name":{"nickname":"Ĳsbrand"}}}}`

func utf16With(s string, order binary.AppendByteOrder, bom []byte) []byte {
	out := append([]byte(nil), bom...)
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestDecodeEncodingsAndCasing(t *testing.T) {
	tests := map[string][]byte{
		"utf-8":                []byte(sample),
		"utf-8 bom":            append([]byte{0xEF, 0xBB, 0xBF}, sample...),
		"utf-16 le bom":        utf16With(sample, binary.LittleEndian, []byte{0xFF, 0xFE}),
		"utf-16 be bom":        utf16With(sample, binary.BigEndian, []byte{0xFE, 0xFF}),
		"crlf and indentation": []byte(strings.ReplaceAll(strings.ReplaceAll(sample, ",", ",\r\n    "), "{", "{\r\n  ")),
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := Read(bytes.NewReader(raw))
			require.NoError(t, err)
			cfg, err := c.Configuration()
			require.NoError(t, err)
			v, _ := cfg.Get("baseUrl")
			assert.Equal(t, "https://ipassan.com", v)
			dry, err := c.DryRun()
			require.NoError(t, err)
			assert.True(t, dry)
			ref, err := c.AccountReference()
			require.NoError(t, err)
			assert.Equal(t, "emp-1", ref)
			data, err := c.Data()
			require.NoError(t, err)
			key, _ := data.Path("_extension.accessProfileLookupKey")
			assert.Equal(t, "Medewerker Financiële administratie", key)
			corr, err := c.Correlation()
			require.NoError(t, err)
			assert.Equal(t, Correlation{Enabled: true, PersonField: "Person.ExternalId", PersonFieldValue: "1001", AccountField: "number"}, corr)
			nick, _ := c.Person.Path("Person.Name.NickName")
			assert.Equal(t, "Ĳsbrand", nick)
		})
	}
}

func TestDecodeHelloIDTemplateContext(t *testing.T) {
	// HelloID's own template context: no personContext wrapper, so wrap it as
	// the wrappers do.
	raw := repotest.Read(t, "testdata", "fixtures", "helloid-template", "actionContext.json")
	c, err := Decode([]byte(`{"actionContext":` + string(raw) + `}`))
	require.NoError(t, err)
	assert.Nil(t, c.Person)
	ref, err := c.AccountReference()
	require.NoError(t, err)
	assert.Empty(t, ref, "References.Account is null")
	corr, err := c.Correlation()
	require.NoError(t, err)
	assert.Equal(t, "ExternalId", corr.AccountField)
	data, _ := c.Data()
	nick, _ := data.Get("NickName")
	assert.Equal(t, "Cásey", nick)
}

func TestDecodeRejectsWithClearMessages(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "the context is empty"},
		{"whitespace", " \r\n", "the context is empty"},
		{"truncated", `{"actionContext":{"Configuration":`, "the context is not valid JSON: the JSON ends too early"},
		{"not an object", `[1,2]`, "expected a JSON object, got an array"},
		{"no actionContext", `{"personContext":{}}`, "the context has no actionContext"},
		{"actionContext text", `{"actionContext":"x"}`, "actionContext must be an object, got text"},
		{"invalid utf-8", "{\"actionContext\":{\"a\":\"\xc3\x28\"}}", "not valid UTF-8"},
		{"duplicate keys", `{"actionContext":{},"ActionContext":{}}`, `has the key "ActionContext" twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestAccessorsRejectWrongTypes(t *testing.T) {
	c, err := Decode([]byte(`{"actionContext":{"DryRun":"perhaps","References":{"Account":{"Id":1}},"Configuration":[],"Data":"x","CorrelationConfiguration":{"Enabled":"sure"}}}`))
	require.NoError(t, err)
	_, err = c.DryRun()
	assert.EqualError(t, err, `actionContext.DryRun must be true or false, got "perhaps"`)
	_, err = c.AccountReference()
	assert.EqualError(t, err, "actionContext.References.Account must be the IPassan uuid as text, got an object")
	_, err = c.Configuration()
	assert.EqualError(t, err, "actionContext.Configuration must be an object, got an array")
	_, err = c.Data()
	assert.EqualError(t, err, "actionContext.Data must be an object, got text")
	_, err = c.Correlation()
	assert.EqualError(t, err, `CorrelationConfiguration.Enabled must be true or false, got "sure"`)

	c, _ = Decode([]byte(`{"actionContext":{}}`))
	_, err = c.Configuration()
	assert.EqualError(t, err, "actionContext.Configuration is missing")
	dry, err := c.DryRun()
	assert.NoError(t, err)
	assert.False(t, dry)
}

func TestOutputShape(t *testing.T) {
	var buf bytes.Buffer
	o := Failure(CreateAccount, `Could not create "Zoë & d'Hondt" <x>`)
	require.NoError(t, o.Write(&buf))
	assert.Equal(t, `{"Success":false,"AuditLogs":[{"Action":"CreateAccount","Message":"Could not create \"Zoë & d'Hondt\" <x>","IsError":true}]}`+"\n", buf.String())

	buf.Reset()
	ref, yes := "emp-1", true
	data := object.New()
	data.Set("firstname", "Zoë")
	o = &Output{Success: true, AccountReference: &ref, AccountCorrelated: &yes, Data: data}
	require.NoError(t, o.Write(&buf))
	assert.Equal(t, `{"Success":true,"AccountReference":"emp-1","AccountCorrelated":true,"Data":{"firstname":"Zoë"},"AuditLogs":[]}`+"\n", buf.String())
}
