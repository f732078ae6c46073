package ipassan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// ScanOptions tune Scan.
type ScanOptions struct {
	// PageSize is how many persons each request asks for; the server may
	// return fewer, and when it refuses more than fallbackPageSize (50) the
	// read asks for that many instead.
	PageSize int
	// Concurrency is the most pages in flight at once; the window (see
	// window) keeps fewer while IPassan answers 429 or slows down. 1 reads
	// one page after another.
	Concurrency int
	// Keep decides, while a page is decoded, whether a person is kept for fn;
	// the rest are dropped at once, so memory holds matches, not the site.
	// It may run on several goroutines at once, and more than once for a
	// person (pages overlap, a read may start again). Nil keeps everyone.
	Keep func(Person) bool
	// OnPage, when set, hears of every page taken, in order, with its number
	// of persons not seen before: a progress bar's hook. When the read starts
	// again (see Scan), the pages of the new pass follow.
	OnPage func(rows int)
}

// ScanStats says how a scan went.
type ScanStats struct {
	Pages      int  // pages of the pass that completed (or of the last pass)
	Persons    int  // distinct persons of that pass
	Concurrent bool // whether pages were fetched several at a time
	Restarts   int  // times the read started again because the site changed under it
	Requests   int  // page requests sent over all passes, pages asked past the end included
	// MostInFlight is the most pages a concurrent read had in flight at
	// once, and Backoffs how often it cut that number because IPassan
	// answered 429 or slowed down (see window).
	MostInFlight int
	Backoffs     int
	// PageSize is the limit the read asked for in the end: the one asked
	// for, or fallbackPageSize when IPassan refused it.
	PageSize int
}

// maxRestarts is how often a read starts again when the site shifts under it
// before it gives up: a site that changes faster than it can be read cannot
// be read completely.
const maxRestarts = 3

// ErrSiteChanging: persons kept being added or removed while the site was
// read, so no complete reading of it could be made.
var ErrSiteChanging = errors.New("the site kept changing while it was read")

// Scan hands every kept person of the site to fn, in the site's order, and
// stops at fn's first error.
//
// When Scan returns nil, every person present on the site for the whole read
// has been handed to fn exactly once (if Keep kept it); a person added or
// removed during the read may or may not have been. Anything that would break
// that promise fails the read instead: a page that cannot be read, a row that
// is not a person or has no uuid, a cursor that does not move forward. The
// read goes on until next_cursor is null, also past a page without rows. A
// uuid seen twice (in any casing) counts once, and fn never receives a uuid
// twice, not even across restarts.
//
// Pages are addressed by offset, so a person added or removed before the
// reading position shifts every later page by one: a person would be read
// twice or never. To see that happen, each page is asked from one row before
// the previous page's end, and its first row must be the previous page's last
// one. When it is not, the read starts again from the beginning, at most
// maxRestarts times, then fails with ErrSiteChanging. An opaque cursor (not
// an offset) cannot be asked for one row earlier, nor can a page of one row
// be overlapped: there the server's cursor is trusted as it is.
//
// IPassan cannot filter, so finding anyone means reading everything; Scan
// makes that fast. It asks for PageSize rows a page and uses what comes back:
// a server that clamps the limit to 100 is read in pages of 100, one that
// refuses the limit (a 4xx on the first page) in pages of 50 (see
// fetchFirst). When the first answer shows numeric offsets (next_cursor =
// offset + rows), it asks for the following pages several at a time and
// checks every answer against that prediction; at the first page that does
// not fit (an opaque cursor, a short page before the end) it drops its
// guesses and goes on one page at a time from the server's own cursor. The
// result is the same as reading page after page, whatever the server clamps.
// How many pages are in flight, at most Concurrency, is the window's business
// (see window): fewer when IPassan answers 429 or slows down. A page IPassan
// answers 429 on every try of the client's is asked again (see concurrent).
func (c *Client) Scan(ctx context.Context, opts ScanOptions, fn func(Person) error) (ScanStats, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	s := &scanner[Person]{c: c, path: c.personsPath(), opts: opts, keep: opts.Keep, fn: fn,
		id: func(p Person) string { return p.UUID }, withoutOverlap: everyScanWithoutOverlap}
	err := s.read(ctx, true)
	s.stats.PageSize = s.opts.PageSize
	return s.stats, err
}

// everyScanWithoutOverlap is set only in the connector ipassan-bench builds
// to measure the overlap (the build tag ipassan_bench_without_overlap, see
// scan_without_overlap.go).
var everyScanWithoutOverlap bool

