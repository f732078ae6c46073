package helloid_test

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
)

// memoryLimit is the contract's bound: no input makes the connector use more
// than 256 MB.
const memoryLimit = 256 << 20

// contextOf builds a context of exactly size bytes whose Data.x holds a
// value repeated: head, then unit as often as fits (separated by commas),
// then tail.
func contextOf(size int, head, unit, tail string) []byte {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(`{"actionContext":{"Data":{"x":`)
	b.WriteString(head)
	end := `}},"personContext":{}}`
	for i := 0; b.Len()+len(unit)+1 <= size-len(tail)-len(end); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(unit)
	}
	b.WriteString(tail)
	b.WriteString(end)
	return b.Bytes()
}

// tinyKeys builds a context of about size bytes whose Data holds distinct
// one-letter-and-digits keys with tiny values.
func tinyKeys(size int) []byte {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(`{"actionContext":{"Data":{`)
	end := `}}}`
	for i := 0; b.Len()+24 < size-len(end); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"%x":0`, i)
	}
	b.WriteString(end)
	return b.Bytes()
}

// raceDetector reports a test binary built with -race.
func raceDetector() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// usage is what decoding one input cost: every byte allocated while it ran
// (an upper bound of the heap it can have grown by, whatever the garbage
// collector did), and the largest heap seen by sampling every millisecond.
type usage struct {
	allocated uint64
	peakHeap  uint64
}

func measure(t *testing.T, raw []byte) (usage, error) {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	var (
		wg   sync.WaitGroup
		peak uint64
		done = make(chan struct{})
	)
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	c, err := helloid.Decode(raw)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	close(done)
	wg.Wait()
	runtime.KeepAlive(c)
	peak = max(peak, after.HeapAlloc)
	return usage{allocated: after.TotalAlloc - before.TotalAlloc, peakHeap: peak - min(peak, before.HeapAlloc)}, err
}

// A context at the size limit made of the smallest values JSON has must
// decode within the memory the contract allows, with the input itself
// counted; a shape that would need more is refused with a clear error,
// never decoded past the limit.
//
// Under the race detector, which makes decoding some twenty times slower,
// the shapes that must decode are built at a sixty-fourth of the size and
// held to a sixty-fourth of the bound: what they cost grows linearly with
// their size.
func TestContextsAtTheSizeLimitDecodeWithinTheMemoryLimit(t *testing.T) {
	size, limit := helloid.MaxContextBytes, uint64(memoryLimit)
	if raceDetector() {
		size, limit = size/64, limit/64
	}
	full := helloid.MaxContextBytes
	tests := []struct {
		name    string
		raw     []byte
		refused string // "" when it must decode
	}{
		{"empty objects", contextOf(size, "[", "{}", "]"), ""},
		{"empty arrays", contextOf(size, "[", "[]", "]"), ""},
		{"distinct tiny keys", tinyKeys(size), ""},
		{"one-key objects", contextOf(size, "[", `{"a":0}`, "]"), ""},
		{"digits", contextOf(size, "[", "0", "]"), ""},
		{"short texts", contextOf(size, "[", `"a"`, "]"), ""},
		{"booleans and nulls", contextOf(size, "[", "true,null", "]"), ""},
		{"one long text", []byte(`{"actionContext":{"Data":{"x":"` + strings.Repeat("é", (size-64)/2) + `"}}}`), ""},
		// Refused before anything is built, so always at the full size.
		{"arrays of one", contextOf(full, "[", "[0]", "]"), "memory"},
		{"nested arrays of one", contextOf(full, "[", strings.Repeat("[", 20)+"0"+strings.Repeat("]", 20), "]"), "memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.refused != "" {
				if raceDetector() {
					t.Skip("refusing takes a full-size context; internal/object's TestDecodeCostIsBoundedAndHonest proves the refusal under -race")
				}
				size, limit = full, memoryLimit
			}
			require.LessOrEqual(t, len(tt.raw), size)
			require.Greater(t, len(tt.raw), size-64)
			u, err := measure(t, tt.raw)
			t.Logf("%s: %d bytes in, %.1f MiB allocated, peak heap +%.1f MiB, err %v",
				tt.name, len(tt.raw), float64(u.allocated)/(1<<20), float64(u.peakHeap)/(1<<20), err)
			if tt.refused == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.refused)
			}
			assert.Less(t, uint64(len(tt.raw))+u.allocated, limit,
				"the input and everything decoding it allocated stay under 256 MB (scaled to the input)")
		})
	}
}

// The contract refuses a context larger than 16 MB; 16 MB itself is read.
func TestContextOver16MBIsRefused(t *testing.T) {
	t.Parallel()
	text := func(size int) []byte {
		head, tail := `{"actionContext":{"Data":{"x":"`, `"}}}`
		return []byte(head + strings.Repeat("a", size-len(head)-len(tail)) + tail)
	}
	_, err := helloid.Read(bytes.NewReader(text(16_000_001)))
	require.Error(t, err)
	assert.Equal(t, "the context is larger than 16 MB (16000000 bytes)", err.Error())

	c, err := helloid.Read(bytes.NewReader(text(16_000_000)))
	require.NoError(t, err)
	assert.NotNil(t, c)
}
