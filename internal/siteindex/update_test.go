package siteindex

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const newcomer = "0b7c5a4e-0100-4000-8000-000000000100"

func TestPointUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name   string
		update func(ix Index) error
		field  string
		value  string
		want   []string
	}{
		{"a create adds its person", func(ix Index) error {
			return ix.Add(ctx, t0.Add(time.Minute), newcomer, map[string]string{"number": "2001", "mail": "Noë@example.org"})
		}, "mail", "noë@example.org", []string{newcomer}},
		{"the added person's other field", func(ix Index) error {
			return ix.Add(ctx, t0.Add(time.Minute), newcomer, map[string]string{"number": "2001", "mail": "Noë@example.org"})
		}, "number", "2001", []string{newcomer}},
		{"an add replaces the person's old values", func(ix Index) error {
			return ix.Add(ctx, t0.Add(time.Minute), people[0].uuid, map[string]string{"number": "3001"})
		}, "number", "1001", []string{people[4].uuid}},
		{"…with the new ones", func(ix Index) error {
			return ix.Add(ctx, t0.Add(time.Minute), " "+people[0].uuid+" ", map[string]string{"number": "3001"})
		}, "number", "3001", []string{people[0].uuid}},
		{"…and drops fields it no longer has", func(ix Index) error {
			return ix.Add(ctx, t0.Add(time.Minute), people[0].uuid, map[string]string{"number": "3001"})
		}, "mail", "zoë.de.vries@example.org", []string{}},
		{"a delete removes its person", func(ix Index) error {
			return ix.Remove(ctx, t0.Add(time.Minute), people[0].uuid)
		}, "number", "1001", []string{people[4].uuid}},
		{"a uuid in another case is the same person", func(ix Index) error {
			return ix.Remove(ctx, t0.Add(time.Minute), "0B7C5A4E-0001-4000-8000-000000000001")
		}, "number", "1001", []string{people[4].uuid}},
		{"removing someone unknown changes nothing", func(ix Index) error {
			return ix.Remove(ctx, t0.Add(time.Minute), newcomer)
		}, "number", "1001", []string{people[0].uuid, people[4].uuid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			save(t, ix, t0, people)
			require.NoError(t, c.update(ix))
			got, err := lookup(ix, t0.Add(2*time.Minute), c.field, c.value)
			require.NoError(t, err)
			assert.ElementsMatch(t, c.want, got)
			info, err := os.Stat(ix.Path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
			assert.Empty(t, tempFiles(t, ix))
		})
	}
}

func TestUpdatesDoNotMakeTheIndexYounger(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	save(t, ix, t0, people)
	require.NoError(t, ix.Add(context.Background(), t0.Add(9*time.Minute), newcomer, map[string]string{"number": "2001"}))
	require.NoError(t, ix.Remove(context.Background(), t0.Add(9*time.Minute), people[1].uuid))
	_, err := lookup(ix, t0.Add(10*time.Minute+time.Second), "number", "2001")
	require.ErrorIs(t, err, ErrStale, "the age is that of the full read")
}

func TestUpdatesOnlyApplyToAUsableIndex(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		maxAge time.Duration
		now    time.Time
		kind   error
	}{
		{"too old", 10 * time.Minute, t0.Add(11 * time.Minute), ErrStale},
		{"off", 0, t0.Add(time.Minute), ErrOff},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			save(t, ix, t0, people)
			before := readBytes(t, ix.Path)
			ix.MaxAge = c.maxAge
			require.ErrorIs(t, ix.Add(context.Background(), c.now, newcomer, map[string]string{"number": "2001"}), c.kind)
			require.ErrorIs(t, ix.Remove(context.Background(), c.now, people[0].uuid), c.kind)
			assert.Equal(t, before, readBytes(t, ix.Path))
		})
	}
}

