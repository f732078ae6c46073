// The wrappers run on HelloID's on-premises agent, Windows PowerShell 5.1,
// which no machine here has. grammar/check.mjs parses them with the
// tree-sitter PowerShell grammar under node and refuses syntax errors and what
// 5.1 lacks. These tests run it over the wrappers, over samples it must refuse
// (grammar/testdata/fail, each naming what it expects in "# want: LINE:COLUMN
// TEXT" lines) and over 5.1 code it must accept (grammar/testdata/pass).
//
// Without node or the npm packages (npm ci in helloid/grammar) they skip,
// except under CI, which must run them.
package wrappers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// grammarProblem is one finding of check.mjs --json.
type grammarProblem struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (p grammarProblem) String() string {
	return fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Message)
}

// grammarNode returns node, or skips (fails under CI) when node or the npm
// packages the check needs are not installed.
func grammarNode(t *testing.T) string {
	t.Helper()
	missing := ""
	node, err := exec.LookPath("node")
	if err != nil {
		missing = "node is not installed"
	} else {
		for _, pkg := range []string{"web-tree-sitter", "tree-sitter-powershell"} {
			if _, err := os.Stat(filepath.Join("grammar", "node_modules", pkg, "package.json")); err != nil {
				missing = fmt.Sprintf("the npm package %s is not installed (run npm ci in helloid/grammar)", pkg)
				break
			}
		}
	}
	if missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: CI must parse the wrappers with the PowerShell grammar (.ci/run installs what it needs)", missing)
		}
		t.Skipf("%s: the wrappers are not parsed with the PowerShell grammar here (CI does it)", missing)
	}
	return node
}

// grammarRun runs the check over files and returns the text it printed and
// its exit status. A status other than 0 or 1 (the check itself could not
// run) fails the test.
func grammarRun(t *testing.T, args ...string) (stdout string, status int) {
	t.Helper()
	node := grammarNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{filepath.Join("grammar", "check.mjs")}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		status = 1
	default:
		t.Fatalf("check.mjs %s could not run: %v\n%s%s", strings.Join(args, " "), err, errOut.String(), out.String())
	}
	return out.String(), status
}

// grammarCheck runs check.mjs --json over files and returns each file's
// problems, making sure every file was checked.
func grammarCheck(t *testing.T, files []string) (map[string][]grammarProblem, int) {
	t.Helper()
	require.NotEmpty(t, files)
	stdout, status := grammarRun(t, append([]string{"--json"}, files...)...)
	var report struct {
		Files []struct {
			File     string           `json:"file"`
			Problems []grammarProblem `json:"problems"`
		} `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), "check.mjs --json printed %q", stdout)
	found := map[string][]grammarProblem{}
	for _, f := range report.Files {
		found[filepath.Clean(f.File)] = f.Problems
	}
	for _, f := range files {
		assert.Contains(t, found, filepath.Clean(f), "check.mjs did not check %s", f)
	}
	assert.Len(t, found, len(files))
	return found, status
}

func globFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	require.NoError(t, err)
	require.NotEmpty(t, files, "nothing matches %s", pattern)
	return files
}

// Every wrapper parses, and uses nothing Windows PowerShell 5.1 lacks.
func TestWrappersParseAsWindowsPowerShell51(t *testing.T) {
	t.Parallel()
	files := globFiles(t, "*.ps1")
	found, status := grammarCheck(t, files)
	for _, f := range files {
		for _, p := range found[filepath.Clean(f)] {
			t.Errorf("%s:%s", f, p)
		}
	}
	assert.Equal(t, 0, status, "check.mjs must exit 0 on clean wrappers")
}

// The check refuses each broken sample, exactly where and for what the sample
// says; the samples cover what issue 12 names (a missing or unbalanced brace,
// an unterminated string, ??) and each PowerShell 7 construct the check knows.
func TestGrammarCheckRefusesBrokenScripts(t *testing.T) {
	t.Parallel()
	files := globFiles(t, filepath.Join("grammar", "testdata", "fail", "*.ps1"))
	for _, required := range []string{"missing-closing-brace", "extra-closing-brace", "missing-parenthesis",
		"unterminated-double-quoted-string", "unterminated-single-quoted-string", "unterminated-here-string",
		"null-coalescing", "null-coalescing-assignment", "null-coalescing-in-arguments", "null-conditional-member",
		"ternary", "pipeline-chain-and", "pipeline-chain-or", "convertfrom-json-ashashtable",
		"foreach-object-parallel", "get-error", "psstyle", "clean-block"} {
		assert.Contains(t, files, filepath.Join("grammar", "testdata", "fail", required+".ps1"))
	}
	found, status := grammarCheck(t, files)
	assert.Equal(t, 1, status, "check.mjs must exit 1 when it finds a problem")
	want := regexp.MustCompile(`(?m)^# want: (\d+):(\d+) (.+?)\r?$`)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			wants := want.FindAllStringSubmatch(string(src), -1)
			require.NotEmpty(t, wants, "%s says nothing of what it expects (# want: LINE:COLUMN TEXT)", f)
			got := found[filepath.Clean(f)]
			for _, w := range wants {
				line, _ := strconv.Atoi(w[1])
				column, _ := strconv.Atoi(w[2])
				matched := false
				for _, p := range got {
					matched = matched || (p.Line == line && p.Column == column && strings.Contains(p.Message, w[3]))
				}
				assert.True(t, matched, "want %d:%d %q; the check found %v", line, column, w[3], got)
			}
			assert.Len(t, got, len(wants), "the check found other problems than the sample expects: %v", got)
		})
	}
}

// Windows PowerShell 5.1 code that looks like what the check refuses passes.
func TestGrammarCheckAcceptsWindowsPowerShell51(t *testing.T) {
	t.Parallel()
	files := globFiles(t, filepath.Join("grammar", "testdata", "pass", "*.ps1"))
	found, status := grammarCheck(t, files)
	for _, f := range files {
		assert.Empty(t, found[filepath.Clean(f)], "%s is Windows PowerShell 5.1", f)
	}
	assert.Equal(t, 0, status)
}

// What a developer or CI reads names the file, the line and the column.
func TestGrammarCheckNamesFileLineAndColumn(t *testing.T) {
	t.Parallel()
	file := filepath.Join("grammar", "testdata", "fail", "missing-closing-brace.ps1")
	stdout, status := grammarRun(t, file)
	assert.Equal(t, 1, status)
	assert.Contains(t, stdout, file+`:4:47: "{" is never closed: missing "}"`)
	assert.Contains(t, stdout, "1 problem in 1 of 1 PowerShell scripts")
}
