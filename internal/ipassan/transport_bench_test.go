package ipassan_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// BenchmarkTransport measures one call through the whole client against the
// in-process fake: a person, and a page of 50 persons (which resty now reads
// and bounds, where the client used to stream it).
func BenchmarkTransport(b *testing.B) {
	var persons []fake.Person
	for i := range 50 {
		persons = append(persons, fake.Person{UUID: fmt.Sprintf("p-%02d", i), Firstname: "Zoë", Lastname: "d'Hondt", Number: fmt.Sprint(1000 + i),
			Mail: fmt.Sprintf("zoe.%d@example.org", i), Type: 2, AccessType: fake.Slots{DoorPermanent: ptr(profileA)}})
	}
	h := newHarness(b, fake.Options{}, persons...)
	ctx := context.Background()
	if err := h.client.Authenticate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run("person", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.client.GetPerson(ctx, "p-07"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("page of 50", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.client.ListPersons(ctx, "", 50, func(ipassan.Person) bool { return true }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
