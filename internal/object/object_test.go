package object

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeKeysAreCaseInsensitiveAtEveryLevel(t *testing.T) {
	o, err := DecodeObject([]byte(`{"actionContext":{"Configuration":{"BaseUrl":"https://x","siteid":"s"}}}`))
	require.NoError(t, err)

	for _, path := range []string{"actionContext.Configuration.BaseUrl", "ACTIONCONTEXT.configuration.baseurl", "ActionContext.Configuration.baseUrl"} {
		v, ok := o.Path(path)
		assert.True(t, ok, path)
		assert.Equal(t, "https://x", v, path)
	}
	assert.Equal(t, "BaseUrl", o.Object("actioncontext").Object("CONFIGURATION").Spelling("baseurl"))
}

func TestDecodeKeepsOrderAndSpellingOnOutput(t *testing.T) {
	in := `{"Zeta":1,"alpha":"Zoë & d'Hondt","Mid":{"b":[1,"2",null,true],"A":{}}}`
	o, err := DecodeObject([]byte(in))
	require.NoError(t, err)
	out, err := Marshal(o)
	require.NoError(t, err)
	assert.Equal(t, in, string(out))
}

func TestDecodeRejects(t *testing.T) {
	deep := ""
	for i := 0; i < MaxDepth+1; i++ {
		deep += "["
	}
	tests := []struct {
		name, in, want string
	}{
		{"case duplicate", `{"a":{"BaseUrl":"x","baseurl":"y"}}`, `a has the key "baseurl" twice (as "BaseUrl" and "baseurl")`},
		{"exact duplicate", `{"x":1,"x":2}`, `the top-level object has the key "x" twice`},
		{"duplicate past the eighth key", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"B":10}`, `has the key "B" twice (as "b" and "B")`},
		{"duplicate past the twelfth key", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":0,"k":1,"l":2,"m":3,"n":4,"K":5}`, `has the key "K" twice (as "k" and "K")`},
		{"truncated", `{"a":`, "ends too early"},
		{"syntax", `{"a" 1}`, "invalid JSON at line 1, column 6"},
		{"trailing", `{} {}`, "unexpected data after the JSON value"},
		{"too deep", deep, "nests deeper than 100 levels"},
		{"empty", ``, "ends too early"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDecodeObjectWantsAnObject(t *testing.T) {
	_, err := DecodeObject([]byte(`[1]`))
	assert.EqualError(t, err, "expected a JSON object, got an array")
}

func TestPathFindsDottedKeysNestedOrFlat(t *testing.T) {
	nested, _ := DecodeObject([]byte(`{"_extension":{"accessProfileLookupKey":"Teamleider"}}`))
	flat, _ := DecodeObject([]byte(`{"_extension.accessProfileLookupKey":"Teamleider"}`))
	for _, o := range []*Object{nested, flat} {
		v, ok := o.Path("_Extension.AccessProfileLookupKey")
		assert.True(t, ok)
		assert.Equal(t, "Teamleider", v)
	}
	_, ok := nested.Path("_extension.missing")
	assert.False(t, ok)
	_, ok = nested.Path("_extension.accessProfileLookupKey.deeper")
	assert.False(t, ok)
}

func TestSetDeleteClone(t *testing.T) {
	o := New()
	o.Set("FirstName", "Zoë")
	o.Set("lastname", "d'Hondt")
	o.Set("firstname", "Ĳsbrand") // same key, other casing: keeps place and spelling
	assert.Equal(t, []string{"FirstName", "lastname"}, o.Keys())
	c := o.Clone()
	o.Delete("FIRSTNAME")
	assert.Equal(t, []string{"lastname"}, o.Keys())
	assert.False(t, o.Has("firstname"))
	v, _ := c.Get("firstname")
	assert.Equal(t, "Ĳsbrand", v)
	assert.Equal(t, 2, c.Len())
}

func TestScalars(t *testing.T) {
	for _, tt := range []struct {
		in   any
		text string
		ok   bool
	}{
		{"2", "2", true}, {json.Number("2"), "2", true}, {nil, "", true}, {true, "true", true},
		{2, "2", true}, {2.5, "2.5", true}, {New(), "", false}, {[]any{}, "", false},
	} {
		got, ok := Text(tt.in)
		assert.Equal(t, tt.text, got, "%v", tt.in)
		assert.Equal(t, tt.ok, ok, "%v", tt.in)
	}
	for _, tt := range []struct {
		in       any
		want, ok bool
	}{
		{true, true, true}, {"True", true, true}, {"1", true, true}, {json.Number("0"), false, true},
		{"", false, true}, {"maybe", false, false}, {New(), false, false},
	} {
		got, ok := Bool(tt.in)
		assert.Equal(t, tt.want, got, "%v", tt.in)
		assert.Equal(t, tt.ok, ok, "%v", tt.in)
	}
	n, ok := Int(" 500 ")
	assert.True(t, ok)
	assert.Equal(t, 500, n)
	_, ok = Int("5x")
	assert.False(t, ok)
}

func TestSetPathNests(t *testing.T) {
	o := New()
	o.SetPath("_extension.accessProfileLookupKey", "Teamleider")
	o.SetPath("_Extension.other", 1)
	o.SetPath("number", "1001")
	out, _ := Marshal(o)
	assert.Equal(t, `{"_extension":{"accessProfileLookupKey":"Teamleider","other":1},"number":"1001"}`, string(out))
}

func TestDecodeEach(t *testing.T) {
	var got []string
	err := DecodeEach([]byte(` [ {"a":1}, "x", [2], null ] `), func(i int, v any) error {
		b, _ := Marshal(v)
		got = append(got, string(b))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{`{"a":1}`, `"x"`, `[2]`, `null`}, got)
	assert.NoError(t, DecodeEach([]byte(`[]`), func(int, any) error { t.Fatal("no element"); return nil }))
	assert.ErrorContains(t, DecodeEach([]byte(`{}`), nil), "expected a JSON array")
	assert.ErrorContains(t, DecodeEach([]byte(`[1,`), func(int, any) error { return nil }), "ends too early")
	assert.ErrorContains(t, DecodeEach([]byte(`[{"a":1,"A":2}]`), func(int, any) error { return nil }), `[0] has the key "A" twice`)
}

func TestKeysMatchAlikeInSmallAndLargeObjects(t *testing.T) {
	for _, size := range []int{1, 40} {
		o := New()
		for i := range size - 1 {
			o.Set(strings.Repeat("k", i+1), i)
		}
		o.Set("Kelvin\u212a", 1) // KELVIN SIGN folds to k
		assert.True(t, o.Has("KELVINk"), "size %d", size)
		assert.True(t, o.Has("kelvinK"), "size %d", size)
	}
}

// Errors say where in the file, as an editor counts: lines from 1, columns
// in characters (Zoë's ë is one).
func TestErrorsNameLineAndColumn(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"first line", `{"a" 1}`, "invalid JSON at line 1, column 6 (in a): unexpected '1'"},
		{"third line, after a diacritic", "{\n  \"name\": \"Zoë\",\n  \"mail\": x\n}", "invalid JSON at line 3, column 11 (in mail)"},
		{"windows line ends", "{\r\n\"a\": 1,\r\n\"b\" 2}", "invalid JSON at line 3, column 5"},
		{"a key twice", "{\"a\": 1,\n \"A\": 2}", "at line 2, column 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
