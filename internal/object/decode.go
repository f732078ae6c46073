package object

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MaxDepth is how deeply objects and arrays may nest. HelloID's persons nest
// about eight levels; anything far deeper is hostile or broken input.
const MaxDepth = 100

// MaxDecodeMemory bounds the memory one decoded value may take. HelloID
// contexts are limited to 16 MB, and the connector promises to stay under
// 256 MB whatever the input: a context of 16 MB made of the smallest values
// (`[{},{},…]`, `[0,0,…]`, thousands of tiny keys) fits below this bound,
// while shapes that cost far more memory than bytes (arrays of one-element
// arrays nested twenty deep) are refused before anything is built.
const MaxDecodeMemory = 192 << 20

// Decode parses one JSON value. Objects become *Object, arrays []any, numbers
// json.Number (so "500" and 500 keep their text), strings, bools and nil stay
// themselves. Two keys of one object that differ only in case are an error, as
// they are for PowerShell's ConvertFrom-Json: the binary cannot know which one
// HelloID meant.
//
// It reads the input twice with the scanner of scan.go: the first pass
// validates it, counts the entries of every large container and adds up the
// memory the result will take (refusing more than MaxDecodeMemory); the
// second builds the result with every slice allocated at its final size, so
// decoding leaves no garbage behind and a context of millions of tiny values
// costs a small multiple of its size (measured in
// internal/helloid/limits_test.go). Inputs under onePassBelow (every real
// context, every HelloID person) are built in one pass. Decoding a HelloID
// person takes about two thirds of the time encoding/json takes to decode it
// into maps (BenchmarkDecodePerson against BenchmarkDecodePersonEncodingJSON,
// measured in CPU time on the project's 2-CPU build machine).
func Decode(data []byte) (any, error) {
	d := decoder{s: scanner{b: data}}
	v, err := d.decode()
	if err != nil {
		return nil, err
	}
	if d.s.skipSpace(); d.s.i < len(d.s.b) {
		return nil, d.s.errorAt("unexpected data after the JSON value")
	}
	return v, nil
}

// DecodeObject parses data that must hold one JSON object.
func DecodeObject(data []byte) (*Object, error) {
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*Object)
	if !ok {
		return nil, fmt.Errorf("expected a JSON object, got %s", Kind(v))
	}
	return o, nil
}

// DecodeEach parses a JSON array one element at a time, handing each to fn
// and keeping none: a file of fifty thousand persons never exists as one tree.
// It stops at fn's first error.
func DecodeEach(data []byte, fn func(index int, v any) error) error {
	r := NewReader(data)
	if r.Type() != TypeArray {
		return r.s.unexpected("a JSON array")
	}
	err := r.Array(func(n int) error {
		v, err := r.Value()
		if err != nil {
			return err
		}
		return fn(n, v)
	})
	if err != nil {
		return err
	}
	return r.End()
}

// Kind names the JSON type of a decoded value, for error messages.
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case *Object:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "text"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// onePassBelow: an input shorter than this is built in one pass, slices
// growing as they go. Its result cannot come near MaxDecodeMemory (the most
// any JSON takes is about twenty times its size), and the little garbage
// left by growing slices does not matter; skipping the first pass makes
// HelloID persons (a few kilobytes each, fifty thousand in a plan) decode
// faster.
const onePassBelow = 64 << 10

// inline is how many entries of a container are gathered on the stack before
// the container's counted size (from the first pass) is needed.
const inline = 8

// decoder holds the two passes over one value.
type decoder struct {
	s        scanner
	counts   []int32 // entries of each container with more than inline of them, in the order their entry inline+1 is reached
	next     int     // the next count the build pass takes
	cost     int     // memory the result will take, as the first pass adds it up
	values   int     // values in the input, for the message when it is too much
	budget   int     // most cost allowed; 0 means MaxDecodeMemory
	keysSeen int
	keys     map[string]string
	// onePass builds without measuring first (small inputs, see
	// onePassBelow); twoPass forbids it (tests compare the two).
	onePass, twoPass bool
}

