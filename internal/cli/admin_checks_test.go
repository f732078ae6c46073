package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// checkedFiles are the files and folders the checks of agent files look at.
type checkedFiles struct {
	program, folder, table, badTable, missing, windows string
}

func newCheckedFiles(t *testing.T) checkedFiles {
	t.Helper()
	dir := t.TempDir()
	f := checkedFiles{
		program:  filepath.Join(dir, "ipassan-connector.exe"),
		folder:   dir,
		table:    filepath.Join(dir, "AccessProfile.csv"),
		badTable: filepath.Join(dir, "bad.csv"),
		missing:  filepath.Join(dir, "nowhere", "ipassan-connector.exe"),
		windows:  `C:\HelloID\ipassan-connector\ipassan-connector.exe`,
	}
	require.NoError(t, os.WriteFile(f.program, []byte("MZ"), 0o700))
	require.NoError(t, os.WriteFile(f.table, []byte("HelloIDLookupKey;AccessProfileName;AccessProfileId\nTester;Floor.1;"+verdieping1+"\n"), 0o600))
	require.NoError(t, os.WriteFile(f.badTable, []byte("HelloIDLookupKey;AccessProfileName;AccessProfileId\nA;x;1\na;y;2\n"), 0o600))
	return f
}

// checkOnly runs one check of validate on a configuration, as validate would
// on the system goos.
func checkOnly(goos string, cfg config.Config, check func(*validator)) []checkResult {
	v := &validator{goos: goos, conn: &connector.Connector{Config: cfg, Log: zerolog.Nop()}}
	check(v)
	return v.results
}

