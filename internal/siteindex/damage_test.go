package siteindex

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// savedBytes is a small index as Save writes it.
func savedBytes(t *testing.T) (Index, []byte) {
	t.Helper()
	ix := newIndex(t)
	save(t, ix, t0, people)
	require.NoError(t, ix.Add(context.Background(), t0.Add(time.Second), "0b7c5a4e-0007-4000-8000-000000000007",
		map[string]string{"number": "1007", "mail": "nieuw@example.org"}))
	require.NoError(t, ix.Remove(context.Background(), t0.Add(2*time.Second), people[3].uuid))
	return ix, readBytes(t, ix.Path)
}

// assertRefused checks that an index file is not used, for what reason, and
// that nothing comes out of it.
func assertRefused(t *testing.T, ix Index, kinds ...error) {
	t.Helper()
	for _, q := range [][2]string{{"number", "1001"}, {"mail", "nieuw@example.org"}, {"number", ""}} {
		got, err := lookup(ix, t0.Add(time.Minute), q[0], q[1])
		require.Error(t, err)
		assert.Nil(t, got)
		matched := false
		for _, k := range kinds {
			matched = matched || assert.ObjectsAreEqual(true, isKind(err, k))
		}
		assert.True(t, matched, "%v is none of %v", err, kinds)
	}
}

func isKind(err error, kind error) bool {
	e, ok := err.(*Error)
	return ok && e.Kind == kind
}

func TestTruncatedAtEveryPositionIsNeverUsed(t *testing.T) {
	t.Parallel()
	ix, whole := savedBytes(t)
	for n := range len(whole) {
		writePrivate(t, ix.Path, whole[:n])
		assertRefused(t, ix, ErrTruncated)
	}
	writePrivate(t, ix.Path, whole)
	got, err := lookup(ix, t0.Add(time.Minute), "mail", "nieuw@example.org")
	require.NoError(t, err, "the whole file is fine")
	assert.Len(t, got, 1)
}

func TestAFlippedByteAnywhereIsNeverUsed(t *testing.T) {
	t.Parallel()
	ix, whole := savedBytes(t)
	for i := range whole {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			spoiled := bytes.Clone(whole)
			spoiled[i] ^= mask
			writePrivate(t, ix.Path, spoiled)
			// A flipped length may also make the content stop early.
			assertRefused(t, ix, ErrCorrupt, ErrTruncated)
		}
	}
}

func TestAFileThatIsNoIndexIsNeverUsed(t *testing.T) {
	t.Parallel()
	_, whole := savedBytes(t)
	cases := []struct {
		name string
		data []byte
		kind error
	}{
		{"empty", nil, ErrTruncated},
		{"one byte", []byte{0x89}, ErrTruncated},
		{"text", []byte("number,mail,uuid\n1001,zoë@example.org,0b7c5a4e-0001\n"), ErrCorrupt},
		{"JSON", []byte(`{"persons":[{"uuid":"0b7c5a4e-0001","number":"1001"}]}`), ErrCorrupt},
		{"zeroes", make([]byte, 4096), ErrCorrupt},
		{"a byte added at the end", append(bytes.Clone(whole), 0), ErrCorrupt},
		{"the file twice", append(bytes.Clone(whole), whole...), ErrCorrupt},
		{"the checksum of nothing", append(bytes.Clone(whole[:len(whole)-sumSize]), make([]byte, sumSize)...), ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			writePrivate(t, ix.Path, c.data)
			assertRefused(t, ix, c.kind)
		})
	}
}

// TestStrictEvenWithAGoodChecksum: the checksum proves
// the bytes are what someone wrote, not that Save wrote them.
func TestStrictEvenWithAGoodChecksum(t *testing.T) {
	t.Parallel()
	_, whole := savedBytes(t)
	body := whole[:len(whole)-sumSize]
	rehash := func(b []byte) []byte {
		sum := sha256.Sum256(b)
		return append(bytes.Clone(b), sum[:]...)
	}
	cases := []struct {
		name   string
		body   []byte
		detail string
	}{
		{"bytes after the end", append(bytes.Clone(body), 7), "bytes after the end"},
		{"the end cut off", body[:len(body)-2], "stops early"},
		{"a count that lies", append(bytes.Clone(body[:len(body)-2]), 9, 2), "the end counts 9 entries"},
		{"an unknown record", append(bytes.Clone(body[:len(body)-3]), 9, 0, 0, 0), "unknown kind 9"},
		{"a long number", append(bytes.Clone(body[:len(body)-2]), 0x87, 0x00, 2), "shortest form"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			writePrivate(t, ix.Path, rehash(c.body))
			_, err := lookup(ix, t0, "number", "1001")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.detail)
		})
	}
}

