package siteindex

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Waiting for the lock. Readers hold it shared for the few tens of
// milliseconds a lookup takes, writers exclusively for a rewrite; an action
// that cannot have it within lockWait reads the site instead of waiting
// longer, because the index only ever saves time.
const (
	lockWait     = 3 * time.Second
	pollInterval = 5 * time.Millisecond
	// maxJournal bounds the point updates a file remembers; dropping the
	// oldest only costs a full read a miss.
	maxJournal = 10_000
)

// held is a lock on an index: release it once the work is done.
type held struct{ locks []*flock.Flock }

func (h *held) release() {
	for i := len(h.locks) - 1; i >= 0; i-- {
		_ = h.locks[i].Unlock()
	}
}

// lock takes the locks next to the index, shared (a reader) or exclusive (a
// writer). Every reader holds the lock shared while the file is open: on
// Windows a file that is open cannot be replaced, and on every system it
// keeps a reader from seeing the file change under it.
//
// Readers that follow one another without pause would keep a shared lock
// held forever and starve every writer, so a second lock, the gate, gives
// writers precedence: a writer closes the gate, then waits for the readers
// inside to finish; a reader passes the gate (holding it shared only for
// the moment it takes to enter) and cannot enter while a writer holds it.
func (ix Index) lock(ctx context.Context, exclusive bool) (*held, error) {
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	gate := flock.New(ix.Path+".gate", flock.SetPermissions(0o600))
	data := flock.New(ix.Path+".lock", flock.SetPermissions(0o600))
	take := func(l *flock.Flock) error {
		try := l.TryRLockContext
		if exclusive {
			try = l.TryLockContext
		}
		ok, err := try(ctx, pollInterval)
		switch {
		case err != nil && ctx.Err() != nil, err == nil && !ok:
			return &Error{Kind: ErrBusy, Path: ix.Path, Detail: fmt.Sprintf("the lock was not free within %s", lockWait)}
		case err != nil:
			return &Error{Kind: ErrUnreadable, Path: ix.Path, Detail: "the lock file cannot be taken", Err: err}
		}
		return nil
	}
	if err := take(gate); err != nil {
		return nil, err
	}
	if err := take(data); err != nil {
		_ = gate.Unlock()
		return nil, err
	}
	if !exclusive {
		_ = gate.Unlock() // inside: the gate is free for a writer to close
		return &held{locks: []*flock.Flock{data}}, nil
	}
	return &held{locks: []*flock.Flock{gate, data}}, nil
}

// open opens the index for reading and checks that it is a regular file
// private to this account. The caller holds the lock.
func (ix Index) open() (*os.File, int64, error) {
	f, err := os.Open(ix.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, 0, &Error{Kind: ErrMissing, Path: ix.Path}
	case err != nil:
		return nil, 0, &Error{Kind: ErrUnreadable, Path: ix.Path, Err: err}
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, &Error{Kind: ErrUnreadable, Path: ix.Path, Err: err}
	}
	if problem := unsafeFile(ix.Path, info); problem != "" {
		_ = f.Close()
		return nil, 0, &Error{Kind: ErrUnsafe, Path: ix.Path, Detail: problem}
	}
	return f, info.Size(), nil
}

// Lookup returns the uuids of the persons whose field equals value: as text,
// trimmed, without regard to case (strings.EqualFold), the way a full read
// compares; a person without that field never matches. The answer is only a
// candidate list: the caller verifies a hit by reading the person, and never
// trusts a miss.
//
// An index that cannot be used (off, missing, too old, foreign, damaged,
// another version, not private, busy) yields an *Error saying why and no
// uuids: a damaged file never yields a partial answer. The file is read as a
// stream, never whole into memory.
func (ix Index) Lookup(ctx context.Context, now time.Time, field, value string) ([]string, error) {
	var found []string
	err := ix.read(ctx, func(key normKey) error {
		if key.column(field) < 0 {
			return &Error{Kind: ErrNotIndexed, Path: ix.Path,
				Detail: fmt.Sprintf("%q is not one of %s", field, strings.Join(key.fields, ", "))}
		}
		return nil
	}, func(f io.ReaderAt, size int64, key normKey) (err error) {
		found, err = ix.lookupIn(f, size, key, now, key.column(field), value)
		return err
	})
	return found, err
}

// Info is what a usable index holds, for an admin to see.
type Info struct {
	Path    string
	Built   time.Time // when the full read it comes from began
	Persons int
	Size    int64 // bytes
}

// Stat reads the index as Lookup does and says what it holds. An index
// Lookup would not use yields the same *Error saying why.
func (ix Index) Stat(ctx context.Context, now time.Time) (Info, error) {
	info := Info{Path: ix.Path}
	err := ix.read(ctx, nil, func(f io.ReaderAt, size int64, key normKey) error {
		hdr, _, err := readIndex(f, size, ix.judge(key, now), func(*record) error { info.Persons++; return nil })
		if err != nil {
			return ix.withPath(err)
		}
		info.Built, info.Size = hdr.built, size
		return nil
	})
	if err != nil {
		return Info{Path: ix.Path}, err
	}
	return info, nil
}

