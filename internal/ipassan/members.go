package ipassan

import (
	"bytes"
	"encoding/json"
	"errors"
)

// A site is read whole for every correlation and import, so persons are
// decoded with a small scanner over JSON that encoding/json has already
// validated (a Decoder or Unmarshal always checks before calling
// UnmarshalJSON), instead of decoding each person into a map and each field
// again. It walks the members of one object without allocating for them.

var errNotObject = errors.New("not a JSON object")

// eachMember calls fn for every member of the JSON object b, with the key
// unescaped and the value as raw JSON (both usually subslices of b, so fn
// must copy what it keeps). b must be valid JSON.
func eachMember(b []byte, fn func(key, raw []byte)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return errNotObject
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i++
			continue
		}
		end := stringEnd(b, i)
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			key = []byte(jsonString(b[i:end]))
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // the colon
		vEnd := valueEnd(b, i)
		fn(key, b[i:vEnd])
		i = vEnd
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string starting at b[i] == '"':
// the next quote not escaped by an odd run of backslashes.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); {
		q := bytes.IndexByte(b[j:], '"')
		if q < 0 {
			return len(b)
		}
		j += q
		slashes := 0
		for k := j - 1; k > i && b[k] == '\\'; k-- {
			slashes++
		}
		if slashes%2 == 0 {
			return j + 1
		}
		j++
	}
	return len(b)
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	return j
}

// jsonString unquotes a JSON string; without escapes it is a plain copy.
func jsonString(raw []byte) string {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}

// eachElement calls fn for every element of the JSON array b (valid JSON)
// until fn returns false.
func eachElement(b []byte, fn func(raw []byte) bool) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return errors.New("not a JSON array")
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return errors.New("not a JSON array")
		}
		switch b[i] {
		case ']':
			return nil
		case ',':
			i++
			continue
		}
		end := valueEnd(b, i)
		if !fn(b[i:end]) {
			return nil
		}
		i = end
	}
}
