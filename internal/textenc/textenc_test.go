package textenc

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `{"naam":"Zoë Ĳsbrand d'Hondt 🚪"}`

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var out []byte
	order := binary.AppendByteOrder(binary.LittleEndian)
	if bigEndian {
		order = binary.BigEndian
	}
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"utf-8", []byte(sample)},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, sample...)},
		{"utf-16 le bom", utf16Bytes(sample, false, true)},
		{"utf-16 be bom", utf16Bytes(sample, true, true)},
		{"utf-16 le no bom", utf16Bytes(sample, false, false)},
		{"utf-16 be no bom", utf16Bytes(sample, true, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToUTF8(tt.in)
			require.NoError(t, err)
			assert.Equal(t, sample, string(got))
		})
	}
}

func TestToUTF8Rejects(t *testing.T) {
	_, err := ToUTF8([]byte("{\"a\":\"\xff\"}"))
	assert.ErrorContains(t, err, "not valid UTF-8 (bad byte 0xFF at offset 6)")
	_, err = ToUTF8(append([]byte{0xFF, 0xFE}, '{', 0, '"'))
	assert.ErrorContains(t, err, "odd number of bytes")
	_, err = ToUTF8([]byte{0xFF, 0xFE, 0x00, 0xD8, '{', 0})
	assert.ErrorContains(t, err, "unpaired surrogate")
}

func TestWindows1252Fallback(t *testing.T) {
	text, guessed, err := ToUTF8OrWindows1252([]byte("Financi\xeble administratie \x80 \x93x\x94"))
	require.NoError(t, err)
	assert.True(t, guessed)
	assert.Equal(t, "Financiële administratie € “x”", string(text))

	text, guessed, err = ToUTF8OrWindows1252([]byte("\xEF\xBB\xBFZoë"))
	require.NoError(t, err)
	assert.False(t, guessed)
	assert.Equal(t, "Zoë", string(text))
}
