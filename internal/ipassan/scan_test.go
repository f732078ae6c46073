package ipassan_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func manyPersons(n int) []fake.Person {
	out := make([]fake.Person, n)
	for i := range out {
		out[i] = fake.Person{UUID: fmt.Sprintf("p-%05d", i), Lastname: fmt.Sprint("L", i), Number: fmt.Sprint(10000 + i)}
	}
	return out
}

// scanAll reads the whole site and returns the uuids fn received, in order.
func scanAll(t *testing.T, c *ipassan.Client, pageSize, concurrency int) ([]string, ipassan.ScanStats, error) {
	t.Helper()
	var got []string
	stats, err := c.Scan(context.Background(), ipassan.ScanOptions{PageSize: pageSize, Concurrency: concurrency},
		func(p ipassan.Person) error { got = append(got, p.UUID); return nil })
	return got, stats, err
}

// A concurrent scan must see exactly what reading page after page sees,
// whatever the server clamps or however it shapes its cursor.
func TestScanEqualsASequentialRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       fake.Options
		persons    int
		pageSize   int
		concurrent bool
	}{
		{"offsets, pages as asked", fake.Options{MaxPageSize: 100}, 1234, 50, true},
		{"offsets, server clamps to 7", fake.Options{MaxPageSize: 7}, 500, 50, true},
		{"exact multiple of the page", fake.Options{MaxPageSize: 100}, 400, 50, true},
		{"one page", fake.Options{}, 30, 50, false},
		{"empty site", fake.Options{}, 0, 50, false},
		{"cursor as text", fake.Options{MaxPageSize: 20, CursorAsText: true}, 333, 50, true},
		{"opaque cursor: one at a time", fake.Options{MaxPageSize: 20, OpaqueCursor: true}, 333, 50, false},
		{"short pages: falls back", fake.Options{MaxPageSize: 20, ShortPages: true}, 333, 50, true},
		{"pages of two", fake.Options{MaxPageSize: 2}, 41, 50, true},
		{"pages of one: cannot overlap", fake.Options{MaxPageSize: 1}, 23, 50, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts, manyPersons(tt.persons)...)
			want, seq, err := scanAll(t, h.client, tt.pageSize, 1)
			require.NoError(t, err)
			require.Len(t, want, tt.persons)
			for i, id := range want {
				require.Equal(t, fmt.Sprintf("p-%05d", i), id)
			}
			sequentialPages := h.fake.Count(fake.RouteList)
			assert.Equal(t, sequentialPages, seq.Requests)
			assert.Equal(t, sequentialPages, seq.Pages)

			got, stats, err := scanAll(t, h.client, tt.pageSize, 8)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, tt.persons, stats.Persons)
			assert.Equal(t, tt.concurrent, stats.Concurrent)
			assert.Equal(t, sequentialPages, stats.Pages)
			assert.Zero(t, stats.Restarts)
			assert.LessOrEqual(t, h.fake.Count(fake.RouteList)-sequentialPages, stats.Requests, "pages abandoned may never arrive")
			wasted := stats.Requests - sequentialPages
			assert.GreaterOrEqual(t, wasted, 0)
			assert.Less(t, wasted, 8, "at most one window of pages asked past the end")
		})
	}
}

// Pages overlap by one row where the cursor is an offset: each page is asked
// from the row before the last one read, and it must begin with that row.
func TestScanOverlapsPagesByOneRow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(30)...)
	got, stats, err := scanAll(t, h.client, 10, 1)
	require.NoError(t, err)
	assert.Len(t, got, 30)
	// 0-9, 9-18, 18-27, 27-29: four pages where three would do without the check.
	assert.Equal(t, 4, stats.Pages)
	assert.Equal(t, 4, h.fake.Count(fake.RouteList))
}