// decode measures the value at d.s.i, then builds it.
func (d *decoder) decode() (any, error) {
	d.s.skipSpace()
	start, depth := d.s.i, len(d.s.frames)
	d.counts, d.next, d.cost, d.values, d.keysSeen = d.counts[:0], 0, 0, 0, 0
	if d.onePass = len(d.s.b)-start < onePassBelow && d.budget == 0 && !d.twoPass; d.onePass {
		return d.build()
	}
	d.s.rawKeys = true // measure only needs their length
	err := d.measure()
	d.s.rawKeys = false
	if err != nil {
		return nil, err
	}
	budget := d.budget
	if budget <= 0 {
		budget = MaxDecodeMemory
	}
	if d.cost > budget {
		line, col := Position(d.s.b, start)
		return nil, fmt.Errorf("the JSON value at line %d, column %d holds %d values, which would take about %d MiB of memory, more than the %d MiB allowed",
			line, col, d.values, d.cost>>20, budget>>20)
	}
	d.s.i, d.s.frames = start, d.s.frames[:depth]
	return d.build()
}

// Memory the build pass takes, as Go allocates it: an 8-byte Object, 32
// bytes of object data and 32 a member; 16 an array element (its interface)
// and 24 for the slice header a non-empty array is boxed in; 16 for a boxed
// string or number, plus its text.
const (
	costObject     = 8
	costObjectData = 32
	costMember     = 32
	costElement    = 16
	costArrayBox   = 24
	costScalarBox  = 16
	costIndexSlot  = 4
	costIndex      = 24 // the foldIndex holding the slots
	costCount      = 24 // a count of the first pass, with its slice's growth
	costInterned   = 96 // an entry of the key map, with its growth
)

// sizeClasses are the sizes Go's allocator rounds a small allocation up to
// (runtime/sizeclasses.go); larger ones take whole 8 KiB pages.
var sizeClasses = [...]int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
	2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
	12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// allocSize is what an allocation of n bytes takes.