// scanner reads a whole list: the persons of a site (Scan), or the bases and
// sites of the admin tree (all).
type scanner[T any] struct {
	c    *Client
	path string
	opts ScanOptions
	keep func(T) bool // nil keeps every row
	fn   func(T) error
	id   func(T) string

	stats  ScanStats
	handed uuidSet // uuids handed to fn in earlier passes

	// withoutOverlap reads pages end to end, trusting the offsets: only
	// BenchmarkScanOverlap sets it, to measure what the overlap costs.
	withoutOverlap bool
	// windowPolicy, when set, replaces scanPolicy: only BenchmarkScanWindow
	// sets it, to measure each part of the window against its absence.
	windowPolicy *windowPolicy

	// one pass
	seen     uuidSet // uuids of this pass
	keptSeen uuidSet // the kept ones among them, when keep filters
	last     string  // uuid of the last row taken
}

// read makes passes over the list until one completes, starting again when
// the list shifted under it.
func (s *scanner[T]) read(ctx context.Context, concurrent bool) error {
	for {
		err := s.pass(ctx, concurrent)
		var shifted *shiftError
		if !errors.As(err, &shifted) {
			return err
		}
		if s.stats.Restarts == maxRestarts {
			return &Error{Kind: ErrSiteChanging, Method: http.MethodGet, Path: APIPrefix + s.path,
				Message: fmt.Sprintf("persons were added or removed before the reading position during each of %d reads (the last time %s); "+
					"nothing is concluded from an incomplete read: try again when the site is quieter", maxRestarts+1, shifted)}
		}
		s.stats.Restarts++
		s.c.opts.Logger.Debug().Str("path", APIPrefix+s.path).Str("shift", shifted.Error()).Int("restart", s.stats.Restarts).
			Msg("the list shifted while it was read; reading it again")
		if s.keep == nil {
			s.handed.merge(&s.seen)
		} else {
			s.handed.merge(&s.keptSeen)
		}
	}
}

// pass reads the list once from the start.
func (s *scanner[T]) pass(ctx context.Context, concurrent bool) error {
	s.seen, s.keptSeen, s.last = uuidSet{}, uuidSet{}, ""
	s.stats.Pages, s.stats.Persons, s.stats.Concurrent = 0, 0, false
	start := time.Now()
	first := s.fetchFirst(ctx)
	took := time.Since(start)
	if err := s.take(first); err != nil || first.next == "" {
		return err
	}
	step, numeric := strconv.Atoi(first.next)
	if !concurrent || s.opts.Concurrency <= 1 || numeric != nil || step != first.rows() || step < 2 {
		return s.sequential(ctx, first)
	}
	return s.concurrent(ctx, first, step, took)
}

// maxReasks is how often a concurrent read asks a page again after IPassan
// answered it 429 on every try of the client's (see concurrent).
const maxReasks = 3

// fallbackPageSize is what a scan asks for when IPassan refuses a larger
// limit: the public connector's page, known to be accepted.
const fallbackPageSize = 50

// fetchFirst asks for the first page. A server that refuses a large limit
// (a 4xx such as 400 or 422 "limit must be at most 100") is asked again for
// fallbackPageSize rows, and the rest of the read, restarts included, asks
// for that many: whether IPassan takes limits above 50 is not known, and an
// action must not fail for having asked. A refusal of 50 or less is the
// server's answer, not the scan's doing: it fails the read.
func (s *scanner[T]) fetchFirst(ctx context.Context) page[T] {
	s.stats.Requests++
	first := s.fetch(ctx, "", false)
	if s.opts.PageSize <= fallbackPageSize || !errors.Is(first.err, ErrValidation) {
		return first
	}
	s.c.opts.Logger.Debug().Int("limit", s.opts.PageSize).Int("fallback", fallbackPageSize).Str("refusal", first.err.Error()).
		Msg("IPassan refused the page size; asking for smaller pages")
	s.opts.PageSize = fallbackPageSize
	s.stats.Requests++
	return s.fetch(ctx, "", false)
}

// policy is the window's policy: the scans' own, unless a benchmark set
// another.
func (s *scanner[T]) policy() windowPolicy {
	if s.windowPolicy != nil {
		return *s.windowPolicy
	}
	return scanPolicy
}

// page is one answer: the uuids of its rows, the rows kept, where the next
// page starts.
type page[T any] struct {
	offset  string // as asked ("" for the start)
	overlap bool   // asked one row early: its first row must be the last one taken
	ids     []string
	kept    []keptRow[T]
	next    string
	err     error
}

