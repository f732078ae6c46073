package siteindex

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// The file format, version 1. Every number is a varint in its shortest form
// (encoding/binary); every text is its length as a number, then its bytes,
// kept exactly (any byte may occur: a tab or a newline inside a value does not
// disturb anything).
//
//	magic    8 bytes "\x89IPSIDX\n"
//	version  number (1)
//	key      base URL, site, number of fields, each field (lower case, sorted)
//	built    when the full read began, Unix nanoseconds (signed varint)
//	entries  tag 1, uuid, then per field: 0 when the person has no such
//	         text field, else its length + 1 and its bytes
//	journal  the point updates since the full read, so that a full read that
//	         began before them can replay them when it is saved:
//	         tag 2 (a person added), at (signed varint), uuid, values as above
//	         tag 3 (a person removed), at, uuid
//	end      tag 0, the number of entries, the number of journal records
//	sum      32 bytes: SHA-256 of everything before
//
// Every version ends with the SHA-256 of the rest, so a reader can tell a
// damaged file from one in another version before it reads the version.
const (
	magic         = "\x89IPSIDX\n"
	formatVersion = 1
	sumSize       = sha256.Size
	// maxText bounds every text in a file (uuid, value, field name, address),
	// so garbage cannot make a reader allocate much.
	maxText = 1 << 16

	tagEnd     = 0
	tagEntry   = 1
	tagAdded   = 2
	tagRemoved = 3
)

// header is what a file says about itself.
type header struct {
	version int
	key     normKey
	built   time.Time
}

// record is one person: an entry, or the person of a journal record. The
// decoder reuses its buffers from record to record.
type record struct {
	uuid    []byte
	values  [][]byte
	present []bool
}

// journalOp is a point update kept in the journal.
type journalOp struct {
	at      int64 // Unix nanoseconds
	removed bool
	uuid    string
	values  []string
	present []bool
}

// problem is a structural defect found while decoding.
type problem struct{ detail string }

func (p *problem) Error() string { return p.detail }

func defect(format string, args ...any) error {
	return &problem{detail: fmt.Sprintf(format, args...)}
}

// versionError is a file that says it is in another format version.
type versionError struct{ version uint64 }

func (v *versionError) Error() string {
	return fmt.Sprintf("format version %d; this build reads version %d", v.version, formatVersion)
}

// encoder writes the parts of a file in order. Hashing is its writer's
// business (see writeFile).
type encoder struct {
	w       *bufio.Writer
	nfields int
	scratch []byte
	entries uint64
	journal uint64
}

func newEncoder(w io.Writer, nfields int) *encoder {
	return &encoder{w: bufio.NewWriterSize(w, 64<<10), nfields: nfields}
}

func (e *encoder) uvarint(x uint64) {
	e.scratch = binary.AppendUvarint(e.scratch[:0], x)
	_, _ = e.w.Write(e.scratch)
}

func (e *encoder) varint(x int64) {
	e.scratch = binary.AppendVarint(e.scratch[:0], x)
	_, _ = e.w.Write(e.scratch)
}

func (e *encoder) text(s []byte) {
	e.uvarint(uint64(len(s)))
	_, _ = e.w.Write(s)
}

func (e *encoder) value(s []byte, present bool) {
	if !present {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(len(s)) + 1)
	_, _ = e.w.Write(s)
}

// header writes the header in the given version (tests write others).
func (e *encoder) header(h header) {
	_, _ = e.w.WriteString(magic)
	e.uvarint(uint64(h.version))
	e.text([]byte(h.key.baseURL))
	e.text([]byte(h.key.site))
	e.uvarint(uint64(len(h.key.fields)))
	for _, f := range h.key.fields {
		e.text([]byte(f))
	}
	e.varint(h.built.UnixNano())
}

func (e *encoder) entry(r *record) {
	_ = e.w.WriteByte(tagEntry)
	e.text(r.uuid)
	for i := range e.nfields {
		e.value(r.values[i], r.present[i])
	}
	e.entries++
}

// opEntry writes op's person as an entry.
func (e *encoder) opEntry(op journalOp) {
	_ = e.w.WriteByte(tagEntry)
	e.person(op)
	e.entries++
}

