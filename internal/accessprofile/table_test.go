package accessprofile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

func TestPowerShellConnectorFileWorksUnchanged(t *testing.T) {
	// CRLF line ends and five blank CRLF lines at the end.
	tbl, err := Load(repotest.Path("testdata", "fixtures", "powershell-connector", "AccessProfile.csv"))
	require.NoError(t, err)
	assert.Len(t, tbl.Rows(), 8)

	row, ok := tbl.Lookup("  consultant SOFTWARE ")
	require.True(t, ok)
	assert.Equal(t, "8b32bb39-5e9f-459b-8bf1-a864c35b3f79", row.ProfileID)
	assert.Equal(t, "Floor.2", row.ProfileName)
	assert.Equal(t, 6, row.Line)

	assert.Equal(t, []Profile{
		{ID: "51ee893c-bb6e-4a65-b852-f79d09e242b1", Name: "Floor.1"},
		{ID: "759e0521-32a2-43d2-b0d7-585001743b64", Name: "ALL"},
		{ID: "ababca14-9608-4e4f-93be-0bd8cc4814cd", Name: "Floor.3"},
		{ID: "8b32bb39-5e9f-459b-8bf1-a864c35b3f79", Name: "Floor.2"},
	}, tbl.Profiles())
	assert.Equal(t, 1, tbl.Rank("759E0521-32A2-43D2-B0D7-585001743B64"))
	assert.Equal(t, 8, tbl.Rank("unknown"))
	_, ok = tbl.Lookup("Central Web Engineer")
	assert.False(t, ok)
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name, in string
		key, id  string
	}{
		{"bom and lf", "\ufeffHelloIDLookupKey;AccessProfileName;AccessProfileId\nTeamleider;Alle deuren;9c1e\n", "teamleider", "9c1e"},
		{"columns in another order, extra column", "AccessProfileId;Note;HelloIDLookupKey;AccessProfileName\r\n9c1e;x;Teamleider;Alle deuren\r\n", "Teamleider", "9c1e"},
		{"blank and whitespace lines", "\r\n  \r\nHelloIDLookupKey;AccessProfileName;AccessProfileId\r\n;;\r\nTeamleider;Alle deuren;9c1e\r\n\r\n", "TEAMLEIDER", "9c1e"},
		{"quoted key with separator", "HelloIDLookupKey;AccessProfileName;AccessProfileId\n\"Sales; binnendienst\";Floor;9c1e\n", "sales; binnendienst", "9c1e"},
		{"diacritics", "HelloIDLookupKey;AccessProfileName;AccessProfileId\nMedewerker Financiële administratie;Café;9c1e\n", "medewerker financiële administratie", "9c1e"},
		{"windows-1252", "HelloIDLookupKey;AccessProfileName;AccessProfileId\nMedewerker Financi\xeble administratie;Caf\xe9;9c1e\n", "Medewerker Financiële administratie", "9c1e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			row, ok := tbl.Lookup(tt.key)
			require.True(t, ok)
			assert.Equal(t, tt.id, row.ProfileID)
		})
	}
}

func TestParseRejects(t *testing.T) {
	const h = "HelloIDLookupKey;AccessProfileName;AccessProfileId\n"
	tests := []struct{ name, in, want string }{
		{"duplicate by case", h + "Tester;A;g1\nSALES;B;g2\ntester ;C;g3\n", `line 4: lookup key "tester" repeats line 2 ("Tester")`},
		{"comma separated", "HelloIDLookupKey,AccessProfileName,AccessProfileId\nTester,A,g1\n", `line 1: the header separates its columns with ","; the table needs ';' (HelloIDLookupKey;AccessProfileName;AccessProfileId)`},
		{"tab separated", "HelloIDLookupKey\tAccessProfileName\tAccessProfileId\nTester\tA\tg1\n", `line 1: the header separates its columns with "\t"; the table needs ';'`},
		{"no header", "Tester;A;g1\n", "missing HelloIDLookupKey"},
		{"empty", "\r\n\r\n", "the mapping table is empty"},
		{"header only", h, "has a header but no rows"},
		{"empty key", h + " ;A;g1\n", "line 2: HelloIDLookupKey is empty"},
		{"empty id", h + "Tester;A;\n", `line 2: AccessProfileId is empty for lookup key "Tester"`},
		{"short row", h + "Tester;A\n", `line 2: AccessProfileId is empty`},
		{"bad id", h + "Tester;A;g 1/x\n", `line 2: AccessProfileId "g 1/x" is not a profile GUID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.csv"))
	assert.ErrorContains(t, err, "missing.csv\" does not exist")

	path := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(path, []byte("nope\n"), 0o600))
	_, err = Load(path)
	assert.ErrorContains(t, err, "bad.csv\": line 1: the header must name")
}
