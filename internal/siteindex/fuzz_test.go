package siteindex

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedFiles are index files as this package writes them, for fuzzing.
func seedFiles(tb testing.TB) [][]byte {
	key, err := testKey.normalize()
	require.NoError(tb, err)
	var entries []journalOp
	for _, p := range people {
		values, present, err := key.valuesFrom(p.values)
		require.NoError(tb, err)
		entries = append(entries, journalOp{uuid: p.uuid, values: values, present: present})
	}
	hdr := header{version: formatVersion, key: key, built: t0}
	journal := []journalOp{
		{at: t0.Add(time.Second).UnixNano(), uuid: "added", values: []string{"a@x", "9"}, present: []bool{true, true}},
		{at: t0.Add(2 * time.Second).UnixNano(), removed: true, uuid: people[0].uuid},
	}
	full := encodeAll(tb, decoded{hdr: hdr, entries: entries, journal: journal})
	other := hdr
	other.version = 2
	return [][]byte{
		full,
		encodeAll(tb, decoded{hdr: hdr, entries: entries}),
		encodeAll(tb, decoded{hdr: hdr}),
		encodeAll(tb, decoded{hdr: other, entries: entries}),
		full[:len(full)/2],
		[]byte(magic),
		{},
	}
}

// fuzzQueries are asked of every fuzzed file.
var fuzzQueries = [][2]string{{"number", "1001"}, {"mail", "zoë.de.vries@example.org"}, {"mail", ""}, {"number", "9"}}

// checkOnlyWhatSaveWrites is the fuzz property: a file is used only when it is
// exactly what the writer makes of its content (and then the writer's own
// reading agrees); anything else is refused with an *Error and no uuids.
func checkOnlyWhatSaveWrites(t *testing.T, data []byte) {
	key, err := testKey.normalize()
	require.NoError(t, err)
	ix := Index{Path: "site.idx", Key: testKey, MaxAge: 10 * time.Minute}
	used := false
	for _, q := range fuzzQueries {
		// Lookup's own work after it opened the file, on the bytes in memory:
		// the file system would only slow the fuzzer down.
		got, err := ix.lookupIn(bytes.NewReader(data), int64(len(data)), key, t0.Add(time.Minute), key.column(q[0]), q[1])
		if err != nil {
			var e *Error
			require.True(t, errors.As(err, &e), "%T %v", err, err)
			require.Nil(t, got)
			continue
		}
		used = true
		require.NotNil(t, got)
	}
	d, err := decodeAll(data)
	if !used {
		return
	}
	require.NoError(t, err, "a file that was used decodes")
	require.Equal(t, data, encodeAll(t, d), "a file that was used is exactly what the writer writes")
	assert.True(t, d.hdr.key.equal(key))
}

// FuzzLookup: any bytes as the index file never panic, and never yield an
// answer unless they are exactly a file the writer made.
func FuzzLookup(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkOnlyWhatSaveWrites(t, data)
	})
}

// FuzzLookupRehashed gives the fuzzer a correct checksum for whatever it
// writes, so the parser itself is tried: it must still accept only what the
// writer makes (shortest numbers, counts that agree, nothing after the end).
func FuzzLookupRehashed(f *testing.F) {
	for _, s := range seedFiles(f) {
		if len(s) >= sumSize {
			f.Add(s[:len(s)-sumSize])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		checkOnlyWhatSaveWrites(t, append(body, sum[:]...))
	})
}
