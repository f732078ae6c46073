package ipassan

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSafeID(t *testing.T) {
	for in, want := range map[string]bool{
		"0f3a2b1c-0000-4000-8000-000000000001": true, "{0F3A}": true, "a.b": true,
		"": false, "..": false, ".": false, "a/b": false, "a?b": false, "a b": false, "a%2f": false, "a\nb": false,
	} {
		assert.Equal(t, want, SafeID(in), in)
	}
}
