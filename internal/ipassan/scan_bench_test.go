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

// BenchmarkScanWindow measures each part of the window's policy (see
// scanPolicy) against its absence, on a site of 20,004 persons in pages of
// 100 (203 pages) with a ceiling of 32, against three IPassans: a steady one
// (20 ms a request), one that serves four requests at once (20 ms each, the
// rest queue) and one that answers 429 to a ninth request at once (20 ms
// each; the client retries after 100 ms). It reports the time and requests a
// read takes, the pages asked past the end, the 429s met and the most
// requests the fake served at once.
//
//	go test -run XXX -bench ScanWindow -benchtime 3x ./internal/ipassan/
func BenchmarkScanWindow(b *testing.B) {
	const size = 20004
	persons := fake.Generate(size, "")
	servers := []struct {
		name string
		opts fake.Options
	}{
		{"steady", fake.Options{MaxPageSize: 100, Latency: 20 * time.Millisecond}},
		{"4-workers", fake.Options{MaxPageSize: 100, Latency: 20 * time.Millisecond, Workers: 4}},
		{"429-beyond-8", fake.Options{MaxPageSize: 100, Latency: 20 * time.Millisecond, MaxInFlight: 8}},
	}
	noLatency, noAhead := scanPolicy, scanPolicy
	noLatency.latency = false
	noAhead.aheadRatio = 0
	policies := []struct {
		name   string
		policy windowPolicy
	}{
		{"policy=scans", scanPolicy},
		{"policy=without-latency-signal", noLatency},
		{"policy=without-ahead-bound", noAhead},
		{"policy=regrow-per-page", windowPolicy{perPage: true}},
	}
	for _, server := range servers {
		f := fake.New(fake.Seed{
			Clients: []fake.Credential{{ClientID: "bench", ClientSecret: "bench-secret"}},
			Bases:   []fake.BaseSeed{{UUID: "b-1", Sites: []fake.SiteSeed{{UUID: "s-1", Persons: persons}}}},
		}, server.opts)
		srv := httptest.NewServer(f)
		u, _ := url.Parse(srv.URL)
		c, err := New(Options{BaseURL: u, SiteID: "s-1", ClientID: "bench", ClientSecret: secret.New("bench-secret"),
			Redactor: secret.NewRedactor(), Backoff: 100 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Authenticate(context.Background()); err != nil {
			b.Fatal(err)
		}
		for _, p := range policies {
			b.Run("server="+server.name+"/"+p.name, func(b *testing.B) {
				requests, pastEnd, limited, peak := 0, 0, 0, 0
				for b.Loop() {
					f.ResetCounts()
					s := &scanner[Person]{c: c, path: c.personsPath(), opts: ScanOptions{PageSize: 500, Concurrency: 32},
						fn: func(Person) error { return nil }, id: func(p Person) string { return p.UUID }, windowPolicy: &p.policy}
					if err := s.read(context.Background(), true); err != nil || s.stats.Persons != size {
						b.Fatal(err, s.stats)
					}
					requests += s.stats.Requests
					pastEnd += f.PastEnd()
					most, n := f.Load()
					limited += n
					peak = max(peak, most)
				}
				b.ReportMetric(float64(requests)/float64(b.N), "requests/read")
				b.ReportMetric(float64(pastEnd)/float64(b.N), "past-end/read")
				b.ReportMetric(float64(limited)/float64(b.N), "429s/read")
				b.ReportMetric(float64(peak), "peak-in-flight")
			})
		}
		srv.Close()
	}
}
