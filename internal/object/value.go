package object

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Text returns a scalar as text: strings as they are, numbers as written, booleans
// as "true"/"false" and null as "". It reports false for objects and arrays, which
// have no text form. This is how the binary compares "2" with 2.
func Text(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", true
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		return strconv.FormatBool(t), true
	case int:
		return strconv.Itoa(t), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}

// Bool reads a boolean that may arrive as true, "true", "True", "1", 1 or "yes"
// (HelloID's forms send text). ok is false when v is not recognisably boolean.
func Bool(v any) (value, ok bool) {
	if b, isBool := v.(bool); isBool {
		return b, true
	}
	s, isText := Text(v)
	if !isText {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off", "":
		return false, true
	}
	return false, false
}

// Int reads a whole number that may arrive as 500 or "500".
func Int(v any) (int, bool) {
	s, ok := Text(v)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}
