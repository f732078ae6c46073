package siteindex

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookupComparesAsTextTrimmedWithoutCase(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	save(t, ix, t0, people)
	id := func(n int) string { return people[n-1].uuid }
	cases := []struct {
		name, field, value string
		want               []string
	}{
		{"one number, two persons", "number", "1001", []string{id(1), id(5)}},
		{"the value asked is trimmed", "number", "  1001\t", []string{id(1), id(5)}},
		{"the stored value is trimmed", "number", "1002", []string{id(2)}},
		{"diacritics in another case", "mail", "ZOË.DE.VRIES@EXAMPLE.ORG", []string{id(1)}},
		{"diacritics are not dropped", "mail", "zoe.de.vries@example.org", []string{}},
		{"a ligature folds", "mail", "ĳsbrand.jansen@example.org", []string{id(2)}},
		{"an apostrophe", "mail", "D'HONDT@example.org", []string{id(5)}},
		{"a tab inside a value", "number", "10\t03", []string{id(3)}},
		{"the tab is not dropped", "number", "1003", []string{}},
		{"a newline inside a value", "mail", "LINE\nbreak@example.org", []string{id(3)}},
		{"Unicode folding (Kelvin sign)", "mail", "k@example.org", []string{id(6)}},
		{"field names given in another case", "NUMBER", "1006", []string{id(6)}},
		{"an empty value matches an empty field", "mail", "", []string{id(4)}},
		{"an empty value never matches a missing field", "number", " ", []string{}},
		{"no such person", "number", "9999", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := lookup(ix, t0.Add(time.Minute), c.field, c.value)
			require.NoError(t, err)
			assert.ElementsMatch(t, c.want, got)
			assert.NotNil(t, got, "a miss is an empty list, not nil")
		})
	}
}

func TestLookupReturnsAUUIDOnce(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	save(t, ix, t0, []person{
		{"AAAA-1", map[string]string{"number": "7"}},
		{"aaaa-1", map[string]string{"number": "7"}},
		{"AAAA-1", map[string]string{"number": "7"}},
	})
	got, err := lookup(ix, t0, "number", "7")
	require.NoError(t, err)
	assert.Equal(t, []string{"AAAA-1"}, got)
}

func TestLookupOfAFieldNotIndexed(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	save(t, ix, t0, people)
	_, err := lookup(ix, t0, "employeeId", "1001")
	require.ErrorIs(t, err, ErrNotIndexed)
	assert.Contains(t, err.Error(), "mail, number")
}

func TestAge(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	save(t, ix, t0, people)
	cases := []struct {
		name   string
		maxAge time.Duration
		now    time.Time
		kind   error // nil: usable
		detail string
	}{
		{"young", 10 * time.Minute, t0.Add(5 * time.Minute), nil, ""},
		{"exactly the maximum age", 10 * time.Minute, t0.Add(10 * time.Minute), nil, ""},
		{"older than the maximum age", 10 * time.Minute, t0.Add(10*time.Minute + time.Nanosecond), ErrStale, "maximum age is 10m0s"},
		{"long ago", 10 * time.Minute, t0.Add(3 * time.Hour), ErrStale, "built 3h0m0s ago"},
		{"0 turns it off", 0, t0, ErrOff, ""},
		{"a negative age turns it off", -time.Second, t0, ErrOff, ""},
		{"a clock a little behind", 10 * time.Minute, t0.Add(-30 * time.Second), nil, ""},
		{"a clock moved back", 10 * time.Minute, t0.Add(-2 * time.Minute), ErrStale, "clock moved back"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := ix
			ix.MaxAge = c.maxAge
			got, err := lookup(ix, c.now, "number", "1001")
			if c.kind == nil {
				require.NoError(t, err)
				assert.Len(t, got, 2)
				return
			}
			require.ErrorIs(t, err, c.kind)
			assert.Nil(t, got)
			assert.Contains(t, err.Error(), c.detail)
		})
	}
}

