// Command ipassan-fake serves a stateful stand-in for the IPassan API on
// loopback: for the demo, for admins trying a configuration, and for tests
// that drive the real binaries. See internal/ipassan/fake.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

type options struct {
	generate    int
	addr        string
	seed        string
	addrFile    string
	allowRemote bool
	quiet       bool
	faults      []string
	fake        fake.Options
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "ipassan-fake",
		Short: "A stateful fake IPassan API on loopback",
		Long:  long(),
		Example: `  # The demo's IPassan: one base, one site, a demo client (see testdata/fake/seed.json)
  ipassan-fake --seed testdata/fake/seed.json --addr 127.0.0.1:8080

  # A random free port, written to a file for a script to read
  ipassan-fake --seed testdata/fake/seed.json --addr 127.0.0.1:0 --addr-file /tmp/fake.addr

  # Slow and stingy: 100 ms a request, at most 20 persons a page
  ipassan-fake --seed testdata/fake/seed.json --latency 100ms --max-page-size 20

  # A large site for benchmarks: 20,000 more persons
  ipassan-fake --seed testdata/fake/seed.json --generate 20000 --quiet

  # A strained IPassan: limits above 100 refused, 4 requests served at once, 429 beyond 8
  ipassan-fake --seed testdata/fake/seed.json --max-limit 100 --workers 4 --max-in-flight 8

  # A person created while the second page is read, and a proxy's 404 for every GET of a person
  ipassan-fake --seed testdata/fake/seed.json --fault '{"route":"list","offset":49,"times":1,"insert":{"lastname":"New"}}' \
    --fault '{"route":"get","status":404,"contentType":"text/html","body":"<html><h1>404 Not Found</h1></html>"}'

  # The same from a script, against a running fake
  curl -X POST --data '{"route":"create","delay":11000000000,"complete":true,"visibleAfter":2000000000}' http://127.0.0.1:8080/_fake/faults
  curl http://127.0.0.1:8080/_fake/stats`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free one)")
	f.StringVar(&o.seed, "seed", "", "JSON `file` with clients, access profiles, bases, sites and persons")
	f.StringVar(&o.addrFile, "addr-file", "", "write the base URL to `file` once listening")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "listen on an address other than loopback")
	f.IntVar(&o.generate, "generate", 0, "add this many generated persons to the seed's first site (benchmarks)")
	f.BoolVar(&o.quiet, "quiet", false, "do not log each request on standard error")
	f.IntVar(&o.fake.MaxPageSize, "max-page-size", 100, "clamp the persons asked per page to this")
	f.DurationVar(&o.fake.Latency, "latency", 0, "add this delay to every request")
	f.BoolVar(&o.fake.NotFoundAsEmpty, "not-found-as-empty", false, "answer an unknown person with 200 and {} instead of 404")
	f.BoolVar(&o.fake.WrapPerson, "wrap-person", false, `answer single persons as {"data": …}`)
	f.BoolVar(&o.fake.CursorAsText, "cursor-as-text", false, `write next_cursor as text ("50")`)
	f.BoolVar(&o.fake.OpaqueCursor, "opaque-cursor", false, `write next_cursor as "p50", a cursor that is not an offset`)
	f.BoolVar(&o.fake.ShortPages, "short-pages", false, "make every second page one row shorter than asked")
	f.IntVar(&o.fake.MaxLimit, "max-limit", 0, "refuse a page asked with a larger `limit` (0: accept any, clamped by --max-page-size)")
	f.IntVar(&o.fake.LimitStatus, "max-limit-status", 400, "the `status` a refused limit is answered with (400 or 422, say)")
	f.IntVar(&o.fake.Workers, "workers", 0, "serve this many requests at once; the others wait their turn, so answers slow down under load (0: no limit)")
	f.IntVar(&o.fake.MaxInFlight, "max-in-flight", 0, "answer 429 to a request arriving while this many are served (0: no limit)")
	f.StringArrayVar(&o.faults, "fault", nil, "queue a fault at start: `JSON` as for POST /_fake/faults (repeatable)")
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "ipassan-fake: %v\n", err)
		return 2
	}
	return 0
}

func serve(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	seed := fake.Seed{}
	if o.seed != "" {
		var err error
		if seed, err = fake.LoadSeed(o.seed); err != nil {
			return err
		}
	}
	if o.generate > 0 {
		if err := addGenerated(&seed, o.generate); err != nil {
			return err
		}
	}
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", o.addr, err)
	}
	if !o.allowRemote && !ipassan.IsLoopback(host) {
		return fmt.Errorf("--addr %q is not a loopback address; the fake has no security, pass --allow-remote to insist", o.addr)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := fake.New(seed, o.fake)
	for _, text := range o.faults {
		faults, err := fake.ParseFaults([]byte(text))
		if err != nil {
			return fmt.Errorf("--fault %s: %w", text, err)
		}
		for _, f := range faults {
			srv.AddFault(f)
		}
	}
	var handler http.Handler = srv
	if !o.quiet {
		handler = logRequests(srv, stderr)
	}
	url := "http://" + ln.Addr().String()
	if o.addrFile != "" {
		if err := os.WriteFile(o.addrFile, []byte(url+"\n"), 0o600); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "ipassan-fake listening on %s (%s)\n", url, srv)
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "ipassan-fake stopped")
	return nil
}