func TestInvalidEntriesAreRefused(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	b, err := ix.NewBuilder(t0)
	require.NoError(t, err)
	defer b.Discard()
	long := string(make([]byte, maxText+1))
	cases := []struct {
		name   string
		uuid   string
		values map[string]string
		detail string
	}{
		{"no uuid", "  ", nil, "empty uuid"},
		{"a uuid too long", long, nil, "a uuid of"},
		{"a value too long", "u", map[string]string{"mail": long}, "the value of mail"},
		{"two spellings, two values", "u", map[string]string{"mail": "a@x", "MAIL": "b@x"}, "two values for the field mail"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := b.Add(c.uuid, c.values)
			require.ErrorIs(t, err, ErrInvalidEntry)
			assert.Contains(t, err.Error(), c.detail)
		})
	}
	require.NoError(t, b.Add("u", map[string]string{"mail": "a@x", "MAIL": "a@x", "unrelated": "x"}), "the same value twice, and fields not indexed, are fine")
}

// TestSaveReplaysUpdatesMadeDuringItsRead: a full read that began before a
// create or a delete may not have seen it; saving it must not undo them.
func TestSaveReplaysUpdatesMadeDuringItsRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := newIndex(t)
	save(t, ix, t0, people)

	// A read begins at t0+1m and sees the site as it is then.
	b, err := ix.NewBuilder(t0.Add(time.Minute))
	require.NoError(t, err)
	for _, p := range people {
		require.NoError(t, b.Add(p.uuid, p.values))
	}
	// Meanwhile: a create before the read began (the read saw it, then it
	// was deleted again outside HelloID), and a create and a delete after.
	require.NoError(t, ix.Add(ctx, t0.Add(30*time.Second), "early", map[string]string{"number": "4001"}))
	require.NoError(t, ix.Add(ctx, t0.Add(90*time.Second), newcomer, map[string]string{"number": "2001"}))
	require.NoError(t, ix.Remove(ctx, t0.Add(90*time.Second), people[1].uuid))
	require.NoError(t, b.Save(ctx))

	now := t0.Add(2 * time.Minute)
	for _, c := range []struct {
		field, value string
		want         []string
		why          string
	}{
		{"number", "2001", []string{newcomer}, "a create during the read is kept"},
		{"number", "1002", []string{}, "a delete during the read is kept"},
		{"number", "4001", []string{}, "the read is newer than an update before it"},
		{"number", "1001", []string{people[0].uuid, people[4].uuid}, "the rest is the read"},
	} {
		got, err := lookup(ix, now, c.field, c.value)
		require.NoError(t, err)
		assert.ElementsMatch(t, c.want, got, c.why)
	}
	_, err = lookup(ix, t0.Add(11*time.Minute+time.Second), "number", "1001")
	require.ErrorIs(t, err, ErrStale, "the age counts from when the read began")

	// A second read that began before those updates too replays them again.
	b2, err := ix.NewBuilder(t0.Add(80 * time.Second))
	require.NoError(t, err)
	for _, p := range people {
		require.NoError(t, b2.Add(p.uuid, p.values))
	}
	require.NoError(t, b2.Save(ctx))
	for value, want := range map[string][]string{"2001": {newcomer}, "1002": {}} {
		got, err := lookup(ix, now, "number", value)
		require.NoError(t, err)
		assert.ElementsMatch(t, want, got)
	}
}

func TestAFresherIndexIsKept(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	late, err := ix.NewBuilder(t0)
	require.NoError(t, err)
	require.NoError(t, late.Add(people[0].uuid, people[0].values))
	save(t, ix, t0.Add(time.Second), people[1:]) // a read that began later ends first
	before := readBytes(t, ix.Path)
	require.NoError(t, late.Save(context.Background()))
	assert.Equal(t, before, readBytes(t, ix.Path), "the older read does not replace the newer")
	assert.Empty(t, tempFiles(t, ix))
}

func TestBuilderLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("off: a nil builder that writes nothing", func(t *testing.T) {
		t.Parallel()
		ix := newIndex(t)
		ix.MaxAge = 0
		b, err := ix.NewBuilder(t0)
		require.ErrorIs(t, err, ErrOff)
		require.Nil(t, b)
		require.NoError(t, b.Add("u", map[string]string{"number": "1"}))
		require.NoError(t, b.Save(context.Background()))
		b.Discard()
		assert.Zero(t, b.Len())
		_, err = os.Stat(filepath.Dir(ix.Path))
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("discarded: nothing written, nothing left", func(t *testing.T) {
		t.Parallel()
		ix := newIndex(t)
		b, err := ix.NewBuilder(t0)
		require.NoError(t, err)
		require.NoError(t, b.Add("u", map[string]string{"number": "1"}))
		assert.Equal(t, 1, b.Len())
		b.Discard()
		require.Error(t, b.Save(context.Background()))
		require.Error(t, b.Add("v", nil))
		entries, err := os.ReadDir(filepath.Dir(ix.Path))
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
	t.Run("saved once", func(t *testing.T) {
		t.Parallel()
		ix := newIndex(t)
		b, err := ix.NewBuilder(t0)
		require.NoError(t, err)
		require.NoError(t, b.Save(context.Background()))
		require.ErrorIs(t, b.Save(context.Background()), ErrUnwritable)
		b.Discard()
		got, err := lookup(ix, t0, "number", "1")
		require.NoError(t, err, "an empty site is an index too")
		assert.Empty(t, got)
	})
}

func TestSaveWhereNothingCanBeWritten(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	blocker := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	ix := Index{Path: filepath.Join(blocker, "site.idx"), Key: testKey, MaxAge: time.Minute}
	_, err := ix.NewBuilder(t0)
	require.ErrorIs(t, err, ErrUnwritable)
	assert.Contains(t, err.Error(), "directory cannot be made")
}

// TestAWriteIsAtomic stops a write between its fsync and its rename, as a
// crash or a killed process would: the index under its own name is still the
// old one, whole, and the next write clears what the stopped one left.
// Not parallel: it sets the package's test hook.
func TestAWriteIsAtomic(t *testing.T) {
	ix := newIndex(t)
	save(t, ix, t0, people)
	before := readBytes(t, ix.Path)
	crash := errors.New("killed")
	var seenTmp string
	beforeRename = func(tmp string) error {
		seenTmp = tmp
		assert.Equal(t, before, readBytes(t, ix.Path), "the real name still holds the old index")
		info, err := os.Stat(tmp)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		assert.Equal(t, filepath.Dir(ix.Path), filepath.Dir(tmp), "in the same directory, so the rename is atomic")
		return crash
	}
	defer func() { beforeRename = nil }()

	require.ErrorIs(t, ix.Add(context.Background(), t0.Add(time.Minute), newcomer, map[string]string{"number": "2001"}), crash)
	assert.NotEmpty(t, seenTmp)
	assert.Equal(t, before, readBytes(t, ix.Path))
	assert.Empty(t, tempFiles(t, ix), "a failed write cleans up")

	b, err := ix.NewBuilder(t0.Add(time.Minute))
	require.NoError(t, err)
	require.NoError(t, b.Add(newcomer, map[string]string{"number": "2001"}))
	require.ErrorIs(t, b.Save(context.Background()), crash)
	assert.Equal(t, before, readBytes(t, ix.Path))
	assert.Empty(t, tempFiles(t, ix))

	// A process killed outright leaves its temporary file; it is never read,
	// and the next write removes it.
	beforeRename = nil
	leftover := ix.Path + ".tmp-12345"
	writePrivate(t, leftover, []byte("half"))
	got, err := lookup(ix, t0.Add(time.Minute), "number", "1001")
	require.NoError(t, err)
	assert.Len(t, got, 2)
	require.NoError(t, ix.Remove(context.Background(), t0.Add(time.Minute), people[0].uuid))
	assert.NoFileExists(t, leftover)
}