func TestMissingIndexLeavesNoTrace(t *testing.T) {
	t.Parallel()
	ix := newIndex(t)
	_, err := lookup(ix, t0, "number", "1001")
	require.ErrorIs(t, err, ErrMissing)
	assert.Contains(t, err.Error(), ix.Path)
	require.ErrorIs(t, ix.Add(context.Background(), t0, "u", map[string]string{"number": "1"}), ErrMissing)
	require.ErrorIs(t, ix.Remove(context.Background(), t0, "u"), ErrMissing)
	_, err = os.Stat(filepath.Dir(ix.Path))
	assert.ErrorIs(t, err, os.ErrNotExist, "neither a lookup nor an update of a missing index makes anything")
}

func TestKeysThatServeTheSameIndex(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		key  Key
		same bool
	}{
		{"the same", testKey, true},
		{"address in upper case", Key{"HTTPS://IPASSAN.EXAMPLE.COM", "Site-A", []string{"number", "mail"}}, true},
		{"default port spelled out", Key{"https://ipassan.example.com:443", "Site-A", []string{"number", "mail"}}, true},
		{"trailing slash", Key{"https://ipassan.example.com/", "Site-A", []string{"number", "mail"}}, true},
		{"user information is not part of it", Key{"https://u:secret@ipassan.example.com", "Site-A", []string{"number", "mail"}}, true},
		{"site in another case", Key{"https://ipassan.example.com", " site-a ", []string{"number", "mail"}}, true},
		{"fields in another order and case, twice", Key{"https://ipassan.example.com", "Site-A", []string{"Mail", "NUMBER", "mail"}}, true},
		{"another host", Key{"https://other.example.com", "Site-A", []string{"number", "mail"}}, false},
		{"another port", Key{"https://ipassan.example.com:8443", "Site-A", []string{"number", "mail"}}, false},
		{"another scheme", Key{"http://ipassan.example.com", "Site-A", []string{"number", "mail"}}, false},
		{"another path", Key{"https://ipassan.example.com/b", "Site-A", []string{"number", "mail"}}, false},
		{"another site", Key{"https://ipassan.example.com", "Site-B", []string{"number", "mail"}}, false},
		{"a field less", Key{"https://ipassan.example.com", "Site-A", []string{"number"}}, false},
		{"a field more", Key{"https://ipassan.example.com", "Site-A", []string{"number", "mail", "employeeId"}}, false},
	}
	ix := newIndex(t)
	save(t, ix, t0, people)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.same, PathIn("d", c.key) == PathIn("d", testKey), "file name")
			other := ix
			other.Key = c.key // the same file, asked for with this key
			got, err := lookup(other, t0, "number", "1001")
			if c.same {
				require.NoError(t, err)
				assert.Len(t, got, 2)
				return
			}
			require.ErrorIs(t, err, ErrForeign)
			assert.Nil(t, got)
		})
	}
}

func TestInvalidKeys(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		key    Key
		detail string
	}{
		{"no scheme", Key{"ipassan.example.com", "s", []string{"number"}}, "base URL"},
		{"not http", Key{"ftp://ipassan.example.com", "s", []string{"number"}}, "base URL"},
		{"no site", Key{"https://ipassan.example.com", " ", []string{"number"}}, "site"},
		{"no fields", Key{"https://ipassan.example.com", "s", nil}, "no fields"},
		{"an empty field", Key{"https://ipassan.example.com", "s", []string{"number", " "}}, "field name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := Index{Path: PathIn(t.TempDir(), c.key), Key: c.key, MaxAge: time.Minute}
			_, err := ix.NewBuilder(t0)
			require.ErrorIs(t, err, ErrInvalidKey)
			assert.Contains(t, err.Error(), c.detail)
			_, err = lookup(ix, t0, "number", "1")
			require.ErrorIs(t, err, ErrInvalidKey)
			require.ErrorIs(t, ix.Add(context.Background(), t0, "u", nil), ErrInvalidKey)
		})
	}
}