// long is the command's help: what the fake does, and every way to make it
// misbehave.
func long() string {
	var shapes strings.Builder
	for _, name := range fake.ShapeNames() {
		fmt.Fprintf(&shapes, "    %-16s %s\n", name, fake.AccessTypeShapes[name])
	}
	return `ipassan-fake serves the IPassan endpoints ipassan-connector uses (token, persons of a site,
bases and sites) from memory, seeded from a JSON file, with IPassan's known quirks: pages
clamped to --max-page-size, type returned as a number, unknown access-profile GUIDs silently
ignored, "Access Denied" for a site the client cannot see.

Control endpoints for scripts:
  GET    /_fake/stats                 requests per route ("requests"), "writes", "total", the most
                                      requests served at once ("peakInFlight"), the 429s of
                                      --max-in-flight ("rateLimited") and the pages of persons asked
                                      at an offset past the end of the site ("pastEnd")
  DELETE /_fake/stats                 zero them
  GET    /_fake/faults                the faults still queued
  POST   /_fake/faults                queue a fault: a JSON object as below, or a list of them
  DELETE /_fake/faults                clear the faults
  GET    /_fake/sites/{site}/persons  the stored persons (also those not visible yet)

A fault hits the next "times" requests of its "route" (0: every one); a request meets at most
one fault, the first queued that matches. Routes: token, list (persons of a site), get,
create, update, delete, bases, sites, or * for any. Unknown fields are refused. Durations are
in nanoseconds. The fields:

  route, times        which requests; "offset": N limits a fault to the page asked at offset N
  status              answer this status (2xx too) and do nothing else, with
    retryAfter        a Retry-After header
    body              this body instead of IPassan's error JSON (placeholders below)
    contentType       of the body (default application/json; text/html for a proxy's page)
    emptyBody         no body at all (a gateway's bare 429), instead of IPassan's error JSON
    location          a Location header: {host}, {port} and {path} are the request's,
                      e.g. "http://{host}:8081{path}" (plain http on another port)
  drop                close the connection without an answer
  loseReply           do the work, then close the connection without an answer
  garbage             do the work, then answer 200 with broken JSON
  delay               wait first; the request is abandoned if the client goes away, unless
    complete          true: wait the whole delay and do the work even after the client left
  visibleAfter        a write shows only this long after it is answered: a created person is
                      listed and found only then, an update or delete applies only then
  revokeTokens        invalidate every token first
  insert, insertAt    (list) add this person at this position before the page is answered
  removeAt            (list) remove the person at this position before the page is answered
  emptyPage           (list, bases, sites) no rows, but the next_cursor the page would have had
  row, rowAt          (list, bases, sites) this JSON replaces the row at rowAt: null, 42, "x",
                      {"firstname":"no uuid"}
  answerAs            (get) answer the stored person with this uuid instead of the one asked
  accessTypeShape     (get, list) write accessType in one of these shapes:
` + shapes.String() + `  expiresIn           (token) expires_in as this raw JSON (-5, "3600", 1733000000000, 1e400),
                      or "absent" to leave it out

Placeholders in a body: {secret} (the client secret as sent on the token request; on other
routes the one of the client the bearer token belongs to), {token} (the request's bearer
token), each also as {secret:trimmed} (without surrounding spaces), {secret:json} (escaped the
PHP way: \/ and \uXXXX), {secret:percent} and {secret:PERCENT} (percent-encoded in lower or
upper case, + for a space); {pad:N} is N times x, to put what follows past where a client cuts
a long message, e.g.
  {"route":"update","status":400,"body":"{\"error\":{\"message\":\"{pad:290} {secret:json}\"}}"}`
}

// addGenerated appends n generated persons to the first site of the seed,
// holding its first access profile.
func addGenerated(seed *fake.Seed, n int) error {
	if len(seed.Bases) == 0 || len(seed.Bases[0].Sites) == 0 {
		return errors.New("--generate needs a --seed with at least one base and site")
	}
	profile := ""
	if len(seed.AccessProfiles) > 0 {
		profile = seed.AccessProfiles[0].UUID
	}
	site := &seed.Bases[0].Sites[0]
	site.Persons = append(site.Persons, fake.Generate(n, profile)...)
	return nil
}

// logRequests writes one line a request: method, path, status, time taken.
func logRequests(next http.Handler, w io.Writer) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		fmt.Fprintf(w, "%s %-6s %s %d %s\n", start.Format("15:04:05.000"), r.Method, r.URL.RequestURI(), rec.status, time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Hijack lets fault injection drop connections through the logger.
func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijacking not supported")
	}
	s.status = 0
	return hj.Hijack()
}
