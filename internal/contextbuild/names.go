package contextbuild

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// QuotePath repeats a file path an admin gave in a message: in quotes, as it
// was typed. A Windows path keeps its single backslashes (strconv.Quote would
// double them); a path with a quote or a control character in it is escaped.
func QuotePath(path string) string {
	if strings.ContainsFunc(path, func(r rune) bool { return r == '"' || unicode.IsControl(r) }) {
		return strconv.Quote(path)
	}
	return `"` + path + `"`
}

// guid is the shape of IPassan's uuids: a GUID, in either case.
var guid = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// IsGUID reports whether s is shaped like a GUID (surrounding spaces
// allowed), as IPassan's person uuids and access-profile ids are.
func IsGUID(s string) bool { return guid.MatchString(strings.TrimSpace(s)) }

// SecretMissing reports whether a configuration has no client secret, so
// that a message can say where an admin puts it.
func SecretMissing(cfg *object.Object) bool {
	v, ok := cfg.Get(config.KeyClientSecret)
	s, _ := object.Text(v)
	return !ok || strings.TrimSpace(s) == ""
}