// read opens the index for reading, under the shared lock, and hands it to
// fn: what Lookup and Stat share. An index that is off, has an invalid key,
// fails check (given the normalised key), or is missing yields an *Error
// before any lock file is made.
func (ix Index) read(ctx context.Context, check func(normKey) error, fn func(f io.ReaderAt, size int64, key normKey) error) error {
	if ix.MaxAge <= 0 {
		return &Error{Kind: ErrOff, Path: ix.Path}
	}
	key, err := ix.Key.normalize()
	if err != nil {
		return ix.withPath(err)
	}
	if check != nil {
		if err := check(key); err != nil {
			return err
		}
	}
	if _, err := os.Lstat(ix.Path); errors.Is(err, fs.ErrNotExist) {
		return &Error{Kind: ErrMissing, Path: ix.Path} // without making a lock file
	}
	l, err := ix.lock(ctx, false)
	if err != nil {
		return err
	}
	defer l.release()
	f, size, err := ix.open()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	return fn(f, size, key)
}

// lookupIn is Lookup's work on an open file of size bytes.
func (ix Index) lookupIn(f io.ReaderAt, size int64, key normKey, now time.Time, col int, value string) ([]string, error) {
	want := []byte(strings.TrimSpace(value))
	found := []string{}
	_, _, err := readIndex(f, size, ix.judge(key, now), func(r *record) error {
		if r.present[col] && bytes.EqualFold(bytes.TrimSpace(r.values[col]), want) {
			found = appendUUID(found, string(r.uuid))
		}
		return nil
	})
	if err != nil {
		return nil, ix.withPath(err)
	}
	return found, nil
}

// judge is the onHeader of a reader that needs a usable index of key.
func (ix Index) judge(key normKey, now time.Time) func(header) error {
	return func(h header) error {
		if !h.key.equal(key) {
			return &Error{Kind: ErrForeign, Path: ix.Path, Detail: h.key.differs(key)}
		}
		return ix.fresh(h.built, now)
	}
}

func appendUUID(uuids []string, id string) []string {
	for _, u := range uuids {
		if strings.EqualFold(u, id) {
			return uuids
		}
	}
	return append(uuids, id)
}

// withPath fills in the path of an *Error that has none.
func (ix Index) withPath(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Path == "" {
		c := *e
		c.Path = ix.Path
		return &c
	}
	return err
}

// Add records that a create made a person with these values (by field name;
// a field the person has no text value for is left out). Any earlier entry of
// that uuid is replaced. It applies only to a usable index of this key: one
// that is missing, too old, foreign or damaged is left for the next full read
// to replace, and the *Error says why. The index does not become younger: its
// age stays that of its full read.
//
// now must be taken after IPassan confirmed the create: a full read that
// began before it replays it when it is saved (see Builder.Save).
func (ix Index) Add(ctx context.Context, now time.Time, uuid string, values map[string]string) error {
	key, err := ix.Key.normalize()
	if err != nil {
		return ix.withPath(err)
	}
	op := journalOp{at: now.UnixNano(), uuid: strings.TrimSpace(uuid)}
	if op.values, op.present, err = key.valuesFrom(values); err != nil {
		return ix.withPath(err)
	}
	return ix.pointUpdate(ctx, key, now, op)
}

// Remove records that a delete removed the person with this uuid, under the
// same rules as Add. now must be taken after IPassan confirmed the delete.
func (ix Index) Remove(ctx context.Context, now time.Time, uuid string) error {
	key, err := ix.Key.normalize()
	if err != nil {
		return ix.withPath(err)
	}
	return ix.pointUpdate(ctx, key, now, journalOp{at: now.UnixNano(), removed: true, uuid: strings.TrimSpace(uuid)})
}

// pointUpdate rewrites a usable index with op applied to its entries and
// added to its journal.
func (ix Index) pointUpdate(ctx context.Context, key normKey, now time.Time, op journalOp) error {
	if ix.MaxAge <= 0 {
		return &Error{Kind: ErrOff, Path: ix.Path}
	}
	if err := checkUUID(op.uuid); err != nil {
		return ix.withPath(err)
	}
	if _, err := os.Lstat(ix.Path); errors.Is(err, fs.ErrNotExist) {
		return &Error{Kind: ErrMissing, Path: ix.Path}
	}
	l, err := ix.lock(ctx, true)
	if err != nil {
		return err
	}
	defer l.release()
	ix.removeTemps()
	f, size, err := ix.open()
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()

	uuid := []byte(op.uuid)
	return ix.writeFile(func(enc *encoder) error {
		var built time.Time
		judge := ix.judge(key, now)
		_, journal, err := readIndex(f, size, func(h header) error {
			if err := judge(h); err != nil {
				return err
			}
			built = h.built
			enc.header(h)
			return nil
		}, func(r *record) error {
			if !bytes.EqualFold(r.uuid, uuid) {
				enc.entry(r)
			}
			return nil
		})
		if err != nil {
			return ix.withPath(err)
		}
		if !op.removed {
			enc.opEntry(op)
		}
		// Only updates since the full read matter to a later save: one of
		// a read that began earlier is refused (see Builder.Save).
		journal = slicesDeleteOlder(journal, built.UnixNano())
		journal = append(journal, op)
		if len(journal) > maxJournal {
			journal = journal[len(journal)-maxJournal:]
		}
		for _, j := range journal {
			enc.journalOp(j)
		}
		return nil
	})
}

