// The PowerShell wrappers cannot run here (no PowerShell), so this test checks
// what they pass and read against the binary's contract.
package wrappers_test

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
)

// outputKeys are the outputContext keys the binary prints (the JSON names of
// helloid.Output), i.e. what a wrapper may copy.
func outputKeys() map[string]bool {
	keys := map[string]bool{}
	t := reflect.TypeOf(helloid.Output{})
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys[name] = true
	}
	return keys
}

var (
	actionLine = regexp.MustCompile(`(?m)^\$action = '([a-z-]+)'\r?$`)
	auditLine  = regexp.MustCompile(`(?m)^\$auditAction = '([A-Za-z]+)'\r?$`)
	copyLine   = regexp.MustCompile(`(?m)^\s*foreach \(\$name in (.+)\) \{`)
	depth      = regexp.MustCompile(`ConvertTo-Json -Depth (\d+)`)
)

func lifecycleActions() []string {
	var names []string
	for name := range connector.Actions {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func TestEveryLifecycleWrapperNamesItsOwnAction(t *testing.T) {
	keys := outputKeys()
	for _, name := range lifecycleActions() {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(name + ".ps1")
			require.NoError(t, err, "helloid/%s.ps1 is missing", name)
			text := string(src)

			m := actionLine.FindStringSubmatch(text)
			require.NotNil(t, m, "no $action line")
			assert.Equal(t, name, m[1], "the wrapper runs another action than its file name says")
			m = auditLine.FindStringSubmatch(text)
			require.NotNil(t, m, "no $auditAction line")
			assert.Equal(t, connector.Actions[name].Audit, m[1])

			m = copyLine.FindStringSubmatch(text)
			require.NotNil(t, m, "no line copying outputContext fields")
			for _, f := range strings.Split(m[1], ",") {
				field := strings.Trim(strings.TrimSpace(f), "'")
				assert.True(t, keys[field], "the wrapper copies %q, which the binary never prints", field)
			}
			assert.Contains(t, text, "$result.AuditLogs", "audit logs are copied")

			assert.Contains(t, text, "$actionContext.Configuration.connectorPath")
			assert.Contains(t, text, "actionContext = $actionContext; personContext = $personContext")
			assert.Contains(t, text, "[System.Text.UTF8Encoding]::new($false)", "UTF-8 without BOM both ways")
			assert.Contains(t, text, "StandardOutputEncoding = $utf8")
			d := depth.FindStringSubmatch(text)
			require.NotNil(t, d)
			n, _ := strconv.Atoi(d[1])
			assert.GreaterOrEqual(t, n, 10, "deep enough for nested contracts")
			assert.Contains(t, text, "did not answer with JSON", "a non-JSON answer becomes one error audit log")
			assert.Contains(t, text, "$stderr", "with the binary's stderr tail")
		})
	}
}

// The lifecycle wrappers are one script with two names filled in.
func TestLifecycleWrappersAreAlike(t *testing.T) {
	var first, firstName string
	for _, name := range lifecycleActions() {
		src, err := os.ReadFile(name + ".ps1")
		require.NoError(t, err)
		text := actionLine.ReplaceAllString(string(src), "$$action = 'X'")
		text = auditLine.ReplaceAllString(text, "$$auditAction = 'X'")
		text = strings.Replace(text, ": "+name+"\n", ": X\n", 1) // the header comment
		if first == "" {
			first, firstName = text, name
			continue
		}
		assert.Equal(t, first, text, "%s.ps1 differs from %s.ps1 beyond its action", name, firstName)
	}
}
