package siteindex

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// spoolMaxAge is how old a builder's spool file left behind by a killed
// process (only where an open file cannot be deleted: Windows) must be before
// a save removes it. Longer than any full read.
const spoolMaxAge = time.Hour

// Builder collects the persons of one full read and saves them as the new
// index. Entries go to a spool file next to the index as they come, so memory
// stays small whatever the size of the site. A nil *Builder (the index is
// off) accepts everything and saves nothing. Its methods may be called from
// several goroutines.
type Builder struct {
	ix      Index
	key     normKey
	started time.Time

	mu        sync.Mutex
	spool     *os.File
	spoolName string // "" once the name is gone (Unix deletes it at once)
	enc       *encoder
	done      bool
}

// NewBuilder starts an index for a full read that began at started: the age
// of the index will count from then, since that is how old its oldest reading
// can be. With the index off (MaxAge 0 or less) it returns a nil Builder and
// an *Error of kind ErrOff; the nil Builder may still be used.
func (ix Index) NewBuilder(started time.Time) (*Builder, error) {
	if ix.MaxAge <= 0 {
		return nil, &Error{Kind: ErrOff, Path: ix.Path}
	}
	key, err := ix.Key.normalize()
	if err != nil {
		return nil, ix.withPath(err)
	}
	dir := filepath.Dir(ix.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &Error{Kind: ErrUnwritable, Path: ix.Path, Detail: "the directory cannot be made", Err: err}
	}
	spool, err := os.CreateTemp(dir, filepath.Base(ix.Path)+".spool-*")
	if err != nil {
		return nil, &Error{Kind: ErrUnwritable, Path: ix.Path, Err: err}
	}
	b := &Builder{ix: ix, key: key, started: started, spool: spool, spoolName: spool.Name(),
		enc: newEncoder(spool, len(key.fields))}
	// Where the system allows it, the spool loses its name at once: it then
	// disappears with the process, however that ends.
	if os.Remove(spool.Name()) == nil {
		b.spoolName = ""
	}
	return b, nil
}

// Add records one person of the read: its uuid and its values by field name
// (without regard to case; a field the person has no text value for is left
// out, and then never matches). A person added twice is kept twice; lookups
// return a uuid once.
func (b *Builder) Add(uuid string, values map[string]string) error {
	if b == nil {
		return nil
	}
	uuid = strings.TrimSpace(uuid)
	if err := checkUUID(uuid); err != nil {
		return b.ix.withPath(err)
	}
	vals, present, err := b.key.valuesFrom(values)
	if err != nil {
		return b.ix.withPath(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return &Error{Kind: ErrUnwritable, Path: b.ix.Path, Detail: "the builder was already saved or discarded"}
	}
	b.enc.opEntry(journalOp{uuid: uuid, values: vals, present: present})
	return nil
}

// Len is how many persons were added.
func (b *Builder) Len() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return int(b.enc.entries)
}

// Discard drops what was collected (the read failed). Safe after Save and on
// a nil Builder.
func (b *Builder) Discard() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	b.closeSpool()
}

func (b *Builder) closeSpool() {
	if b.spool != nil {
		_ = b.spool.Close()
		b.spool = nil
	}
	if b.spoolName != "" {
		_ = os.Remove(b.spoolName)
		b.spoolName = ""
	}
}

// Save makes what was collected the index, atomically, under the lock.
//
// Point updates (Add, Remove) that another action made after this read
// began are replayed onto it, so no finished update is lost to a read that
// could not see it. An index of the same key built from a read that began
// later than this one is fresher and is kept: Save then writes nothing and
// returns nil. A file that is missing, foreign or damaged is replaced.
func (b *Builder) Save(ctx context.Context) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return &Error{Kind: ErrUnwritable, Path: b.ix.Path, Detail: "the builder was already saved or discarded"}
	}
	b.done = true
	defer b.closeSpool()
	if err := b.enc.w.Flush(); err != nil {
		return &Error{Kind: ErrUnwritable, Path: b.ix.Path, Detail: "the spool", Err: err}
	}
	if _, err := b.spool.Seek(0, io.SeekStart); err != nil {
		return &Error{Kind: ErrUnwritable, Path: b.ix.Path, Detail: "the spool", Err: err}
	}

	l, err := b.ix.lock(ctx, true)
	if err != nil {
		return err
	}
	defer l.release()
	b.ix.removeTemps()
	b.removeOldSpools()

	replay, fresher := b.since()
	if fresher {
		return nil
	}
	return b.ix.writeFile(func(enc *encoder) error {
		enc.header(header{version: formatVersion, key: b.key, built: b.started})
		final := map[string]*journalOp{} // by lower-case uuid; nil: removed
		var order []string
		for i := range replay {
			id := strings.ToLower(replay[i].uuid)
			if _, seen := final[id]; !seen {
				order = append(order, id)
			}
			final[id] = &replay[i]
			if replay[i].removed {
				final[id] = nil
			}
		}
		d := newDecoder(b.spool)
		d.nfields = len(b.key.fields)
		var r record
		for {
			end, err := d.atEnd()
			if end {
				break
			}
			var tag byte
			if err == nil {
				tag, err = d.byte()
			}
			if err == nil && tag != tagEntry {
				err = defect("a record of kind %d in the spool", tag)
			}
			if err == nil {
				err = d.person(&r)
			}
			if err != nil {
				return &Error{Kind: ErrUnwritable, Path: b.ix.Path, Detail: "the spool cannot be read back", Err: err}
			}
			if _, touched := final[strings.ToLower(string(r.uuid))]; !touched {
				enc.entry(&r)
			}
		}
		for _, id := range order {
			if op := final[id]; op != nil {
				enc.opEntry(*op)
			}
		}
		for _, op := range replay {
			enc.journalOp(op)
		}
		return nil
	})
}

// since reads the current index, if it is an intact one of this key, and
// returns the point updates made since this read began, or fresher when it
// comes from a read that began later. The caller holds the lock.
func (b *Builder) since() (replay []journalOp, fresher bool) {
	f, size, err := b.ix.open()
	if err != nil {
		return nil, false
	}
	defer func() { _ = f.Close() }()
	hdr, journal, err := readIndex(f, size, nil, nil)
	if err != nil || !hdr.key.equal(b.key) {
		return nil, false
	}
	if hdr.built.After(b.started) {
		return nil, true
	}
	return slicesDeleteOlder(journal, b.started.UnixNano()), false
}

// removeOldSpools deletes spools that builders killed long ago left behind.
func (b *Builder) removeOldSpools() {
	pattern := globEscape(filepath.Base(b.ix.Path) + ".spool-*")
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(b.ix.Path), pattern))
	for _, p := range leftovers {
		if info, err := os.Stat(p); err == nil && time.Since(info.ModTime()) > spoolMaxAge {
			_ = os.Remove(p)
		}
	}
}
