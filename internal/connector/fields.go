package connector

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// extensionKey holds values for the connector itself, never sent to IPassan.
const extensionKey = "_extension"

// LookupKeyPath is where HelloID puts the access-profile lookup value in Data.
const LookupKeyPath = extensionKey + ".accessProfileLookupKey"

// accountFields are the Data fields that go to IPassan: everything but
// _extension, each as text, under IPassan's spelling of known fields. Fields
// IPassan owns (uuid, architecture) and the access slots (changed only by
// enable, disable and permissions) are left out with a warning.
type accountField struct {
	Name  string // as sent to IPassan
	Key   string // as HelloID spelled it in Data
	Value string
}

// accountFields lists the Data fields to send, warning about the ones that
// are never sent.
func (c *Connector) accountFields(data *object.Object) ([]accountField, error) {
	fields, skipped, err := accountFields(data)
	if len(skipped) > 0 {
		c.Log.Warn().Strs("fields", skipped).Msg("mapped fields IPassan owns or that only access actions change are not sent")
	}
	return fields, err
}

func accountFields(data *object.Object) ([]accountField, []string, error) {
	var out []accountField
	var skipped []string
	var problems []string
	data.Each(func(key string, v any) {
		if strings.EqualFold(key, extensionKey) || strings.HasPrefix(strings.ToLower(key), extensionKey+".") {
			return
		}
		if !ipassan.IsWritable(key) {
			skipped = append(skipped, key)
			return
		}
		text, ok := object.Text(v)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("Data.%s must be text, got %s", key, object.Kind(v)))
			return
		case utf8.RuneCountInString(text) > maxFieldLength:
			problems = append(problems, fmt.Sprintf("Data.%s is %d characters long; an IPassan field holds at most %d",
				key, utf8.RuneCountInString(text), maxFieldLength))
			return
		}
		name, _ := ipassan.CanonicalField(key)
		out = append(out, accountField{Name: name, Key: key, Value: text})
	})
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return out, skipped, nil
}

// maxFieldLength is generous for names, mail and numbers (IPassan's `other`
// holds 255); a longer value is a broken mapping, not a person.
const maxFieldLength = 1024

// lookupKey returns Data._extension.accessProfileLookupKey, trimmed.
func lookupKey(data *object.Object) (string, error) {
	v, ok := data.Path(LookupKeyPath)
	if !ok {
		return "", nil
	}
	s, ok := object.Text(v)
	if !ok {
		return "", fmt.Errorf("Data.%s must be text, got %s", LookupKeyPath, object.Kind(v))
	}
	return strings.TrimSpace(s), nil
}

// mappedData is Data without _extension: what HelloID asked the account to be.
func mappedData(fields []accountField) *object.Object {
	o := object.New()
	for _, f := range fields {
		o.Set(f.Key, f.Value)
	}
	return o
}

// accountData is the account as it is, for the fields HelloID mapped: the Data
// keys (without _extension) with IPassan's values. Where IPassan's answer lacks
// a field, sent supplies the value that was just written, if any.
func accountData(p ipassan.Person, fields []accountField, sent map[string]string) *object.Object {
	o := object.New()
	for _, f := range fields {
		if v, ok := p.Value(f.Name); ok {
			o.Set(f.Key, v)
		} else if s, ok := sent[f.Name]; ok {
			o.Set(f.Key, s)
		} else {
			o.Set(f.Key, nil)
		}
	}
	return o
}

// sameText compares a mapped value with IPassan's: as text, so "2" equals 2,
// and null equals "".
func sameText(want string, have any) bool {
	h, ok := object.Text(have)
	return ok && h == want
}

// change is one field an update will send.
type change struct {
	Name     string
	From, To string
}

func (c change) String() string {
	return fmt.Sprintf("%s %s → %s", c.Name, quote(c.From), quote(c.To))
}

func listChanges(cs []change) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

func fieldNames(fields []accountField) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
