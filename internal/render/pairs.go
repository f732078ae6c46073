package render

import (
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Pair is one line of a key/value listing.
type Pair struct {
	Key   string
	Value string
	Null  bool // the value is JSON null, shown dimmed
}

// Flatten lists an object's values under dotted keys, nested objects
// unfolded ("_extension.accessProfileLookupKey"), in the object's order.
// Arrays and empty objects are shown as compact JSON.
func Flatten(o *object.Object) []Pair {
	var out []Pair
	flatten(o, "", &out)
	return out
}

func flatten(o *object.Object, prefix string, out *[]Pair) {
	o.Each(func(key string, v any) {
		name := prefix + key
		if inner, ok := v.(*object.Object); ok && inner.Len() > 0 {
			flatten(inner, name+".", out)
			return
		}
		*out = append(*out, Pair{Key: name, Value: Text(v), Null: v == nil})
	})
}

// Text shows one value: text as it is, numbers as written, null as "null",
// objects and arrays as compact JSON.
func Text(v any) string {
	if v == nil {
		return "null"
	}
	if s, ok := object.Text(v); ok {
		return s
	}
	b, err := object.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}

// PairTable is a two-column table of pairs, keys bold, nulls dimmed.
func PairTable(pairs []Pair, s Style) *Table {
	t := &Table{}
	for _, p := range pairs {
		value := Cell{Text: p.Value}
		if p.Null {
			value.Paint = s.Dim
		}
		t.Add(Cell{Text: p.Key, Paint: s.Bold}, value)
	}
	return t
}
