package ipassan

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
)

// ScanOptions tune Scan.
type ScanOptions struct {
	// PageSize is how many persons each request asks for; the server may
	// return fewer.
	PageSize int
	// Concurrency is how many pages may be in flight at once; 1 reads one
	// page after another.
	Concurrency int
	// Keep decides, while a page is decoded, whether a person is kept for fn;
	// the rest are dropped at once, so memory holds matches, not the site.
	// It may run on several goroutines at once. Nil keeps everyone.
	Keep func(Person) bool
	// OnPage, when set, hears of every page taken, in order, with its number
	// of rows: a progress bar's hook.
	OnPage func(rows int)
}

// ScanStats says how a scan went.
type ScanStats struct {
	Pages      int  // pages read
	Persons    int  // persons seen
	Concurrent bool // whether pages were fetched several at a time
}

// Scan hands every kept person of the site to fn, in the site's order, and
// stops at fn's first error. IPassan cannot filter, so finding anyone means
// reading everything; Scan makes that fast. When the first answer shows
// numeric offsets (next_cursor = offset + rows), it asks for the following
// pages up to Concurrency at a time and checks every answer against that
// prediction; at the first page that does not fit (an opaque cursor, a short
// page before the end) it drops its guesses and goes on one page at a time
// from the server's own cursor. The result is the same as reading page after
// page, whatever the server clamps. The number of pages in flight starts at
// two and grows by one per page up to Concurrency; when IPassan answers 429 it
// is halved.
func (c *Client) Scan(ctx context.Context, opts ScanOptions, fn func(Person) error) (ScanStats, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	s := &scanner{c: c, opts: opts, fn: fn}
	first := s.fetch(ctx, "")
	if err := s.take(first); err != nil || first.done() {
		return s.stats, err
	}
	step, numeric := strconv.Atoi(first.next)
	if opts.Concurrency <= 1 || numeric != nil || step != first.rows {
		return s.stats, s.sequential(ctx, first.cursor, first.next)
	}
	return s.stats, s.concurrent(ctx, step)
}

type scanner struct {
	c     *Client
	opts  ScanOptions
	fn    func(Person) error
	stats ScanStats
}

// page is one answer: the persons kept from it, and where the next one starts.
type page struct {
	cursor string // the offset it was asked for ("" for the start)
	kept   []Person
	rows   int
	next   string
	err    error
}

func (p page) done() bool { return p.next == "" || p.rows == 0 }

func (s *scanner) fetch(ctx context.Context, cursor string) page {
	p := page{cursor: cursor}
	info, err := s.c.ListPersons(ctx, cursor, s.opts.PageSize, func(person Person) bool {
		if s.opts.Keep == nil || s.opts.Keep(person) {
			p.kept = append(p.kept, person)
		}
		return true
	})
	p.rows, p.next, p.err = info.Rows, info.Next, err
	return p
}

// take hands a page's persons to fn, in order.
func (s *scanner) take(p page) error {
	if p.err != nil {
		return p.err
	}
	s.stats.Pages++
	s.stats.Persons += p.rows
	if s.opts.OnPage != nil {
		s.opts.OnPage(p.rows)
	}
	for _, person := range p.kept {
		if err := s.fn(person); err != nil {
			return err
		}
	}
	return nil
}

// concurrent reads the pages after the first, whose answer showed numeric
// offsets of step rows.
func (s *scanner) concurrent(ctx context.Context, step int) error {
	s.stats.Concurrent = true
	guessing, stop := context.WithCancel(ctx)
	defer stop() // pages asked for past the end are abandoned

	type inFlight struct {
		offset int
		answer chan page
	}
	var queue []inFlight
	next := step
	// Slow start: two pages at first, one more per page taken, so a small
	// site costs hardly any requests past its end.
	window := min(2, s.opts.Concurrency)
	ask := func() {
		f := inFlight{offset: next, answer: make(chan page, 1)}
		go func() {
			// A panic here would end the process without an answer; it
			// becomes this page's error instead.
			defer func() {
				if r := recover(); r != nil {
					f.answer <- page{err: fmt.Errorf("internal error reading a page: %v", r)}
				}
			}()
			f.answer <- s.fetch(guessing, strconv.Itoa(f.offset))
		}()
		queue = append(queue, f)
		next += step
	}
	limited := s.c.rateLimits.Load()
	for len(queue) < window {
		ask()
	}
	for len(queue) > 0 {
		head := queue[0]
		queue = queue[1:]
		p := <-head.answer
		if err := s.take(p); err != nil || p.done() {
			return err
		}
		if p.rows != step || p.next != strconv.Itoa(head.offset+p.rows) {
			// Not the offsets predicted: trust the server's cursor from here.
			stop()
			s.c.opts.Logger.Debug().Str("cursor", p.next).Int("rows", p.rows).Msg("pages do not follow offsets; reading one at a time")
			return s.sequential(ctx, p.cursor, p.next)
		}
		if n := s.c.rateLimits.Load(); n > limited {
			limited = n
			window = max(1, window/2)
		} else {
			window = min(window+1, s.opts.Concurrency)
		}
		for len(queue) < window {
			ask()
		}
	}
	return nil
}

// sequential reads one page after another from cursor, trusting next_cursor,
// and stops rather than loop when a cursor does not move forward.
func (s *scanner) sequential(ctx context.Context, current, cursor string) error {
	seen := map[string]bool{}
	for {
		if seen[cursor] || !advances(current, cursor) {
			return &Error{Kind: ErrProtocol, Method: http.MethodGet, Path: APIPrefix + s.c.personsPath(),
				Message: fmt.Sprintf("next_cursor %q does not move forward; stopping rather than reading forever", cursor)}
		}
		seen[cursor] = true
		p := s.fetch(ctx, cursor)
		if err := s.take(p); err != nil || p.done() {
			return err
		}
		current, cursor = cursor, p.next
	}
}