// The site changing while it is read, empty pages and rows that are not
// persons: the one-page-at-a-time reader and the concurrent one end alike,
// and every person present for the whole read reaches fn exactly once.
func TestScanUnderAChangingSite(t *testing.T) {
	t.Parallel()
	newcomer := fake.Person{UUID: "p-new", Lastname: "Newcomer"}
	tests := []struct {
		name     string
		faults   []fake.Fault
		want     func(all []string) []string // the uuids fn must get, in any order; nil: the scan fails
		restarts int
		failure  string
	}{
		{"a person added before the reading position", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(49), Times: 1, Insert: &newcomer}},
			func(all []string) []string { return append(all, "p-new") }, 1, ""},
		{"a person removed before the reading position", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(98), Times: 1, RemoveAt: fake.At(10)}},
			func(all []string) []string { return all }, 1, ""},
		{"added and removed on two pages", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(49), Times: 1, Insert: &newcomer, InsertAt: 5},
			{Route: fake.RouteList, Offset: fake.At(196), Times: 1, RemoveAt: fake.At(3)}},
			func(all []string) []string { return append(all, "p-new") }, 2, ""},
		{"a person added after the reading position: no restart", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(49), Times: 1, Insert: &newcomer, InsertAt: 400}},
			func(all []string) []string { return append(all, "p-new") }, 0, ""},
		{"the site changes on every read", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(49), Insert: &fake.Person{Lastname: "Again"}}},
			nil, 3, "the site kept changing while it was read"},
		{"an empty page where the overlap row should be", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(98), Times: 1, EmptyPage: true}},
			func(all []string) []string { return all }, 1, ""},
		{"an empty first page with a next_cursor: read on past it", []fake.Fault{
			{Route: fake.RouteList, Offset: fake.At(0), Times: 1, EmptyPage: true}},
			func(all []string) []string { return all[50:] }, 0, ""},
		{"a null row", []fake.Fault{{Route: fake.RouteList, Offset: fake.At(98), Row: json.RawMessage(`null`), RowAt: 3}},
			nil, 0, "the page at offset 98 cannot be read: row 4 is null, not an object"},
		{"a number", []fake.Fault{{Route: fake.RouteList, Offset: fake.At(49), Row: json.RawMessage(`42`), RowAt: 7}},
			nil, 0, "the page at offset 49 cannot be read: row 8 is a number, not an object"},
		{"a text", []fake.Fault{{Route: fake.RouteList, Offset: fake.At(147), Row: json.RawMessage(`"x"`), RowAt: 0}},
			nil, 0, "the page at offset 147 cannot be read: row 1 is text, not an object"},
		{"a list", []fake.Fault{{Route: fake.RouteList, Offset: fake.At(0), Row: json.RawMessage(`[{"uuid":"p-x"}]`), RowAt: 49}},
			nil, 0, "the page at offset 0 cannot be read: row 50 is an array, not an object"},
		{"a person without uuid", []fake.Fault{{Route: fake.RouteList, Offset: fake.At(196), Row: json.RawMessage(`{"lastname":"Nobody"}`), RowAt: 20}},
			nil, 0, "the page at offset 196 cannot be read: row 21 has no uuid"},
		{"a uuid twice, in other casing", []fake.Fault{{Route: fake.RouteList, Offset: fake.At(147), Row: json.RawMessage(`{"uuid":"P-00003","lastname":"L3"}`), RowAt: 10}},
			func(all []string) []string { return slices.Delete(slices.Clone(all), 157, 158) }, 0, ""},
	}
	for _, tt := range tests {
		for _, concurrency := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s, concurrency %d", tt.name, concurrency), func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, fake.Options{MaxPageSize: 50}, manyPersons(300)...)
				all := make([]string, 300)
				for i := range all {
					all[i] = fmt.Sprintf("p-%05d", i)
				}
				for _, f := range tt.faults {
					h.fake.AddFault(f)
				}
				got, stats, err := scanAll(t, h.client, 50, concurrency)
				assert.Equal(t, tt.restarts, stats.Restarts)
				if tt.want == nil {
					require.Error(t, err)
					assert.ErrorIs(t, err, map[bool]error{true: ipassan.ErrSiteChanging, false: ipassan.ErrProtocol}[tt.restarts > 0])
					assert.Contains(t, err.Error(), tt.failure)
					return
				}
				require.NoError(t, err)
				assert.ElementsMatch(t, tt.want(all), got, "every person present throughout, once")
				seen := map[string]bool{}
				for _, id := range got {
					assert.False(t, seen[strings.ToLower(id)], "%s handed to fn twice", id)
					seen[strings.ToLower(id)] = true
				}
			})
		}
	}
}

