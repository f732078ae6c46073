package object

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

func fuzzSeeds(f *testing.F) {
	for _, seed := range repotest.Seeds(f, "context") {
		f.Add(seed)
	}
	for _, s := range []string{`{"a":"\ud83d\ude00\u00e9\n"}`, `[1,-0.5e+3,true,null]`, `"\ud800"`, `{"A":1,"a":2}`,
		`{"a":`, `{"a"`, `[`, `"\u12`, `"\`, `{"data":[{"uuid":"x"},null,42,"x",[]],"next_cursor":5}`, `-`, `0.`, `1e`, `tru`,
		"\xff", `{"\u00e9":1}`, `[[[[]]]]`, `{} x`, ` `} {
		f.Add([]byte(s))
	}
}

// deliberate reports the refusals that are on purpose, not JSON's grammar:
// keys repeated without regard to case, nesting beyond MaxDepth.
func deliberate(err error) bool {
	return strings.Contains(err.Error(), "twice") || strings.Contains(err.Error(), "nests deeper")
}

// positioned fails unless err is an *Error pointing inside the input.
func positioned(t *testing.T, err error, data []byte) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%v is not an *object.Error", err)
	}
	if e.Offset < 0 || e.Offset > len(data) {
		t.Fatalf("offset %d outside the %d bytes of %q", e.Offset, len(data), data)
	}
}

// measured decodes data as Decode does, but always measuring first, as
// inputs above onePassBelow are.
func measured(data []byte) (any, error) {
	d := decoder{s: scanner{b: data}, twoPass: true}
	v, err := d.decode()
	if err == nil {
		err = NewReader(data[d.s.i:]).End()
	}
	return v, err
}

// FuzzDecode: on any bytes, the parser never panics, accepts exactly the JSON
// encoding/json accepts (but for its deliberate refusals), names the byte of
// what it refuses, decodes alike in one pass and in two, and what it decodes
// encodes back to the same value.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		v2, err2 := measured(data)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("one pass says %v, two passes say %v: %q", err, err2, data)
		}
		if err == nil {
			a, _ := Marshal(v)
			b, _ := Marshal(v2)
			if string(a) != string(b) {
				t.Fatalf("one pass made %s, two passes %s", a, b)
			}
		}
		valid := json.Valid(data)
		if err != nil {
			if valid && !deliberate(err) {
				t.Fatalf("valid JSON refused: %v\n%q", err, data)
			}
			positioned(t, err, data)
			return
		}
		if !valid {
			t.Fatalf("invalid JSON accepted: %q", data)
		}
		once, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Decode(once)
		if err != nil {
			t.Fatalf("re-decoding %q: %v", once, err)
		}
		twice, _ := Marshal(again)
		if string(once) != string(twice) {
			t.Fatalf("round trip changed %q into %q", once, twice)
		}
	})
}

// walk reads every value through the Reader's methods, as the IPassan client
// does.
func walk(r *Reader) error {
	switch r.Type() {
	case TypeObject:
		return r.Object(func(key []byte) error {
			if len(key)%2 == 0 {
				return walk(r)
			}
			return nil // left to the Reader to skip
		})
	case TypeArray:
		return r.Array(func(i int) error {
			if i%3 == 1 {
				_, err := r.Raw()
				return err
			}
			return walk(r)
		})
	case TypeNone:
		return r.Skip()
	}
	_, _, err := r.Text()
	return err
}

// FuzzReader: the walker behind IPassan's pages and persons never panics on
// any bytes, agrees with encoding/json on what is JSON, and names the byte of
// what it refuses.
func FuzzReader(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(data)
		err := walk(r)
		if err == nil {
			err = r.End()
		}
		valid := json.Valid(data)
		switch {
		case err == nil && !valid:
			t.Fatalf("invalid JSON accepted: %q", data)
		case err != nil && valid && !deliberate(err):
			t.Fatalf("valid JSON refused: %v\n%q", err, data)
		case err != nil:
			positioned(t, err, data)
		}
	})
}