func slicesDeleteOlder(journal []journalOp, since int64) []journalOp {
	kept := journal[:0]
	for _, j := range journal {
		if j.at >= since {
			kept = append(kept, j)
		}
	}
	return kept
}

// valuesFrom puts values (by field name, without regard to case) in the
// order of the key's fields.
func (k normKey) valuesFrom(m map[string]string) ([]string, []bool, error) {
	values, present := make([]string, len(k.fields)), make([]bool, len(k.fields))
	for name, v := range m {
		i := k.column(name)
		if i < 0 {
			continue
		}
		if present[i] && values[i] != v {
			return nil, nil, &Error{Kind: ErrInvalidEntry, Detail: fmt.Sprintf("two values for the field %s", k.fields[i])}
		}
		if len(v) > maxText {
			return nil, nil, &Error{Kind: ErrInvalidEntry, Detail: fmt.Sprintf("the value of %s is %d bytes long; at most %d", k.fields[i], len(v), maxText)}
		}
		values[i], present[i] = v, true
	}
	return values, present, nil
}

func checkUUID(uuid string) error {
	switch {
	case uuid == "":
		return &Error{Kind: ErrInvalidEntry, Detail: "an empty uuid"}
	case len(uuid) > maxText:
		return &Error{Kind: ErrInvalidEntry, Detail: fmt.Sprintf("a uuid of %d bytes", len(uuid))}
	}
	return nil
}

// tempPattern names the files a write prepares next to the index.
func (ix Index) tempPattern() string { return filepath.Base(ix.Path) + ".tmp-*" }

// removeTemps deletes what writes killed before their rename left behind.
// The caller holds the lock exclusively, so no write is under way.
func (ix Index) removeTemps() {
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(ix.Path), globEscape(ix.tempPattern())))
	for _, p := range leftovers {
		_ = os.Remove(p)
	}
}

// globEscape keeps a file name's own glob characters literal, all but the
// pattern's final star.
func globEscape(pattern string) string {
	name := strings.TrimSuffix(pattern, "*")
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String() + "*"
}

// encodeIndex writes a whole index to w: fill writes the header, the entries
// and the journal; the end record and the checksum follow.
func encodeIndex(w io.Writer, nfields int, fill func(*encoder) error) error {
	h := sha256.New()
	enc := newEncoder(io.MultiWriter(w, h), nfields)
	if err := fill(enc); err != nil {
		return err
	}
	if err := enc.end(); err != nil {
		return err
	}
	_, err := w.Write(h.Sum(nil))
	return err
}

// beforeRename lets tests stop a write between its fsync and its rename, as a
// crash would.
var beforeRename func(tmp string) error

// writeFile writes a whole new index: fill gets an encoder over a temporary
// file in the index's directory; then the end record and the checksum are
// added, the file is flushed to disk and renamed over the index. A failure at
// any step leaves the index as it was and no temporary file behind. The
// caller holds the lock exclusively.
func (ix Index) writeFile(fill func(*encoder) error) (err error) {
	key, kerr := ix.Key.normalize()
	if kerr != nil {
		return ix.withPath(kerr)
	}
	dir := filepath.Dir(ix.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &Error{Kind: ErrUnwritable, Path: ix.Path, Detail: "the directory cannot be made", Err: err}
	}
	tmp, err := os.CreateTemp(dir, ix.tempPattern())
	if err != nil {
		return &Error{Kind: ErrUnwritable, Path: ix.Path, Err: err}
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := encodeIndex(tmp, len(key.fields), fill); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return err
		}
		return &Error{Kind: ErrUnwritable, Path: ix.Path, Err: err}
	}
	unwritable := func(err error) error { return &Error{Kind: ErrUnwritable, Path: ix.Path, Err: err} }
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return unwritable(err)
	}
	if err := tmp.Sync(); err != nil {
		return unwritable(err)
	}
	if err := tmp.Close(); err != nil {
		return unwritable(err)
	}
	if beforeRename != nil {
		if err := beforeRename(tmp.Name()); err != nil {
			return err
		}
	}
	if err := renameOver(tmp.Name(), ix.Path); err != nil {
		return unwritable(err)
	}
	syncDir(dir)
	return nil
}

// renameOver replaces dst by src, trying a few times: on Windows a virus
// scanner or indexer may hold dst open for a moment.
func renameOver(src, dst string) error {
	var err error
	for attempt := range 5 {
		if err = os.Rename(src, dst); err == nil {
			return nil
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return err
}

// syncDir makes a rename durable where the system allows it (not on Windows,
// where a directory cannot be opened for this).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
