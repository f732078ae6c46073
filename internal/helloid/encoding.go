package helloid

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// ToUTF8 returns raw as UTF-8 text without a byte-order mark. Windows PowerShell
// writes UTF-8 with or without a BOM, or UTF-16 ("Unicode") with one, depending on
// the cmdlet and version; all arrive here. UTF-16 without a BOM is recognised when
// the text starts with an ASCII character, as every JSON document does.
func ToUTF8(raw []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(raw, bomUTF8):
		raw = raw[len(bomUTF8):]
	case bytes.HasPrefix(raw, bomUTF16LE):
		return fromUTF16(raw[2:], false)
	case bytes.HasPrefix(raw, bomUTF16BE):
		return fromUTF16(raw[2:], true)
	case len(raw) >= 2 && raw[0] != 0 && raw[1] == 0:
		return fromUTF16(raw, false)
	case len(raw) >= 2 && raw[0] == 0 && raw[1] != 0:
		return fromUTF16(raw, true)
	}
	if i := invalidUTF8At(raw); i >= 0 {
		return nil, fmt.Errorf("the input is not valid UTF-8 (bad byte 0x%02X at offset %d); send UTF-8 or UTF-16 with a byte-order mark", raw[i], i)
	}
	return raw, nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func fromUTF16(b []byte, bigEndian bool) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, errors.New("the input looks like UTF-16 but has an odd number of bytes (truncated?)")
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	out := make([]byte, 0, len(units))
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case utf16.IsSurrogate(rune(u)):
			if i+1 < len(units) {
				if r := utf16.DecodeRune(rune(u), rune(units[i+1])); r != utf8.RuneError {
					out = utf8.AppendRune(out, r)
					i++
					continue
				}
			}
			return nil, fmt.Errorf("the input is not valid UTF-16 (unpaired surrogate at offset %d)", 2*i)
		default:
			out = utf8.AppendRune(out, rune(u))
		}
	}
	return out, nil
}