func (e *encoder) journalOp(op journalOp) {
	tag := byte(tagAdded)
	if op.removed {
		tag = tagRemoved
	}
	_ = e.w.WriteByte(tag)
	e.varint(op.at)
	if op.removed {
		e.uvarint(uint64(len(op.uuid)))
		_, _ = e.w.WriteString(op.uuid)
	} else {
		e.person(op)
	}
	e.journal++
}

// person writes op's uuid and values.
func (e *encoder) person(op journalOp) {
	e.uvarint(uint64(len(op.uuid)))
	_, _ = e.w.WriteString(op.uuid)
	for i := range e.nfields {
		if !op.present[i] {
			e.uvarint(0)
			continue
		}
		e.uvarint(uint64(len(op.values[i])) + 1)
		_, _ = e.w.WriteString(op.values[i])
	}
}

// end writes the end record and flushes; the caller appends the sum.
func (e *encoder) end() error {
	_ = e.w.WriteByte(tagEnd)
	e.uvarint(e.entries)
	e.uvarint(e.journal)
	return e.w.Flush()
}

// decoder reads the parts of a file in order, from its own buffer (a lookup
// decodes every entry of the site, so the common case is a few slice
// operations, not a call per byte). Errors are io.ErrUnexpectedEOF (the
// content stops early), a *problem, a *versionError, or the source's own.
type decoder struct {
	src      io.Reader
	buf      []byte
	pos, end int
	srcErr   error // what the source said last: io.EOF once it is exhausted
	nfields  int
}

// decodeBuffer is how much a decoder reads at a time.
const decodeBuffer = 128 << 10

func newDecoder(src io.Reader) *decoder {
	return &decoder{src: src, buf: make([]byte, decodeBuffer)}
}

