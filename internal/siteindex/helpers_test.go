package siteindex

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// t0 is when the full read of most tests began.
var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

var testKey = Key{BaseURL: "https://ipassan.example.com", SiteID: "Site-A", Fields: []string{"number", "mail"}}

type person struct {
	uuid   string
	values map[string]string
}

// people is a small site with the spellings that must survive.
var people = []person{
	{"0b7c5a4e-0001-4000-8000-000000000001", map[string]string{"number": "1001", "mail": "Zoë.de.Vries@example.org"}},
	{"0b7c5a4e-0002-4000-8000-000000000002", map[string]string{"number": " 1002 ", "mail": "Ĳsbrand.Jansen@example.org"}},
	{"0b7c5a4e-0003-4000-8000-000000000003", map[string]string{"number": "10\t03", "mail": "line\nbreak@example.org"}},
	{"0b7c5a4e-0004-4000-8000-000000000004", map[string]string{"mail": ""}},
	{"0b7c5a4e-0005-4000-8000-000000000005", map[string]string{"number": "1001", "mail": "d'Hondt@example.org"}},
	{"0b7c5a4e-0006-4000-8000-000000000006", map[string]string{"Number": "1006", "MAIL": "\u212a@example.org"}}, // Kelvin sign
}

// newIndex is an index of testKey in a fresh directory.
func newIndex(t *testing.T) Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site-index")
	return Index{Path: PathIn(dir, testKey), Key: testKey, MaxAge: 10 * time.Minute}
}

// save writes persons as the index of a read that began at started.
func save(t *testing.T, ix Index, started time.Time, persons []person) {
	t.Helper()
	b, err := ix.NewBuilder(started)
	require.NoError(t, err)
	for _, p := range persons {
		require.NoError(t, b.Add(p.uuid, p.values))
	}
	require.NoError(t, b.Save(context.Background()))
}

func lookup(ix Index, now time.Time, field, value string) ([]string, error) {
	return ix.Lookup(context.Background(), now, field, value)
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// writePrivate puts data at path as a private file.
func writePrivate(t testing.TB, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, data, 0o600))
	require.NoError(t, os.Chmod(path, 0o600))
}

// decoded is the whole content of an index file.
type decoded struct {
	hdr     header
	entries []journalOp // entries as ops that are not removals
	journal []journalOp
}

// decodeAll reads an index file's content whatever its key and age.
func decodeAll(data []byte) (decoded, error) {
	var out decoded
	hdr, journal, err := readIndex(bytes.NewReader(data), int64(len(data)), nil, func(r *record) error {
		op := journalOp{uuid: string(r.uuid), values: make([]string, len(r.values)), present: append([]bool(nil), r.present...)}
		for i, v := range r.values {
			op.values[i] = string(v)
		}
		out.entries = append(out.entries, op)
		return nil
	})
	out.hdr, out.journal = hdr, journal
	return out, err
}

// encodeAll is what the writer makes of that content.
func encodeAll(t testing.TB, d decoded) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, encodeIndex(&buf, len(d.hdr.key.fields), func(enc *encoder) error {
		enc.header(d.hdr)
		for _, e := range d.entries {
			enc.opEntry(e)
		}
		for _, j := range d.journal {
			enc.journalOp(j)
		}
		return nil
	}))
	return buf.Bytes()
}

// tempFiles lists what a write may leave next to the index.
func tempFiles(t *testing.T, ix Index) []string {
	t.Helper()
	var left []string
	for _, pattern := range []string{".tmp-*", ".spool-*"} {
		m, err := filepath.Glob(ix.Path + pattern)
		require.NoError(t, err)
		left = append(left, m...)
	}
	return left
}
