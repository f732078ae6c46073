package siteindex

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largeSite is the measured case: 100,000 persons, three fields.
const largeSite = 100_000

var largeKey = Key{BaseURL: "https://ipassan.example.com", SiteID: "site-a", Fields: []string{"number", "mail", "employeeId"}}

// largePerson is person i of the large site, made on the fly so the test
// itself holds no site in memory.
func largePerson(i int) (string, map[string]string) {
	return fmt.Sprintf("6f1c2d3e-%04x-4000-8000-%012x", i%0x10000, i), map[string]string{
		"number":     fmt.Sprintf("%06d", 100000+i),
		"mail":       fmt.Sprintf("Persoon.%06d@zoë-example.org", i),
		"employeeId": fmt.Sprintf("E%07d", i),
	}
}

// peakHeap runs fn and reports the most heap it held above where it started,
// sampled every 200 µs (as the README's performance table does), with the
// bytes it allocated in all as an upper bound.
func peakHeap(fn func()) (peak, allocated uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	read := func() (uint64, uint64) {
		metrics.Read(sample)
		return sample[0].Value.Uint64(), sample[1].Value.Uint64()
	}
	runtime.GC()
	base, allocsBefore := read()
	var most uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			if live, _ := read(); live > most {
				most = live
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	if live, _ := read(); live > most {
		most = live
	}
	_, allocsAfter := read()
	if most > base {
		peak = most - base
	}
	return peak, allocsAfter - allocsBefore
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// TestHundredThousandPersons measures what go-live pays: building and saving
// the index of a 100,000-person site, and one lookup (every correlating
// create makes one). Not parallel, so no other test disturbs the heap.
func TestHundredThousandPersons(t *testing.T) {
	if testing.Short() {
		t.Skip("measures a 100,000-person index")
	}
	ctx := context.Background()
	ix := Index{Path: PathIn(filepath.Join(t.TempDir(), "site-index"), largeKey), Key: largeKey, MaxAge: 10 * time.Minute}

	start := time.Now()
	for i := range largeSite {
		_, _ = largePerson(i)
	}
	generateTime := time.Since(start) // the test's own share of the build

	var buildTime time.Duration
	buildPeak, _ := peakHeap(func() {
		start := time.Now()
		b, err := ix.NewBuilder(t0)
		require.NoError(t, err)
		for i := range largeSite {
			uuid, values := largePerson(i)
			require.NoError(t, b.Add(uuid, values))
		}
		require.NoError(t, b.Save(ctx))
		buildTime = time.Since(start)
	})
	info, err := os.Stat(ix.Path)
	require.NoError(t, err)

	last, lastValues := largePerson(largeSite - 1)
	var got []string
	var lookupTime time.Duration
	lookupPeak, lookupAllocs := peakHeap(func() {
		start := time.Now()
		got, err = ix.Lookup(ctx, t0.Add(time.Minute), "mail", "persoon.099999@ZOË-EXAMPLE.ORG")
		lookupTime = time.Since(start)
	})
	require.NoError(t, err)
	assert.Equal(t, []string{last}, got)

	start = time.Now()
	require.NoError(t, ix.Add(ctx, t0.Add(time.Minute), "new-person", map[string]string{"number": "999999"}))
	addTime := time.Since(start)
	got, err = lookup(ix, t0.Add(time.Minute), "employeeId", lastValues["employeeId"])
	require.NoError(t, err)
	assert.Equal(t, []string{last}, got)

	t.Logf("%d persons, 3 fields: file %.1f MB; build+save %v (not counting %v making the test's persons), peak heap growth %.1f MB; "+
		"lookup %v, peak heap growth %.2f MB (%.2f MB allocated); point add %v",
		largeSite, mb(uint64(info.Size())), (buildTime - generateTime).Round(time.Millisecond), generateTime.Round(time.Millisecond), mb(buildPeak),
		lookupTime.Round(time.Millisecond), mb(lookupPeak), mb(lookupAllocs), addTime.Round(time.Millisecond))
	assert.Less(t, mb(buildPeak), 8.0, "the builder spools to disk")
	assert.Less(t, mb(lookupAllocs), 1.0, "a lookup streams the file")
	if !raceEnabled {
		assert.Less(t, lookupTime, time.Second, "a lookup is tens of milliseconds (a second only on a machine under load)")
	}
}

func benchmarkIndex(b *testing.B) Index {
	b.Helper()
	ix := Index{Path: PathIn(b.TempDir(), largeKey), Key: largeKey, MaxAge: time.Hour}
	bld, err := ix.NewBuilder(t0)
	require.NoError(b, err)
	for i := range largeSite {
		uuid, values := largePerson(i)
		require.NoError(b, bld.Add(uuid, values))
	}
	require.NoError(b, bld.Save(context.Background()))
	return ix
}

// BenchmarkLookup: one lookup in a 100,000-person index.
func BenchmarkLookup(b *testing.B) {
	ix := benchmarkIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		got, err := ix.Lookup(context.Background(), t0, "number", "199999")
		if err != nil || len(got) != 1 {
			b.Fatal(got, err)
		}
	}
}

// BenchmarkBuildAndSave: a full read's 100,000 persons added and saved.
func BenchmarkBuildAndSave(b *testing.B) {
	ix := Index{Path: PathIn(b.TempDir(), largeKey), Key: largeKey, MaxAge: time.Hour}
	uuids, values := make([]string, largeSite), make([]map[string]string, largeSite)
	for i := range largeSite {
		uuids[i], values[i] = largePerson(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		bld, err := ix.NewBuilder(t0)
		require.NoError(b, err)
		for i := range largeSite {
			_ = bld.Add(uuids[i], values[i])
		}
		require.NoError(b, bld.Save(context.Background()))
	}
}

// BenchmarkPointAdd: a create's person added to a 100,000-person index.
func BenchmarkPointAdd(b *testing.B) {
	ix := benchmarkIndex(b)
	b.ReportAllocs()
	for b.Loop() {
		require.NoError(b, ix.Add(context.Background(), t0, "new-person", map[string]string{"number": "999999"}))
	}
}
