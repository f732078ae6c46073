package ipassan

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// BenchmarkScanOverlap measures what overlapping pages by one row (to see
// the site shift under the read) costs: the same sites read with and without
// the overlap, one page at a time and eight at a time, against the fake with
// a latency per request. It reports requests a read and the time a read
// takes.
//
//	go test -run XXX -bench ScanOverlap -benchtime 3x ./internal/ipassan/
func BenchmarkScanOverlap(b *testing.B) {
	for _, size := range []int{1004, 20004} {
		for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
			persons := fake.Generate(size, "")
			f := fake.New(fake.Seed{
				Clients: []fake.Credential{{ClientID: "bench", ClientSecret: "bench-secret"}},
				Bases:   []fake.BaseSeed{{UUID: "b-1", Sites: []fake.SiteSeed{{UUID: "s-1", Persons: persons}}}},
			}, fake.Options{MaxPageSize: 50, Latency: latency})
			srv := httptest.NewServer(f)
			u, _ := url.Parse(srv.URL)
			c, err := New(Options{BaseURL: u, SiteID: "s-1", ClientID: "bench", ClientSecret: secret.New("bench-secret"), Redactor: secret.NewRedactor()})
			if err != nil {
				b.Fatal(err)
			}
			for _, concurrency := range []int{1, 8} {
				for _, overlap := range []bool{false, true} {
					name := fmt.Sprintf("persons=%d/latency=%s/concurrency=%d/overlap=%t", size, latency, concurrency, overlap)
					b.Run(name, func(b *testing.B) {
						requests := 0
						for b.Loop() {
							s := &scanner[Person]{c: c, path: c.personsPath(), opts: ScanOptions{PageSize: 50, Concurrency: concurrency},
								fn: func(Person) error { return nil }, id: func(p Person) string { return p.UUID }, withoutOverlap: !overlap}
							if err := s.read(context.Background(), true); err != nil || s.stats.Persons != size {
								b.Fatal(err, s.stats)
							}
							requests += s.stats.Requests
						}
						b.ReportMetric(float64(requests)/float64(b.N), "requests/read")
					})
				}
			}
			srv.Close()
		}
	}
}