func TestAnotherKeysIndexRenamedIntoPlaceIsNeverUsed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, detail string
		key          Key
	}{
		{"another site", "another site", Key{testKey.BaseURL, "Site-B", testKey.Fields}},
		{"another IPassan", "another IPassan address", Key{"https://test.ipassan.example.com", testKey.SiteID, testKey.Fields}},
		{"another correlation field", "the fields employeeid, mail, number", Key{testKey.BaseURL, testKey.SiteID, []string{"number", "mail", "employeeId"}}},
		{"fewer fields", "the fields number", Key{testKey.BaseURL, testKey.SiteID, []string{"number"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			other := Index{Path: PathIn(filepath.Dir(ix.Path), c.key), Key: c.key, MaxAge: ix.MaxAge}
			require.NotEqual(t, ix.Path, other.Path)
			save(t, other, t0, people)
			got, err := lookup(other, t0, "number", "1001")
			require.NoError(t, err)
			require.Len(t, got, 2, "it serves its own key")

			require.NoError(t, os.Rename(other.Path, ix.Path))
			before := readBytes(t, ix.Path)
			assertRefused(t, ix, ErrForeign)
			_, err = lookup(ix, t0, "number", "1001")
			assert.Contains(t, err.Error(), c.detail)
			require.ErrorIs(t, ix.Add(context.Background(), t0, "u", nil), ErrForeign)
			require.ErrorIs(t, ix.Remove(context.Background(), t0, people[0].uuid), ErrForeign)
			assert.Equal(t, before, readBytes(t, ix.Path), "updates leave it alone")

			save(t, ix, t0, people[:1])
			got, err = lookup(ix, t0, "number", "1001")
			require.NoError(t, err, "the next full read replaces it")
			assert.Equal(t, []string{people[0].uuid}, got)
		})
	}
}

// writeVersion writes people's index claiming another format version.
func writeVersion(t *testing.T, ix Index, version int) {
	t.Helper()
	key, err := ix.Key.normalize()
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, encodeIndex(&buf, len(key.fields), func(enc *encoder) error {
		enc.header(header{version: version, key: key, built: t0})
		for _, p := range people {
			values, present, err := key.valuesFrom(p.values)
			require.NoError(t, err)
			enc.opEntry(journalOp{uuid: p.uuid, values: values, present: present})
		}
		return nil
	}))
	writePrivate(t, ix.Path, buf.Bytes())
}

func TestOtherFormatVersionsAreNeverUsed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		version int
		kind    error
		detail  string
	}{
		{"an older version", 0, ErrOlderFormat, "format version 0; this build reads version 1"},
		{"a newer version", 2, ErrNewerFormat, "format version 2"},
		{"a much newer version", 300, ErrNewerFormat, "format version 300"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			writeVersion(t, ix, formatVersion)
			got, err := lookup(ix, t0, "number", "1001")
			require.NoError(t, err, "the same writer in this version is read")
			require.Len(t, got, 2)

			writeVersion(t, ix, c.version)
			assertRefused(t, ix, c.kind)
			_, err = lookup(ix, t0, "number", "1001")
			assert.Contains(t, err.Error(), c.detail)
			require.ErrorIs(t, ix.Add(context.Background(), t0, "u", nil), c.kind, "updates leave it alone")

			save(t, ix, t0, people[:1])
			got, err = lookup(ix, t0, "number", "1001")
			require.NoError(t, err, "the next full read replaces it")
			assert.Equal(t, []string{people[0].uuid}, got)
		})
	}
}

func TestADamagedFileIsLeftAloneByUpdatesAndReplacedBySave(t *testing.T) {
	t.Parallel()
	ix, whole := savedBytes(t)
	spoiled := bytes.Clone(whole)
	spoiled[len(spoiled)/2] ^= 0x20
	writePrivate(t, ix.Path, spoiled)
	require.ErrorIs(t, ix.Add(context.Background(), t0, "u", map[string]string{"number": "5"}), ErrCorrupt)
	require.ErrorIs(t, ix.Remove(context.Background(), t0, people[0].uuid), ErrCorrupt)
	assert.Equal(t, spoiled, readBytes(t, ix.Path))
	assert.Empty(t, tempFiles(t, ix))

	save(t, ix, t0.Add(time.Minute), people)
	got, err := lookup(ix, t0.Add(time.Minute), "number", "1001")
	require.NoError(t, err)
	assert.Len(t, got, 2)
}
