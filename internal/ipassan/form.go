package ipassan

import (
	"net/url"
	"strings"
)

// Form is an ordered application/x-www-form-urlencoded body. Order is kept so
// that what is sent is what the audit log and the tests describe.
type Form struct{ fields []formField }

type formField struct{ key, value string }

// ClearValue is what IPassan takes as "empty this access slot".
const ClearValue = "null"

// Set adds key=value, replacing an earlier value of the same key.
func (f *Form) Set(key, value string) {
	for i := range f.fields {
		if f.fields[i].key == key {
			f.fields[i].value = value
			return
		}
	}
	f.fields = append(f.fields, formField{key, value})
}

// SetSlot sets an access slot to a profile GUID, or clears it when guid is "".
func (f *Form) SetSlot(slot, guid string) {
	if guid == "" {
		guid = ClearValue
	}
	f.Set(SlotKey(slot), guid)
}

// SlotKey is the form key of an access slot: accessType[doorPermanent].
func SlotKey(slot string) string { return FieldAccessType + "[" + slot + "]" }

// Len is the number of fields.
func (f Form) Len() int { return len(f.fields) }

// Keys lists the field names in order.
func (f Form) Keys() []string {
	out := make([]string, len(f.fields))
	for i, fld := range f.fields {
		out[i] = fld.key
	}
	return out
}

// Get returns the value of key.
func (f Form) Get(key string) (string, bool) {
	for _, fld := range f.fields {
		if fld.key == key {
			return fld.value, true
		}
	}
	return "", false
}

// Encode writes the body. Values are fully percent-encoded, so "&", "=", "+",
// "%" and diacritics arrive intact (the public connector's defect: it sent
// them raw). In keys the brackets of accessType[doorPermanent] stay literal, as
// the public connector sends them and as PHP-style servers expect.
func (f Form) Encode() string {
	var b strings.Builder
	for i, fld := range f.fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escapeKey(fld.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(fld.value))
	}
	return b.String()
}

func escapeKey(k string) string {
	return strings.NewReplacer("%5B", "[", "%5D", "]").Replace(url.QueryEscape(k))
}
