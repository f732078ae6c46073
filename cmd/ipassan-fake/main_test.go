package main

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// Every field a fault has, and every accessType shape, is explained in
// --help: a behaviour scripts cannot discover might as well not exist.
func TestHelpDocumentsEveryFault(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	assert.Equal(t, 0, run([]string{"--help"}, &out, &out))
	help := out.String()
	ft := reflect.TypeFor[fake.Fault]()
	for i := range ft.NumField() {
		name, _, _ := strings.Cut(ft.Field(i).Tag.Get("json"), ",")
		word := regexp.MustCompile(`(^|[\s",])` + name + `([\s",:]|$)`)
		assert.True(t, word.MatchString(help), "--help does not explain the fault field %s (%s)", name, ft.Field(i).Name)
	}
	for _, shape := range fake.ShapeNames() {
		assert.True(t, strings.Contains(help, "    "+shape+" "), "--help does not explain the shape %s", shape)
	}
	for _, p := range []string{"{secret}", "{token}", "{secret:trimmed}", "{secret:json}", "{secret:percent}", "{secret:PERCENT}", "{pad:N}",
		"GET    /_fake/stats", "POST   /_fake/faults"} {
		assert.Contains(t, help, p)
	}
}

func TestAFaultThatIsNotUnderstoodStopsTheStart(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run([]string{"--addr", "127.0.0.1:0", "--fault", `{"route":"get","stauts":500}`}, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut.String(), `unknown field "stauts"`)
}