// fill makes at least n bytes available at d.pos, or says why it cannot.
func (d *decoder) fill(n int) error {
	if d.end-d.pos >= n {
		return nil
	}
	if n > cap(d.buf) { // one text longer than the buffer (rare; bounded by maxText)
		grown := make([]byte, n)
		d.end = copy(grown, d.buf[d.pos:d.end])
		d.buf, d.pos = grown, 0
	} else if d.pos > 0 {
		d.end = copy(d.buf, d.buf[d.pos:d.end])
		d.pos = 0
	}
	for d.end-d.pos < n {
		if d.srcErr != nil {
			if errors.Is(d.srcErr, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return d.srcErr
		}
		var k int
		k, d.srcErr = d.src.Read(d.buf[d.end:cap(d.buf)])
		d.end += k
	}
	return nil
}

func (d *decoder) byte() (byte, error) {
	if d.pos >= d.end {
		if err := d.fill(1); err != nil {
			return 0, err
		}
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

// atEnd reports whether the source is exhausted (and no byte is left).
func (d *decoder) atEnd() (bool, error) {
	err := d.fill(1)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true, nil
	}
	return false, err
}

// uvarint reads a number and insists on its shortest form, so one content has
// one encoding.
func (d *decoder) uvarint() (uint64, error) {
	if d.pos < d.end && d.buf[d.pos] < 0x80 { // the common one-byte number
		d.pos++
		return uint64(d.buf[d.pos-1]), nil
	}
	var x uint64
	for i := range binary.MaxVarintLen64 {
		b, err := d.byte()
		if err != nil {
			return 0, err
		}
		if b < 0x80 {
			switch {
			case i > 0 && b == 0:
				return 0, defect("a number is not in its shortest form")
			case i == binary.MaxVarintLen64-1 && b > 1:
				return 0, defect("a number overflows 64 bits")
			}
			return x | uint64(b)<<(7*i), nil
		}
		x |= uint64(b&0x7f) << (7 * i)
	}
	return 0, defect("a number overflows 64 bits")
}

func (d *decoder) varint() (int64, error) {
	ux, err := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, err
}

// text reads a text into dst's storage.
func (d *decoder) text(dst []byte, what string) ([]byte, error) {
	n, err := d.uvarint()
	if err != nil {
		return dst, err
	}
	if n > maxText {
		return dst, defect("%s is %d bytes long; at most %d", what, n, maxText)
	}
	return d.bytes(dst, int(n))
}

// bytes copies the next n bytes into dst's storage.
func (d *decoder) bytes(dst []byte, n int) ([]byte, error) {
	if err := d.fill(n); err != nil {
		return dst, err
	}
	dst = append(dst[:0], d.buf[d.pos:d.pos+n]...)
	d.pos += n
	return dst, nil
}

func (d *decoder) value(dst []byte) ([]byte, bool, error) {
	n, err := d.uvarint()
	switch {
	case err != nil:
		return dst, false, err
	case n == 0:
		return dst[:0], false, nil
	case n-1 > maxText:
		return dst, false, defect("a value is %d bytes long; at most %d", n-1, maxText)
	}
	dst, err = d.bytes(dst, int(n-1))
	return dst, true, err
}

func (d *decoder) header() (header, error) {
	var h header
	m, err := d.bytes(nil, len(magic))
	if err != nil {
		return h, err
	}
	if string(m) != magic {
		return h, defect("not a site index file")
	}
	v, err := d.uvarint()
	if err != nil {
		return h, err
	}
	if v != formatVersion {
		return h, &versionError{version: v}
	}
	h.version = int(v)
	base, err := d.text(nil, "the base URL")
	if err != nil {
		return h, err
	}
	site, err := d.text(nil, "the site")
	if err != nil {
		return h, err
	}
	n, err := d.uvarint()
	if err != nil {
		return h, err
	}
	if n == 0 || n > maxFields {
		return h, defect("%d fields", n)
	}
	h.key = normKey{baseURL: string(base), site: string(site), fields: make([]string, n)}
	for i := range h.key.fields {
		f, err := d.text(nil, "a field name")
		if err != nil {
			return h, err
		}
		h.key.fields[i] = string(f)
	}
	built, err := d.varint()
	if err != nil {
		return h, err
	}
	h.built = time.Unix(0, built)
	d.nfields = int(n)
	return h, nil
}

// person reads a uuid and the values of one person into r.
func (d *decoder) person(r *record) error {
	var err error
	if r.uuid, err = d.text(r.uuid, "a uuid"); err != nil {
		return err
	}
	if len(r.uuid) == 0 {
		return defect("a person without a uuid")
	}
	if len(r.values) != d.nfields {
		r.values, r.present = make([][]byte, d.nfields), make([]bool, d.nfields)
	}
	for i := range d.nfields {
		if r.values[i], r.present[i], err = d.value(r.values[i]); err != nil {
			return err
		}
	}
	return nil
}

// body reads the entries (handing each to onEntry, which may be nil), the
// journal and the end record, and insists that nothing follows.
func (d *decoder) body(onEntry func(*record) error) ([]journalOp, error) {
	var (
		r       record
		journal []journalOp
		entries uint64
	)
	for {
		tag, err := d.byte()
		if err != nil {
			return nil, err
		}
		switch tag {
		case tagEntry:
			if len(journal) > 0 {
				return nil, defect("an entry after the journal")
			}
			if err := d.person(&r); err != nil {
				return nil, err
			}
			entries++
			if onEntry != nil {
				if err := onEntry(&r); err != nil {
					return nil, callbackError{err}
				}
			}
		case tagAdded, tagRemoved:
			op, err := d.journalOp(&r, tag == tagRemoved)
			if err != nil {
				return nil, err
			}
			journal = append(journal, op)
		case tagEnd:
			n, err := d.uvarint()
			if err != nil {
				return nil, err
			}
			j, err := d.uvarint()
			if err != nil {
				return nil, err
			}
			if n != entries || j != uint64(len(journal)) {
				return nil, defect("the end counts %d entries and %d journal records; the file has %d and %d", n, j, entries, len(journal))
			}
			switch end, err := d.atEnd(); {
			case err != nil:
				return nil, err
			case !end:
				return nil, defect("bytes after the end")
			}
			return journal, nil
		default:
			return nil, defect("a record of unknown kind %d", tag)
		}
	}
}

func (d *decoder) journalOp(r *record, removed bool) (journalOp, error) {
	op := journalOp{removed: removed}
	var err error
	if op.at, err = d.varint(); err != nil {
		return op, err
	}
	if removed {
		if r.uuid, err = d.text(r.uuid, "a uuid"); err != nil {
			return op, err
		}
		if len(r.uuid) == 0 {
			return op, defect("a person without a uuid")
		}
	} else if err = d.person(r); err != nil {
		return op, err
	}
	op.uuid = string(r.uuid)
	if !removed {
		op.values, op.present = make([]string, d.nfields), make([]bool, d.nfields)
		for i := range d.nfields {
			op.values[i], op.present[i] = string(r.values[i]), r.present[i]
		}
	}
	return op, nil
}

// callbackError carries an error of the caller's onHeader or onEntry through
// the decoder untouched.
type callbackError struct{ err error }

func (c callbackError) Error() string { return c.err.Error() }

// readIndex reads and verifies a whole index file of size bytes, handing the
// header to onHeader and each entry to onEntry as it goes (either may be nil).
// Nothing handed over may be trusted until readIndex returns nil: only then
// was the file intact. Errors are *Error (Path left empty) unless a callback
// failed, whose error is returned as it is.
//
// A defect is reported as what it is only when the checksum matches (a file
// written by another version, or by a foreign key); otherwise the file is
// corrupt, or truncated when its content stops early.
func readIndex(ra io.ReaderAt, size int64, onHeader func(header) error, onEntry func(*record) error) (header, []journalOp, error) {
	if size < int64(len(magic))+sumSize+1 {
		detail := fmt.Sprintf("%d bytes", size)
		if size == 0 {
			detail = "the file is empty"
		}
		return header{}, nil, &Error{Kind: ErrTruncated, Detail: detail}
	}
	h := sha256.New()
	tee := io.TeeReader(io.NewSectionReader(ra, 0, size-sumSize), h)
	d := newDecoder(tee)
	hdr, err := d.header()
	if err == nil && onHeader != nil {
		if err = onHeader(hdr); err != nil {
			err = callbackError{err}
		}
	}
	var journal []journalOp
	if err == nil {
		journal, err = d.body(onEntry)
	}
	var cb callbackError
	if errors.As(err, &cb) && !isSemantic(cb.err) {
		return hdr, nil, cb.err
	}
	if err != nil && !isDecodeError(err) {
		return hdr, nil, &Error{Kind: ErrUnreadable, Err: err}
	}
	// Hash what is left, so the checksum can say whether the content is
	// what was written.
	if _, derr := io.Copy(io.Discard, d.src); derr != nil {
		return hdr, nil, &Error{Kind: ErrUnreadable, Err: derr}
	}
	sum := make([]byte, sumSize)
	if _, serr := ra.ReadAt(sum, size-sumSize); serr != nil {
		return hdr, nil, &Error{Kind: ErrUnreadable, Err: serr}
	}
	intact := bytes.Equal(h.Sum(nil), sum)
	var pr *problem
	var ve *versionError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return hdr, nil, &Error{Kind: ErrTruncated, Detail: fmt.Sprintf("the content stops early (%d bytes)", size)}
	case !intact:
		return hdr, nil, &Error{Kind: ErrCorrupt, Detail: "the checksum does not match the content"}
	case errors.As(err, &ve) && ve.version > formatVersion:
		return hdr, nil, &Error{Kind: ErrNewerFormat, Detail: ve.Error()}
	case errors.As(err, &ve):
		return hdr, nil, &Error{Kind: ErrOlderFormat, Detail: ve.Error()}
	case errors.As(err, &pr):
		return hdr, nil, &Error{Kind: ErrCorrupt, Detail: pr.detail}
	case errors.As(err, &cb):
		return hdr, nil, cb.err
	}
	return hdr, journal, nil
}

// isSemantic reports whether a callback's error is a judgement on the file
// (foreign, too old) rather than a failure of the callback's own work; such a
// judgement stands only when the file proves intact.
func isSemantic(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Kind == ErrForeign || e.Kind == ErrStale)
}

func isDecodeError(err error) bool {
	var pr *problem
	var ve *versionError
	var cb callbackError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &pr) || errors.As(err, &ve) || errors.As(err, &cb)
}