// A read that starts again hands on only what fn has not had, and says in
// its stats what it cost.
func TestScanRestartsHandOnlyWhatIsNew(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(45)...)
	h.fake.AddFault(fake.Fault{Route: fake.RouteList, Offset: fake.At(18), Times: 1, Insert: &fake.Person{UUID: "p-first", Lastname: "First"}})
	var got []string
	var pages []int
	stats, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 10, Concurrency: 1, OnPage: func(n int) { pages = append(pages, n) }},
		func(p ipassan.Person) error { got = append(got, p.UUID); return nil })
	require.NoError(t, err)
	want := []string{}
	for i := range 45 {
		want = append(want, fmt.Sprintf("p-%05d", i))
	}
	// First pass: pages 0-9 and 9-18 handed on; the page at 18 begins with
	// p-00017, not p-00018: the site shifted. Second pass: p-first, then
	// the persons not handed yet.
	assert.Equal(t, append(append(slices.Clone(want[:19]), "p-first"), want[19:]...), got)
	assert.Equal(t, 1, stats.Restarts)
	assert.Equal(t, 46, stats.Persons)
	assert.Equal(t, 5, stats.Pages, "pages of the pass that completed: 0-9, 9-18, 18-27, 27-36, 36-45")
	assert.Equal(t, 3+5, stats.Requests)
	assert.Equal(t, []int{10, 9, 10, 9, 9, 9, 9}, pages)
}

func TestScanKeepsOnlyWhatKeepSays(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(95)...)
	var got []string
	stats, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 10, Concurrency: 4,
		Keep: func(p ipassan.Person) bool { return strings.HasSuffix(p.Number, "7") }},
		func(p ipassan.Person) error { got = append(got, p.Number); return nil })
	require.NoError(t, err)
	assert.Equal(t, 95, stats.Persons)
	assert.Equal(t, []string{"10007", "10017", "10027", "10037", "10047", "10057", "10067", "10077", "10087"}, got)
}

func TestScanStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(200)...)
	stop := errors.New("enough")
	n := 0
	_, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 10, Concurrency: 4},
		func(ipassan.Person) error {
			n++
			if n == 15 {
				return stop
			}
			return nil
		})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 15, n)

	// A fresh fake: requests the first scan abandoned may still arrive at the
	// old one and use up its faults.
	h = newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(200)...)
	h.fake.AddFault(fake.Fault{Route: fake.RouteList, Delay: 1, Times: 3})
	h.fake.AddFault(fake.Fault{Route: fake.RouteList, Status: 500})
	n = 0
	_, err = h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 10, Concurrency: 1},
		func(ipassan.Person) error { n++; return nil })
	assert.ErrorIs(t, err, ipassan.ErrServer)
	assert.Equal(t, 10+9+9, n, "the pages before the failure were handed on, in order")
}

func TestScanSurvivesRateLimiting(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(300)...)
	h.fake.AddFault(fake.Fault{Route: fake.RouteList, Status: 429, Times: 3})
	got, stats, err := scanAll(t, h.client, 10, 8)
	require.NoError(t, err)
	require.Len(t, got, 300)
	for i, id := range got {
		require.Equal(t, fmt.Sprintf("p-%05d", i), id)
	}
	assert.Equal(t, 1+33, stats.Pages, "10 rows, then 9 new ones a page")
}

// The lists of the admin tree keep the same promises: past empty pages, no
// row without uuid, each uuid once.
func TestBasesAndSitesAreCompleteOrFail(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fake.Options{MaxPageSize: 1})
	var names []string
	for b, err := range h.client.Bases(context.Background()) {
		require.NoError(t, err)
		for s, err := range h.client.Sites(context.Background(), b.UUID) {
			require.NoError(t, err)
			names = append(names, s.Name)
		}
	}
	assert.Equal(t, []string{"Main", "Annex"}, names, "sites one a page")

	h.fake.AddFault(fake.Fault{Route: fake.RouteSites, Offset: fake.At(1), Row: json.RawMessage(`{"name":"No uuid"}`)})
	var err error
	for _, err = range h.client.Sites(context.Background(), "b-1") {
		if err != nil {
			break
		}
	}
	require.ErrorIs(t, err, ipassan.ErrProtocol)
	assert.Contains(t, err.Error(), "the page at offset 1 cannot be read: row 1 has no uuid")
}
