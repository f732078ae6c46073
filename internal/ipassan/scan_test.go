package ipassan_test

import (
	"context"
	"errors"
	"fmt"
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

// A concurrent scan must see exactly what reading page after page sees,
// whatever the server clamps or however it shapes its cursor.
func TestScanEqualsASequentialRead(t *testing.T) {
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts, manyPersons(tt.persons)...)
			var want []string
			_, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: tt.pageSize, Concurrency: 1},
				func(p ipassan.Person) error { want = append(want, p.UUID); return nil })
			require.NoError(t, err)
			require.Len(t, want, tt.persons)
			sequentialPages := h.fake.Count(fake.RouteList)

			var got []string
			stats, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: tt.pageSize, Concurrency: 8},
				func(p ipassan.Person) error { got = append(got, p.UUID); return nil })
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, tt.persons, stats.Persons)
			assert.Equal(t, tt.concurrent, stats.Concurrent)
			assert.Equal(t, sequentialPages, stats.Pages)
			wasted := h.fake.Count(fake.RouteList) - 2*sequentialPages
			assert.GreaterOrEqual(t, wasted, 0)
			assert.Less(t, wasted, 8, "at most one window of pages asked past the end")
		})
	}
}

func TestScanKeepsOnlyWhatKeepSays(t *testing.T) {
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
	assert.Equal(t, 30, n, "the pages before the failure were handed on, in order")
}

func TestScanSurvivesRateLimiting(t *testing.T) {
	h := newHarness(t, fake.Options{MaxPageSize: 10}, manyPersons(300)...)
	h.fake.AddFault(fake.Fault{Route: fake.RouteList, Status: 429, Times: 3})
	var got []string
	stats, err := h.client.Scan(context.Background(), ipassan.ScanOptions{PageSize: 10, Concurrency: 8},
		func(p ipassan.Person) error { got = append(got, p.UUID); return nil })
	require.NoError(t, err)
	require.Len(t, got, 300)
	for i, id := range got {
		require.Equal(t, fmt.Sprintf("p-%05d", i), id)
	}
	assert.Equal(t, 30, stats.Pages)
}
