// The PowerShell wrappers cannot run here (no PowerShell), so this test checks
// what they pass and read against the binary's contract.
package wrappers_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
)

// script is the registry's action a wrapper file runs.
func script(t *testing.T, file string) actions.Action {
	t.Helper()
	for _, a := range actions.All() {
		if a.Script == file {
			return a
		}
	}
	t.Fatalf("no action of the registry has the script %s", file)
	return actions.Action{}
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
	actionLine    = regexp.MustCompile(`(?m)^\$action = '([a-z-]+)'\r?$`)
	auditLine     = regexp.MustCompile(`(?m)^\$auditAction = '([A-Za-z]*)'\r?$`)
	headerLine    = regexp.MustCompile(`(?m)^# HelloID-Conn-Prov-Target-IPassan: .*$`)
	copyLine      = regexp.MustCompile(`(?m)^\s*foreach \(\$name in (.+)\) \{`)
	resultRead    = regexp.MustCompile(`\$result\.([A-Za-z]+)`)
	depth         = regexp.MustCompile(`ConvertTo-Json -Depth (\d+)`)
	argumentsLine = regexp.MustCompile(`(?m)^\s*\$arguments = "?\$action((?: [^"\r\n]*)?)"?\r?$`)
	flagWord      = regexp.MustCompile(`(?:^| )--([a-z-]+)`)
	region        = regexp.MustCompile(`(?ms)^[ \t]*#region ([^\r\n]*\(the same in every [^)]*\))\r?\n(.*?)^[ \t]*#endregion`)
)

func read(t *testing.T, file string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	require.NoError(t, err, "helloid/%s is missing", file)
	return string(src)
}