func TestValidateConnectorPath(t *testing.T) {
	t.Parallel()
	f := newCheckedFiles(t)
	q := contextbuild.QuotePath
	tests := []struct {
		name, goos, path string
		status           checkStatus
		message          string
	}{
		{"empty, on the agent", "windows", "", checkWarn,
			"connectorPath is empty: HelloID's wrappers need the path of ipassan-connector on the agent"},
		{"empty, elsewhere", "linux", "", checkWarn,
			"connectorPath is empty: HelloID's wrappers need the path of ipassan-connector on the agent"},
		{"the program, on the agent", "windows", f.program, checkPass,
			"connectorPath " + q(f.program) + " exists: HelloID's wrappers run it"},
		{"the program, elsewhere", "linux", f.program, checkPass,
			"connectorPath " + q(f.program) + " exists: HelloID's wrappers run it"},
		{"missing, on the agent", "windows", f.missing, checkFail,
			"connectorPath " + q(f.missing) + " does not exist on this machine: HelloID's wrappers cannot start the connector on this agent"},
		{"a Windows path, on the agent but not there", "windows", f.windows, checkFail,
			`connectorPath "C:\HelloID\ipassan-connector\ipassan-connector.exe" does not exist on this machine: HelloID's wrappers cannot start the connector on this agent`},
		{"missing, elsewhere", "linux", f.missing, checkWarn,
			"connectorPath " + q(f.missing) + " could not be found on this machine (linux); it must exist on every agent of the pool"},
		{"the agent's Windows path, checked on a Mac", "darwin", f.windows, checkWarn,
			`connectorPath "C:\HelloID\ipassan-connector\ipassan-connector.exe" could not be found on this machine (darwin); it must exist on every agent of the pool`},
		{"a folder", "windows", f.folder, checkFail,
			"connectorPath " + q(f.folder) + " is a folder: name the program itself (ipassan-connector.exe in that folder)"},
		{"a folder, elsewhere too", "linux", f.folder, checkFail,
			"connectorPath " + q(f.folder) + " is a folder: name the program itself (ipassan-connector.exe in that folder)"},
		{"not a regular file", "linux", os.DevNull, checkFail,
			"connectorPath " + q(os.DevNull) + " is not a regular file: name the program ipassan-connector.exe itself"},
		{"not a full path", "windows", "admin_checks_test.go", checkWarn,
			`connectorPath "admin_checks_test.go" exists here but is not a full path: the agent does not start it from this folder, so write the full path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := checkOnly(tt.goos, config.Config{ConnectorPath: tt.path}, (*validator).connectorPath)
			assert.Equal(t, []checkResult{{Check: checkConnectorPath, Status: tt.status, Message: tt.message}}, got)
		})
	}
}

func TestValidateMappingTableFile(t *testing.T) {
	t.Parallel()
	f := newCheckedFiles(t)
	q := contextbuild.QuotePath
	key := func(path string) string { return "accessProfileMappingPath " + q(path) }
	tests := []struct {
		name, goos string
		cfg        config.Config
		ok         bool
		want       []checkResult
	}{
		{"the table, on the agent", "windows", config.Config{MappingPath: f.table}, true,
			[]checkResult{{checkMappingTable, checkPass, key(f.table) + ": 1 row, 1 access profile"}}},
		{"the table, elsewhere", "linux", config.Config{MappingPath: f.table}, true,
			[]checkResult{{checkMappingTable, checkPass, key(f.table) + ": 1 row, 1 access profile"}}},
		{"the table as text", "linux", config.Config{MappingText: "HelloIDLookupKey;AccessProfileName;AccessProfileId\nTester;Floor.1;" + verdieping1 + "\n"}, true,
			[]checkResult{{checkMappingTable, checkPass, "accessProfileMapping: 1 row, 1 access profile"}}},
		{"missing, on the agent", "windows", config.Config{MappingPath: f.windows}, false,
			[]checkResult{{checkMappingTable, checkFail, `accessProfileMappingPath "C:\HelloID\ipassan-connector\ipassan-connector.exe" does not exist on this machine: ` +
				"the actions that map or name access profiles would fail on this agent"}}},
		{"missing, elsewhere", "linux", config.Config{MappingPath: f.missing}, false,
			[]checkResult{{checkMappingTable, checkFail, key(f.missing) + " could not be found on this machine (linux); it must exist on every agent of the pool. " +
				"To check a copy of the table here: --set accessProfileMappingPath=FILE"}}},
		{"a folder", "windows", config.Config{MappingPath: f.folder}, false,
			[]checkResult{{checkMappingTable, checkFail, key(f.folder) + " is a folder: name the CSV file itself"}}},
		{"a duplicate key", "linux", config.Config{MappingPath: f.badTable}, false,
			[]checkResult{{checkMappingTable, checkFail, key(f.badTable) + `: line 3: lookup key "a" repeats line 2 ("A"); keys are compared without regard to case`}}},
		{"not set", "windows", config.Config{}, false,
			[]checkResult{{checkMappingTable, checkFail, "configuration key accessProfileMappingPath is missing: enable needs the access-profile mapping table"}}},
		{"not a full path", "windows", config.Config{MappingPath: filepath.Join("..", "..", "testdata", "AccessProfile.csv")}, true,
			[]checkResult{
				{checkMappingTable, checkWarn, key(filepath.Join("..", "..", "testdata", "AccessProfile.csv")) + " is not a full path: the agent does not read it from this folder, so write the full path"},
				{checkMappingTable, checkPass, key(filepath.Join("..", "..", "testdata", "AccessProfile.csv")) + ": 6 rows, 5 access profiles"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ok bool
			got := checkOnly(tt.goos, tt.cfg, func(v *validator) { ok = v.mappingTable() })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.ok, ok)
		})
	}
}

// Through the binary, here (not Windows): a connectorPath of the agents that
// this machine lacks is a warning, the mapping table a failure that says how
// to check a copy, and the profiles are then not checked.
func TestValidateAgentFilesElsewhere(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == agentOS {
		t.Skip("on Windows a missing connectorPath fails; TestValidateConnectorPath covers it")
	}
	_, url := startDemoFake(t, fake.Options{})
	table := `C:\HelloID\ipassan-connector\AccessProfile.csv`
	cfg := demoConfig(t, url, m{"connectorPath": `C:\HelloID\ipassan-connector\ipassan-connector.exe`, "accessProfileMappingPath": table})

	r := runOn(t, terminal{}, "validate", "--config", cfg)
	assert.Equal(t, 1, r.code, r.stderr)
	v := decodeJSON[validation](t, r)
	assert.Equal(t, []string{"pass configuration", "warn connectorPath", "warn https", "pass credentials", "pass site", "pass site index", "fail mapping table", "skip profiles"},
		statusLines(v))
	assert.Contains(t, messages(v), `connectorPath "C:\HelloID\ipassan-connector\ipassan-connector.exe" could not be found on this machine (`)
	assert.Contains(t, messages(v), "); it must exist on every agent of the pool\n")
	assert.Contains(t, messages(v), `accessProfileMappingPath "C:\HelloID\ipassan-connector\AccessProfile.csv" could not be found on this machine`)

	// A local copy of the table, as the message says.
	r = runOn(t, terminal{}, "validate", "--config", cfg, "--set", "accessProfileMappingPath="+repotest.Path("testdata", "AccessProfile.csv"))
	assert.Equal(t, 0, r.code, r.stderr)
	v = decodeJSON[validation](t, r)
	assert.Equal(t, "warn connectorPath", statusLines(v)[1])
	assert.True(t, strings.HasPrefix(v.Checks[6].Message, `accessProfileMappingPath "`+repotest.Path("testdata", "AccessProfile.csv")+`": 6 rows`), v.Checks[6].Message)
}
