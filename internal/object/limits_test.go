package object

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// repeated is about size bytes of a JSON array: unit, comma-separated.
func repeated(size int, unit string) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for b.Len()+len(unit)+2 <= size {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(unit)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func manyKeys(size int, format string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; b.Len()+40 <= size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, format, i)
	}
	b.WriteByte('}')
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

// allocated runs fn and returns the bytes it allocated.
func allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The first pass's estimate of what the result takes is what keeps a
// hostile input under the memory limit, so it must never be below what
// building really allocates, and should not be far above it (or real
// inputs would be refused). And an input over the budget is refused having
// allocated next to nothing.
func TestDecodeCostIsBoundedAndHonest(t *testing.T) {
	size := 1 << 20
	if raceDetector() {
		size = 1 << 17 // decoding is some twenty times slower; still past onePassBelow
	}
	person := repotest.Read(t, "testdata", "persons", "raet-ijsbrand-van-t-hof.json")
	shapes := map[string][]byte{
		"empty objects":          repeated(size, "{}"),
		"empty arrays":           repeated(size, "[]"),
		"one-key objects":        repeated(size, `{"a":0}`),
		"digits":                 repeated(size, "0"),
		"numbers":                repeated(size, "-12.5e3"),
		"short texts":            repeated(size, `"a"`),
		"escaped texts":          repeated(size, `"Zo\u00eb \"d'Hondt\""`),
		"arrays of one":          repeated(size, "[0]"),
		"nested arrays":          repeated(size, "[[[[[1,2]]]]]"),
		"arrays of nine":         repeated(size, "[1,2,3,4,5,6,7,8,9]"),
		"objects of nine keys":   repeated(size, `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9}`),
		"objects of twenty keys": repeated(size, `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":0,"k":1,"l":2,"m":3,"n":4,"o":5,"p":6,"q":7,"r":8,"s":9,"t":0}`),
		"distinct tiny keys":     manyKeys(size, `"%x":0`),
		"distinct escaped keys":  manyKeys(size, `"\u00e9%x":"v"`),
		"one long text":          []byte(`["` + strings.Repeat("é", size/2-8) + `"]`),
		"HelloID persons":        repeated(size, string(bytes.TrimSpace(person))),
	}
	for name, raw := range shapes {
		t.Run(name, func(t *testing.T) {
			d := decoder{s: scanner{b: raw}}
			var err error
			got := allocated(func() { _, err = d.decode() })
			require.NoError(t, err)
			t.Logf("%s: %d bytes, estimated %d, allocated %d (%.2f)", name, len(raw), d.cost, got, float64(d.cost)/float64(got))
			const slack = 64 << 10 // key interning, the counts, the test's own
			bound := uint64(d.cost + slack)
			if raceDetector() {
				// The race detector switches off the allocator's packing of
				// tiny strings: the binary is not built with it.
				bound += bound / 4
			}
			assert.LessOrEqual(t, got, bound, "never more than estimated")
			assert.LessOrEqual(t, uint64(d.cost), got+got/4+slack, "not far above what it takes")

			tight := decoder{s: scanner{b: raw}, budget: d.cost - 1}
			got = allocated(func() { _, err = tight.decode() })
			require.ErrorContains(t, err, "MiB allowed")
			assert.Less(t, got, uint64(tight.cost/8), "refused before building")
		})
	}
}