type keptRow[T any] struct {
	row  int
	item T
}

func (p page[T]) rows() int { return len(p.ids) }

func (s *scanner[T]) fetch(ctx context.Context, offset string, overlap bool) page[T] {
	p := page[T]{offset: offset, overlap: overlap}
	info, err := listPage(ctx, s.c, s.path, offset, s.opts.PageSize, func(item T) bool {
		if s.keep == nil || s.keep(item) {
			p.kept = append(p.kept, keptRow[T]{len(p.ids), item})
		}
		p.ids = append(p.ids, s.id(item))
		return true
	})
	p.next, p.err = info.Next, err
	return p
}

// shiftError: a page that should have begun with the last row already taken
// did not, so persons were added or removed before it while the list was read.
type shiftError struct {
	offset     string
	want, got  string
	emptyAfter bool
}

func (e *shiftError) Error() string {
	if e.emptyAfter {
		return fmt.Sprintf("the page at offset %s, which should have begun with %s, was empty", e.offset, e.want)
	}
	return fmt.Sprintf("the page at offset %s should have begun with %s, and began with %s", e.offset, e.want, e.got)
}

// take hands a page's new persons to fn, in order: not the row it overlaps
// with the page before, not a uuid this pass has seen, not one fn had in an
// earlier pass.
func (s *scanner[T]) take(p page[T]) error {
	if p.err != nil {
		return p.err
	}
	from := 0
	if p.overlap {
		if p.rows() == 0 {
			return &shiftError{offset: p.offset, want: s.last, emptyAfter: true}
		}
		if !sameUUID(p.ids[0], s.last) {
			return &shiftError{offset: p.offset, want: s.last, got: p.ids[0]}
		}
		from = 1
	}
	s.stats.Pages++
	fresh, k := 0, 0
	for i := from; i < p.rows(); i++ {
		isNew := s.seen.add(p.ids[i])
		if isNew {
			fresh++
		}
		for k < len(p.kept) && p.kept[k].row < i {
			k++
		}
		if k == len(p.kept) || p.kept[k].row != i || !isNew {
			continue
		}
		if s.keep != nil {
			s.keptSeen.add(p.ids[i])
		}
		if s.handed.has(p.ids[i]) {
			continue // handed to fn in an earlier pass
		}
		if err := s.fn(p.kept[k].item); err != nil {
			return err
		}
	}
	s.stats.Persons += fresh
	if p.rows() > 0 {
		s.last = p.ids[p.rows()-1]
	}
	if s.opts.OnPage != nil {
		s.opts.OnPage(fresh)
	}
	return nil
}

