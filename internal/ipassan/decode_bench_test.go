package ipassan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// benchPage is a page of 50 persons as the fake (and, as far as known,
// IPassan) writes them.
func benchPage() []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"uuid":"b0000000-0000-4000-8000-%012d","firstname":"Zoë","lastname":"van 't Hof","mail":"person%d@example.org","phone":"+31 6 %08d","number":"%d","type":2,"other":"","accessType":{"doorPermanent":"a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51","doorTemporary":null,"floorPermanent":null,"floorTemporary":null},"architecture":{"name":"Hoofdlocatie","type":"site","uuid":"3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"}}`, i, i, i, 100000+i)
	}
	b.WriteString(`],"next_cursor":50}`)
	return b.Bytes()
}

func BenchmarkDecodePage(b *testing.B) {
	page := benchPage()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := decodePage(page, func(p Person) bool { n++; return true }); err != nil || n != 50 {
			b.Fatal(err, n)
		}
	}
}

// The baseline for BenchmarkDecodePage: encoding/json reading the same page
// into plain structs (no casing tolerance, no checks, no slot shapes).
func BenchmarkDecodePageEncodingJSON(b *testing.B) {
	type plain struct {
		UUID, Firstname, Lastname, Mail, Phone, Number, Other string
		Type                                                  json.Number
		AccessType                                            map[string]*string
		Architecture                                          json.RawMessage
	}
	page := benchPage()
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var p struct {
			Data       []plain
			NextCursor any `json:"next_cursor"`
		}
		if err := json.Unmarshal(page, &p); err != nil || len(p.Data) != 50 {
			b.Fatal(err)
		}
	}
}

func TestBenchPageDecodes(t *testing.T) {
	var persons []Person
	info, err := decodePage(benchPage(), func(p Person) bool { persons = append(persons, p); return true })
	if err != nil || info.Rows != 50 || info.Next != "50" {
		t.Fatal(err, info)
	}
	p := persons[7]
	if p.Firstname != "Zoë" || p.Lastname != "van 't Hof" || p.Type != "2" || p.Number != "100007" ||
		p.AccessType.DoorPermanent != "a1f0c6d2-3b4e-4c5f-8a9b-0c1d2e3f4a51" || !json.Valid(p.Architecture) {
		t.Fatalf("%+v", p)
	}
}