// Every action of the registry has its wrapper, which runs that command; and
// every wrapper in this folder belongs to an action.
func TestEveryActionHasAWrapperThatFollowsTheContract(t *testing.T) {
	t.Parallel()
	keys := outputKeys()
	for _, a := range actions.All() {
		require.NotEmpty(t, a.Script, "%s has no HelloID script", a.Name)
		t.Run(a.Script, func(t *testing.T) {
			t.Parallel()
			text := read(t, a.Script)
			m := actionLine.FindStringSubmatch(text)
			require.NotNil(t, m, "no $action line")
			assert.Equal(t, a.Name, m[1], "the wrapper runs another command than HelloID's script slot says")
			if audit := auditLine.FindStringSubmatch(text); audit != nil {
				assert.Equal(t, a.Audit, audit[1])
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
	files, err := filepath.Glob("*.ps1")
	require.NoError(t, err)
	for _, f := range files {
		script(t, f)
	}
}

// The flags a wrapper passes to the binary are flags of its command in the
// registry: a wrapper that passes one the command does not know would fail
// every time with a usage error.
func TestWrappersPassOnlyTheirCommandsFlags(t *testing.T) {
	t.Parallel()
	for _, a := range actions.All() {
		own := map[string]bool{}
		for _, f := range a.Flags {
			own[f.Name] = true
		}
		lines := argumentsLine.FindAllStringSubmatch(read(t, a.Script), -1)
		require.NotEmpty(t, lines, "%s: no $arguments line", a.Script)
		for _, line := range lines {
			for _, f := range flagWord.FindAllStringSubmatch(line[1], -1) {
				assert.True(t, own[f[1]], "%s passes --%s, which %s does not take", a.Script, f[1], a.Name)
			}
		}
	}
}

func TestWrappersReadWhatTheirCommandPrints(t *testing.T) {
	t.Parallel()
	for _, listing := range []string{"permissions.ps1", "dynamicPermission.ps1"} {
		assert.Contains(t, read(t, listing), "$permission.Identification.Reference", listing)
		assert.Contains(t, read(t, listing), "$outputContext.Permissions.Add(", listing)
	}
	assert.Contains(t, read(t, "subPermissions.ps1"), "$permission.Reference.Id")
	assert.Contains(t, read(t, "subPermissions.ps1"), "$outputContext.SubPermissions.Add(")
	assert.Contains(t, read(t, "uniquenessCheck.ps1"), "NonUniqueFields")
	for _, a := range actions.All() {
		text := read(t, a.Script)
		assert.Contains(t, text, "[System.Diagnostics.Stopwatch]::StartNew()", "%s counts HelloID's time from its first line", a.Script)
		// Lists reach the binary as lists: Windows PowerShell 5.1 would
		// otherwise write a wrapped array as {"value": [...], "Count": n}.
		typeData := strings.Index(text, "Remove-TypeData System.Array -ErrorAction Ignore")
		assert.True(t, typeData >= 0 && typeData < strings.Index(text, "ConvertTo-Json"), "%s drops System.Array's type data before ConvertTo-Json", a.Script)
		assert.Contains(t, text, `.Trim().Trim('"')`, "%s starts a connectorPath pasted with quotes", a.Script)
		if a.JSONLines() {
			assert.Contains(t, text, "StandardOutput.ReadLineAsync()", "%s passes lines on as they arrive", a.Script)
			assert.Contains(t, text, "ConvertTo-HelloIDHashtable $printed", "%s hands HelloID hashtables", a.Script)
			assert.Contains(t, text, "$process.ExitCode -ne 0", "%s reports a failed import", a.Script)
			assert.Contains(t, text, "--preview", "%s passes HelloID's preview on", a.Script)
			continue
		}
		assert.Contains(t, text, "$process.WaitForExit([int]$remaining)", a.Script)
		assert.Contains(t, text, "did not answer with JSON", "%s: a non-JSON answer becomes one error", a.Script)
	}
}

// What the wrappers share is one text: each block marked "the same in every
// … wrapper" is the same wherever it appears.
func TestSharedBlocksAreTheSame(t *testing.T) {
	t.Parallel()
	first := map[string]string{} // region name -> its text, where first seen
	where := map[string]string{}
	seen := map[string]int{}
	for _, a := range actions.All() {
		for _, m := range region.FindAllStringSubmatch(read(t, a.Script), -1) {
			name, body := m[1], m[2]
			seen[name]++
			if prev, ok := first[name]; ok {
				assert.Equal(t, prev, body, "region %q of %s differs from %s's", name, a.Script, where[name])
				continue
			}
			first[name], where[name] = body, a.Script
		}
	}
	require.NotEmpty(t, seen)
	assert.Equal(t, len(actions.All()), seen["start ipassan-connector (the same in every wrapper)"], "every wrapper starts the binary the same way")
}

// The lifecycle and permission wrappers are one script with its names
// filled in.
func TestOutputContextWrappersAreAlike(t *testing.T) {
	t.Parallel()
	names := []string{"create", "update", "enable", "disable", "delete", "grant", "revoke", "update-permission"}
	sort.Strings(names)
	file := func(name string) string {
		a, ok := actions.Lookup(name)
		require.True(t, ok, name)
		return a.Script
	}
	normalise := func(text string) string {
		text = actionLine.ReplaceAllString(text, "$$action = 'X'")
		text = auditLine.ReplaceAllString(text, "$$auditAction = 'X'")
		return headerLine.ReplaceAllString(text, "# HelloID-Conn-Prov-Target-IPassan: X")
	}
	first := normalise(read(t, file(names[0])))
	for _, name := range names[1:] {
		assert.Equal(t, first, normalise(read(t, file(name))), "%s differs from %s beyond its names", file(name), file(names[0]))
	}
}

// Both retrieve-permissions scripts are one script with its names filled in,
// and wait as long as HelloID gives retrieving permissions (15 minutes), a
// little longer than the binary's own deadline, so its answer is read.
func TestRetrievePermissionsWrappersWaitForTheBinary(t *testing.T) {
	t.Parallel()
	wait := regexp.MustCompile(`(?m)^\$waitMilliseconds = (\d+)\r?$`)
	normalise := func(text string) string {
		text = actionLine.ReplaceAllString(text, "$$action = 'X'")
		return headerLine.ReplaceAllString(text, "# HelloID-Conn-Prov-Target-IPassan: X")
	}
	var first string
	for _, name := range []string{"permissions", "dynamic-permission"} {
		a, ok := actions.Lookup(name)
		require.True(t, ok, name)
		text := read(t, a.Script)
		m := wait.FindStringSubmatch(text)
		require.NotNil(t, m, "%s sets no $waitMilliseconds", a.Script)
		ms, err := strconv.Atoi(m[1])
		require.NoError(t, err)
		waited := time.Duration(ms) * time.Millisecond
		assert.LessOrEqual(t, waited, 15*time.Minute, "%s waits past HelloID's 15 minutes", a.Script)
		assert.Greater(t, waited, a.Timeout(config.Config{}, false), "%s gives up before %s's own deadline", a.Script, a.Name)
		if first == "" {
			first = normalise(text)
			continue
		}
		assert.Equal(t, first, normalise(text), "%s differs from permissions.ps1 beyond its names", a.Script)
	}
}