// concurrent reads the pages after the first, whose answer showed numeric
// offsets of step rows: page k is asked from k×(step−1), overlapping the one
// before by a row. The window (see window) says how many are in flight; the
// answers are taken in order, and those that come early wait for the pages
// before them, at most maxAhead pages beyond the one awaited.
func (s *scanner[T]) concurrent(ctx context.Context, first page[T], step int, firstTook time.Duration) error {
	s.stats.Concurrent = true
	guessing, stop := context.WithCancel(ctx)
	defer stop() // pages asked for past the end are abandoned

	stride, overlap := step-1, true
	if s.withoutOverlap {
		stride, overlap = step, false
	}
	type answer struct {
		number, ticket int
		page           page[T]
		took           time.Duration
	}
	w := newWindow(s.policy(), s.opts.Concurrency, firstTook, s.c.rateLimits.Load())
	// Each page in flight sends its answer once, and never more than the
	// ceiling are in flight: the channel holds them all, so a page answered
	// after the reader returned does not wait for anyone.
	answers := make(chan answer, w.ceiling)
	maxAhead := 2 * w.ceiling
	waiting := map[int]page[T]{} // answered, waiting for the pages before them
	// Page numbers: page n is asked at offset n×stride; page 0 is first.
	nextAsk, nextTake, inFlight := 1, 1, 0
	last := math.MaxInt // no page after this one is worth asking
	// Pages IPassan kept answering 429 (the client gave up retrying them),
	// to be asked again, lowest first, once the window has room: the 429s
	// come from the reader's own pages in flight, so a read does not fail
	// for them while fewer pages at once may pass. Each page is asked again
	// at most maxReasks times; the action's deadline bounds the rest.
	var again []int
	reasked := map[int]int{}
	ask := func() {
		n := nextAsk
		if len(again) > 0 {
			n, again = again[0], again[1:]
		} else {
			nextAsk++
		}
		a := answer{number: n, ticket: w.ask()}
		offset := strconv.Itoa(n * stride)
		s.stats.Requests++
		inFlight++
		s.stats.MostInFlight = max(s.stats.MostInFlight, inFlight)
		go func() {
			// A panic here would end the process without an answer; it
			// becomes this page's error instead.
			defer func() {
				if r := recover(); r != nil {
					a.page = page[T]{offset: offset, err: fmt.Errorf("internal error reading a page: %v", r)}
					answers <- a
				}
			}()
			start := time.Now()
			a.page = s.fetch(guessing, offset, overlap)
			a.took = time.Since(start)
			answers <- a
		}()
	}
	predicted := func(n int, p page[T]) bool {
		return p.err == nil && p.rows() == step && p.next == strconv.Itoa(n*stride+step)
	}
	for {
		for inFlight < w.allowed() && (len(again) > 0 || nextAsk <= last && nextAsk-nextTake < maxAhead) {
			ask()
		}
		a := <-answers
		inFlight--
		if why := w.answer(a.ticket, a.took, s.c.rateLimits.Load()); why != "" {
			s.stats.Backoffs++
			s.c.opts.Logger.Debug().Str("why", why).Int("pages in flight", w.allowed()).Msg("IPassan is under strain; fewer pages at once")
		}
		if errors.Is(a.page.err, ErrRateLimited) && reasked[a.number] < maxReasks && a.number <= last && ctx.Err() == nil {
			reasked[a.number]++
			i, _ := slices.BinarySearch(again, a.number)
			again = slices.Insert(again, i, a.number)
			s.c.opts.Logger.Debug().Str("offset", a.page.offset).Int("pages in flight", w.allowed()).Msg("IPassan kept answering 429 for a page; asking it again with fewer pages at once")
			continue
		}
		if !predicted(a.number, a.page) {
			// The end, an error, or pages that stop following offsets:
			// what lies beyond it is not asked for (see below).
			last = min(last, a.number)
		}
		waiting[a.number] = a.page
		for {
			p, ok := waiting[nextTake]
			if !ok {
				break
			}
			delete(waiting, nextTake)
			if err := s.take(p); err != nil || p.next == "" {
				return err
			}
			if !predicted(nextTake, p) {
				// Not the offsets predicted: trust the server's cursor from here.
				stop()
				s.c.opts.Logger.Debug().Str("cursor", p.next).Int("rows", p.rows()).Msg("pages do not follow offsets; reading one at a time")
				return s.sequential(ctx, p)
			}
			nextTake++
		}
	}
}

// sequential reads one page after another after prev, overlapping pages where
// the cursor allows (see following), and stops rather than loop when a cursor
// does not move forward.
func (s *scanner[T]) sequential(ctx context.Context, prev page[T]) error {
	asked := map[string]bool{prev.offset: true}
	for prev.next != "" {
		offset, overlap, err := following(prev.offset, prev.next, prev.rows())
		if s.withoutOverlap && err == nil {
			offset, overlap = prev.next, false
		}
		if err == nil && asked[offset] {
			err = fmt.Errorf("next_cursor %q comes back", prev.next)
		}
		if err != nil {
			return &Error{Kind: ErrProtocol, Method: http.MethodGet, Path: APIPrefix + s.path,
				Message: err.Error() + "; stopping rather than reading forever"}
		}
		asked[offset] = true
		s.stats.Requests++
		p := s.fetch(ctx, offset, overlap)
		if err := s.take(p); err != nil {
			return err
		}
		prev = p
	}
	return nil
}

// following says where the page after one asked at offset, holding rows rows
// and pointing at next, starts. When both are offsets and next is offset +
// rows, it is one row earlier, so that the page must begin with the last row
// already read; a page of one row cannot be overlapped (asking from its own
// row again would not move). An opaque cursor is trusted as it is: it cannot
// be asked for one row earlier.
func following(offset, next string, rows int) (string, bool, error) {
	n, errN := strconv.Atoi(next)
	cur, errC := 0, error(nil)
	if offset != "" {
		cur, errC = strconv.Atoi(offset)
	}
	switch {
	case errN != nil || errC != nil:
		return next, false, nil
	case n <= cur:
		return "", false, fmt.Errorf("next_cursor %q does not move forward", next)
	case rows >= 2 && n == cur+rows:
		return strconv.Itoa(n - 1), true, nil
	}
	return next, false, nil
}
