// Package textenc turns the text encodings Windows tools write into UTF-8.
package textenc

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
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
// the text starts with an ASCII character, as every JSON document does. Bytes
// that are not UTF-8 are an error.
func ToUTF8(raw []byte) ([]byte, error) {
	text, isUTF16, err := unmark(raw)
	if err != nil || isUTF16 {
		return text, err
	}
	if i := InvalidUTF8At(text); i >= 0 {
		return nil, fmt.Errorf("the input is not valid UTF-8 (bad byte 0x%02X at offset %d); send UTF-8 or UTF-16 with a byte-order mark", text[i], i)
	}
	return text, nil
}

// ToUTF8OrWindows1252 is ToUTF8 for files people edit by hand: text that is not
// valid UTF-8 is read as Windows-1252, the code page Excel saves CSV in on
// western European Windows. guessed reports that fallback.
func ToUTF8OrWindows1252(raw []byte) (text []byte, guessed bool, err error) {
	text, isUTF16, err := unmark(raw)
	if err != nil || isUTF16 {
		return text, false, err
	}
	if InvalidUTF8At(text) >= 0 {
		return FromWindows1252(text), true, nil
	}
	return text, false, nil
}

// unmark strips a byte-order mark and converts UTF-16 to UTF-8.
func unmark(raw []byte) (text []byte, isUTF16 bool, err error) {
	switch {
	case bytes.HasPrefix(raw, bomUTF8):
		return raw[len(bomUTF8):], false, nil
	case bytes.HasPrefix(raw, bomUTF16LE):
		text, err = fromUTF16(raw[2:], false)
	case bytes.HasPrefix(raw, bomUTF16BE):
		text, err = fromUTF16(raw[2:], true)
	case len(raw) >= 2 && raw[0] != 0 && raw[0] < utf8.RuneSelf && raw[1] == 0:
		text, err = fromUTF16(raw, false)
	case len(raw) >= 2 && raw[0] == 0 && raw[1] != 0 && raw[1] < utf8.RuneSelf:
		text, err = fromUTF16(raw, true)
	default:
		return raw, false, nil
	}
	return text, true, err
}

// FromWindows1252 decodes text saved in the Windows "ANSI" code page of western
// Europe, which Excel and Windows PowerShell 5.1 write by default.
func FromWindows1252(raw []byte) []byte {
	out := make([]byte, 0, len(raw)+len(raw)/8)
	for _, b := range raw {
		r := rune(b)
		if b >= 0x80 && b <= 0x9F {
			r = cp1252[b-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// cp1252 maps 0x80–0x9F; the rest of the code page equals Latin-1.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// InvalidUTF8At returns the offset of the first byte that is not valid UTF-8,
// or -1.
func InvalidUTF8At(b []byte) int {
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

// maxQuoted bounds how much of a value a message repeats.
const maxQuoted = 80

// Quote quotes a value for a message, Go-style (control characters escaped, so
// a newline in a lookup key shows as \n), cut to 80 characters: a hostile 10 MB
// value must not become a 10 MB audit log.
func Quote(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		return strconv.Quote(string(r[:maxQuoted])) + fmt.Sprintf("… (%d characters)", len(r))
	}
	return strconv.Quote(s)
}
