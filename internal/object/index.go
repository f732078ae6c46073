package object

import (
	"hash/maphash"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldIndex finds the keys of a large object without regard to case: an
// open-addressing table of member positions, hashed on the folded key. It
// takes 4 bytes a slot and at least two slots a key, where a map of folded
// key strings took about fifty bytes a key and an allocation for each.
type foldIndex struct {
	slots []int32 // position+1 of a member; 0 is free. A power of two long.
}

// foldSeed is random per process, so that no input can be built to make
// every key of an object collide.
var foldSeed = maphash.MakeSeed()

func newFoldIndex(keys int) *foldIndex {
	return &foldIndex{slots: make([]int32, indexSlots(keys))}
}

// indexSlots is the table's length for keys keys: a power of two, at least
// twice as many.
func indexSlots(keys int) int {
	n := 32
	for n < 2*keys {
		n <<= 1
	}
	return n
}

// roomFor reports whether the table stays at most half full with n keys.
func (x *foldIndex) roomFor(n int) bool { return 2*n <= len(x.slots) }

func (x *foldIndex) find(members []member, key string) int {
	mask := len(x.slots) - 1
	for i := int(hashFold(key)) & mask; ; i = (i + 1) & mask {
		p := x.slots[i]
		if p == 0 {
			return -1
		}
		if k := members[p-1].key; k == key || strings.EqualFold(k, key) {
			return int(p - 1)
		}
	}
}

func (x *foldIndex) insert(members []member, pos int) {
	mask := len(x.slots) - 1
	for i := int(hashFold(members[pos].key)) & mask; ; i = (i + 1) & mask {
		if x.slots[i] == 0 {
			x.slots[i] = int32(pos + 1)
			return
		}
	}
}

// hashFold hashes key so that two keys strings.EqualFold calls equal hash
// alike: every rune stands for its case-folding orbit by the orbit's
// smallest rune (for an ASCII letter, its capital).
func hashFold(key string) uint64 {
	var buf [64]byte
	var h maphash.Hash
	streaming := false
	n := 0
	for i := 0; i < len(key); {
		if n > len(buf)-utf8.UTFMax {
			if !streaming {
				h.SetSeed(foldSeed)
				streaming = true
			}
			_, _ = h.Write(buf[:n])
			n = 0
		}
		if c := key[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			buf[n] = c
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(key[i:])
		n += utf8.EncodeRune(buf[n:], leastFold(r))
		i += size
	}
	if !streaming {
		return maphash.Bytes(foldSeed, buf[:n])
	}
	_, _ = h.Write(buf[:n])
	return h.Sum64()
}

// leastFold is the smallest rune of r's case-folding orbit.
func leastFold(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}
