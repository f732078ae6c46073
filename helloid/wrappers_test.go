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

// scripts names each command's wrapper as HelloID names the script slot.
var scripts = map[string]string{
	"create": "create.ps1", "update": "update.ps1", "enable": "enable.ps1", "disable": "disable.ps1", "delete": "delete.ps1",
	"permissions": "permissions.ps1", "grant": "grantPermission.ps1", "revoke": "revokePermission.ps1",
	"subpermissions": "subPermissions.ps1", "import": "import.ps1", "import-permissions": "importPermissions.ps1",
}

// outputKeys are the outputContext keys the binary prints (the JSON names of
// helloid.Output), i.e. what a wrapper may read from its answer.
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
	headerLine = regexp.MustCompile(`(?m)^# HelloID-Conn-Prov-Target-IPassan: .*$`)
	copyLine   = regexp.MustCompile(`(?m)^\s*foreach \(\$name in (.+)\) \{`)
	resultRead = regexp.MustCompile(`\$result\.([A-Za-z]+)`)
	depth      = regexp.MustCompile(`ConvertTo-Json -Depth (\d+)`)
)

func read(t *testing.T, file string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	require.NoError(t, err, "helloid/%s is missing", file)
	return string(src)
}

func TestEveryCommandHasAWrapperThatFollowsTheContract(t *testing.T) {
	for name := range connector.Actions {
		assert.Contains(t, scripts, name, "command %s has no wrapper", name)
	}
	keys := outputKeys()
	for name, file := range scripts {
		t.Run(file, func(t *testing.T) {
			text := read(t, file)
			m := actionLine.FindStringSubmatch(text)
			require.NotNil(t, m, "no $action line")
			assert.Equal(t, name, m[1], "the wrapper runs another command than HelloID's script slot says")
			if a := auditLine.FindStringSubmatch(text); a != nil {
				assert.Equal(t, connector.Actions[name].Audit, a[1])
			}
			if c := copyLine.FindStringSubmatch(text); c != nil {
				for _, f := range strings.Split(c[1], ",") {
					field := strings.Trim(strings.TrimSpace(f), "'")
					assert.True(t, keys[field], "copies %q, which the binary never prints", field)
				}
			}
			for _, r := range resultRead.FindAllStringSubmatch(text, -1) {
				assert.True(t, keys[r[1]], "reads $result.%s, which the binary never prints", r[1])
			}

			assert.Contains(t, text, "$actionContext.Configuration.connectorPath")
			assert.Contains(t, text, "actionContext = $actionContext")
			assert.Contains(t, text, "[System.Text.UTF8Encoding]::new($false)", "UTF-8 without BOM both ways")
			assert.Contains(t, text, "StandardOutputEncoding = $utf8")
			assert.Contains(t, text, "$stderr", "a failure carries the binary's stderr tail")
			d := depth.FindStringSubmatch(text)
			require.NotNil(t, d)
			n, _ := strconv.Atoi(d[1])
			assert.GreaterOrEqual(t, n, 10, "deep enough for nested contracts")
		})
	}
}

func TestWrappersReadWhatTheirCommandPrints(t *testing.T) {
	assert.Contains(t, read(t, "permissions.ps1"), "$permission.Identification.Reference")
	assert.Contains(t, read(t, "permissions.ps1"), "$outputContext.Permissions.Add(")
	assert.Contains(t, read(t, "subPermissions.ps1"), "$permission.Reference.Id")
	assert.Contains(t, read(t, "subPermissions.ps1"), "$outputContext.SubPermissions.Add(")
	for _, f := range []string{"import.ps1", "importPermissions.ps1"} {
		text := read(t, f)
		assert.Contains(t, text, "StandardOutput.ReadLine()", "%s passes lines on as they arrive", f)
		assert.Contains(t, text, "Write-Output ($line | ConvertFrom-Json)")
		assert.Contains(t, text, "$process.ExitCode -ne 0", "%s reports a failed import", f)
	}
	for name, file := range scripts {
		if _, ok := connector.Actions[name]; ok {
			text := read(t, file)
			assert.Contains(t, text, "[System.Diagnostics.Stopwatch]::StartNew()", "%s counts HelloID's 30 s from its first line", file)
			assert.Contains(t, text, "$process.WaitForExit([int]$remaining)", file)
		}
		if _, ok := connector.Actions[name]; ok && name != "permissions" {
			assert.Contains(t, read(t, file), "did not answer with JSON", "%s: a non-JSON answer becomes one error audit log", file)
			assert.Contains(t, read(t, file), "$result.AuditLogs", file)
		}
	}
}

// The lifecycle, grant and revoke wrappers are one script with its names
// filled in.
func TestOutputContextWrappersAreAlike(t *testing.T) {
	names := []string{"create", "update", "enable", "disable", "delete", "grant", "revoke"}
	sort.Strings(names)
	normalise := func(text string) string {
		text = actionLine.ReplaceAllString(text, "$$action = 'X'")
		text = auditLine.ReplaceAllString(text, "$$auditAction = 'X'")
		return headerLine.ReplaceAllString(text, "# HelloID-Conn-Prov-Target-IPassan: X")
	}
	first := normalise(read(t, scripts[names[0]]))
	for _, name := range names[1:] {
		assert.Equal(t, first, normalise(read(t, scripts[name])), "%s differs from %s beyond its names", scripts[name], scripts[names[0]])
	}
	assert.Equal(t, normalise(read(t, "import.ps1")), normalise(strings.ReplaceAll(read(t, "importPermissions.ps1"),
		"one permission with at most 500 accounts", "one account")), "the two import wrappers are alike")
}