func allocSize(n int) int {
	if n <= 0 {
		return 0
	}
	if n > sizeClasses[len(sizeClasses)-1] {
		return (n + 8191) &^ 8191
	}
	lo, hi := 0, len(sizeClasses)-1
	for lo < hi {
		if mid := (lo + hi) / 2; sizeClasses[mid] < n {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return sizeClasses[lo]
}

// pointersSize is what an allocation of n bytes holding pointers takes: from
// 512 bytes on, Go puts an 8-byte header in front of each small object.
func pointersSize(n int) int {
	if n > 512 && n <= sizeClasses[len(sizeClasses)-1]-8 {
		n += 8
	}
	return allocSize(n)
}

// textSize is what the bytes of a string take: short ones share 16-byte
// blocks (Go's tiny allocator), one-byte ones are static.
func textSize(n int) int {
	switch {
	case n <= 1:
		return 0
	case n < 16:
		return (n + 7) &^ 7
	}
	return allocSize(n)
}

// measure validates the value at d.s.i, counts its large containers and adds
// up what building it will cost.
func (d *decoder) measure() error {
	s := &d.s
	s.skipSpace()
	if s.i >= len(s.b) {
		return s.truncated()
	}
	d.values++
	switch c := s.b[s.i]; {
	case c == '{':
		n, slot := 0, -1
		err := s.members(func(key []byte) error {
			if n++; n == inline+1 {
				slot = len(d.counts)
				d.counts = append(d.counts, 0)
			}
			// key is as written: escapes make it longer than the key is.
			d.cost += textSize(len(key)) // whether interned or not
			if d.keysSeen++; d.keysSeen <= maxKeys && len(key) <= maxInterned {
				d.cost += costInterned
			}
			if hasByte(key, '\\') {
				d.cost += allocSize(len(key)) // unescaped into new bytes first
			}
			return d.measure()
		})
		if err != nil {
			return err
		}
		if slot >= 0 {
			d.counts[slot] = int32(n)
			d.cost += costCount
		}
		d.cost += costObject
		if n > 0 {
			d.cost += costObjectData + pointersSize(n*costMember)
		}
		if n > indexFrom {
			d.cost += costIndex + allocSize(indexSlots(n)*costIndexSlot)
		}
		return nil
	case c == '[':
		n, slot := 0, -1
		err := s.elements(func(int) error {
			if n++; n == inline+1 {
				slot = len(d.counts)
				d.counts = append(d.counts, 0)
			}
			return d.measure()
		})
		if err != nil {
			return err
		}
		if slot >= 0 {
			d.counts[slot] = int32(n)
			d.cost += costCount
		}
		if n > 0 {
			d.cost += costArrayBox + pointersSize(n*costElement)
		}
		return nil
	case c == '"':
		end, escaped, err := s.stringEnd()
		if err != nil {
			return err
		}
		if n := end - s.i - 2; n > 0 {
			d.cost += costScalarBox + textSize(n)
			if escaped {
				d.cost += allocSize(n) // unescaped into new bytes first
			}
		}
		s.i = end
		return nil
	case c == '-' || c >= '0' && c <= '9':
		n, err := s.number()
		if len(n) > 1 {
			d.cost += costScalarBox + textSize(len(n))
		}
		return err
	}
	return s.skip()
}

// emptyArray is every empty array: sharing one costs nothing, as appending to
// it allocates a new one.
var emptyArray any = []any{}

// digits are the one-digit numbers, boxed once.
var digits = func() (d [10]any) {
	for i := range d {
		d[i] = json.Number(string(rune('0' + i)))
	}
	return d
}()

// build makes the value at d.s.i, validating it as it goes (measure may
// have done so already).
func (d *decoder) build() (any, error) {
	s := &d.s
	s.skipSpace()
	if s.i >= len(s.b) {
		return nil, s.truncated()
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		start := s.i
		end, _, err := s.stringEnd()
		if err != nil {
			return nil, err
		}
		s.i = end
		return validUTF8Text(s.b[start:end]), nil
	case c == '-' || c >= '0' && c <= '9':
		n, err := s.number()
		if err != nil {
			return nil, err
		}
		if len(n) == 1 {
			return digits[n[0]-'0'], nil
		}
		return json.Number(n), nil
	case c == 't':
		return true, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return nil, s.literal("null")
	}
	return nil, s.unexpected("a value")
}

func (d *decoder) object() (*Object, error) {
	o := New()
	var small [inline]member
	n := 0
	err := d.s.members(func(raw []byte) error {
		key := d.key(raw)
		var at int
		if n > inline {
			at = o.find(key)
		} else {
			at = findIn(small[:n], key)
		}
		if at >= 0 {
			spelled := o.members()
			if n <= inline {
				spelled = small[:n]
			}
			return d.s.errorOf(d.s.frames[len(d.s.frames)-1].keyStart, "", fmt.Sprintf("%s has the key %q twice (as %q and %q); keys are case-insensitive",
				d.s.where(), key, spelled[at].key, key))
		}
		if n == inline {
			// The count is taken where the first pass recorded it: on
			// reaching this entry, before anything nested in it.
			o.d = &objectData{members: make([]member, inline, d.take())}
			copy(o.d.members, small[:])
			if cap(o.d.members) > indexFrom {
				o.d.reindex()
			}
		}
		v, err := d.build()
		if err != nil {
			return err
		}
		if n < inline {
			small[n] = member{key, v}
		} else {
			o.d.add(key, v)
		}
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n > 0 && n <= inline {
		o.d = &objectData{members: append([]member(nil), small[:n]...)}
	}
	return o, nil
}

func findIn(members []member, key string) int {
	for i := range members {
		if k := members[i].key; k == key || strings.EqualFold(k, key) {
			return i
		}
	}
	return -1
}

func (d *decoder) array() (any, error) {
	var small [inline]any
	var out []any
	n := 0
	err := d.s.elements(func(int) error {
		if n == inline {
			out = make([]any, inline, d.take()) // see object
			copy(out, small[:])
		}
		v, err := d.build()
		if err != nil {
			return err
		}
		if n < inline {
			small[n] = v
		} else {
			out = append(out, v)
		}
		n++
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return emptyArray, nil
	case n <= inline:
		out = append([]any(nil), small[:n]...)
	}
	return out, nil
}

// take is the counted size of the container being built.
func (d *decoder) take() int {
	if d.onePass {
		return 2 * inline // and append grows it
	}
	n := d.counts[d.next]
	d.next++
	return int(n)
}

// maxInterned and maxKeys bound key interning: a key repeated in every
// person of a list shares one string, while a flood of distinct keys does not
// grow a map of them.
const (
	maxInterned = 64
	maxKeys     = 1024
)

// key makes the string of an object key, sharing the string of an earlier
// equal key.
func (d *decoder) key(raw []byte) string {
	if len(raw) > maxInterned {
		return validUTF8(raw)
	}
	if k, ok := d.keys[string(raw)]; ok {
		return k
	}
	k := validUTF8(raw)
	if len(d.keys) < maxKeys {
		if d.keys == nil {
			d.keys = make(map[string]string, 32)
		}
		d.keys[k] = k
	}
	return k
}
