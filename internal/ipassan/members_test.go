package ipassan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachMember(t *testing.T) {
	in := ` { "a" : "x\"y\\" , "b\"c":{"n":[1,"]}",{"q":"}"}]}, "d":-1.5e3,"e":null ,"f":[] } `
	var keys, values []string
	require.NoError(t, eachMember([]byte(in), func(k, v []byte) {
		keys = append(keys, string(k))
		values = append(values, string(v))
	}))
	assert.Equal(t, []string{"a", `b"c`, "d", "e", "f"}, keys)
	assert.Equal(t, []string{`"x\"y\\"`, `{"n":[1,"]}",{"q":"}"}]}`, "-1.5e3", "null", "[]"}, values)
	assert.Equal(t, `x"y\`, jsonString([]byte(`"x\"y\\"`)))
	assert.Error(t, eachMember([]byte(`[1]`), func(k, v []byte) {}))

	var items []string
	require.NoError(t, eachElement([]byte(`[ 1, "a,b", {"x":[2]} ,null]`), func(v []byte) bool {
		items = append(items, string(v))
		return len(items) < 3
	}))
	assert.Equal(t, []string{"1", `"a,b"`, `{"x":[2]}`}, items, "stops when fn says so")
}