func TestDefaultPathNamesNoValue(t *testing.T) {
	t.Parallel()
	key := Key{BaseURL: "https://ipassan.zoë-example.com", SiteID: "Ĳsselmonde-Site", Fields: []string{"number", "mail"}}
	p := DefaultPath(key)
	assert.Equal(t, DefaultDir(), filepath.Dir(p))
	if cache, err := os.UserCacheDir(); err == nil && cache != "" {
		assert.True(t, strings.HasPrefix(p, cache), "in the user's cache directory")
	}
	name := strings.ToLower(filepath.Base(p))
	for _, word := range []string{"ipassan", "example", "zoë", "site", "number", "mail"} {
		assert.NotContains(t, name, word)
	}
	assert.Regexp(t, `^[0-9a-f]{32}\.idx$`, name)
	assert.NotEqual(t, p, DefaultPath(testKey))
}

func TestFilesArePrivate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ix := Index{Path: filepath.Join(root, "a", "b", "site.idx"), Key: testKey, MaxAge: time.Minute}
	save(t, ix, t0, people)
	for path, want := range map[string]os.FileMode{
		filepath.Join(root, "a"):      0o700,
		filepath.Join(root, "a", "b"): 0o700,
		ix.Path:                       0o600,
		ix.Path + ".lock":             0o600,
		ix.Path + ".gate":             0o600,
	} {
		info, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, want, info.Mode().Perm(), path)
	}
	assert.Empty(t, tempFiles(t, ix))
}

func TestFileNotPrivateIsIgnoredAndReplaced(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		spoil  func(t *testing.T, path string)
		detail string
	}{
		{"readable by others", func(t *testing.T, path string) { require.NoError(t, os.Chmod(path, 0o644)) }, "0644"},
		{"writable by the group", func(t *testing.T, path string) { require.NoError(t, os.Chmod(path, 0o620)) }, "0620"},
		{"a symbolic link", func(t *testing.T, path string) {
			require.NoError(t, os.Rename(path, path+".real"))
			require.NoError(t, os.Symlink(path+".real", path))
		}, "symbolic link"},
		{"a directory", func(t *testing.T, path string) {
			require.NoError(t, os.Remove(path))
			require.NoError(t, os.Mkdir(path, 0o700))
		}, "not a regular file"},
		{"another account's", func(t *testing.T, path string) {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a file away")
			}
			require.NoError(t, os.Chown(path, 4242, 4242))
		}, "belongs to the account 4242"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ix := newIndex(t)
			save(t, ix, t0, people)
			c.spoil(t, ix.Path)
			got, err := lookup(ix, t0, "number", "1001")
			require.ErrorIs(t, err, ErrUnsafe)
			assert.Contains(t, err.Error(), c.detail)
			assert.Nil(t, got)
			require.ErrorIs(t, ix.Add(context.Background(), t0, "u", nil), ErrUnsafe, "updates leave it alone")

			if c.name == "a directory" {
				return // a directory in the way is not replaced
			}
			save(t, ix, t0, people[:1])
			got, err = lookup(ix, t0, "number", "1001")
			require.NoError(t, err, "the next full read replaces it")
			assert.Equal(t, []string{people[0].uuid}, got)
		})
	}
}

func TestErrorsSayWhy(t *testing.T) {
	t.Parallel()
	err := error(&Error{Kind: ErrStale, Path: "/x/y.idx", Detail: "built 12m0s ago; the maximum age is 10m0s"})
	assert.Equal(t, "site index /x/y.idx: too old: built 12m0s ago; the maximum age is 10m0s", err.Error())
	assert.ErrorIs(t, err, ErrStale)
	assert.NotErrorIs(t, err, ErrCorrupt)
	wrapped := &Error{Kind: ErrUnwritable, Err: os.ErrPermission}
	assert.ErrorIs(t, wrapped, os.ErrPermission)
	var e *Error
	assert.True(t, errors.As(error(wrapped), &e))
}
