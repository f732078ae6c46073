package fake

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Options tune the fake's quirks.
type Options struct {
	// MaxPageSize clamps `limit`, as real servers do (default 100).
	MaxPageSize int
	// TokenTTL is the lifetime of a token (default one hour).
	TokenTTL time.Duration
	// Latency is added to every request.
	Latency time.Duration
	// NotFoundAsEmpty answers a GET of an unknown person with 200 and {}
	// instead of 404; IPassan has been seen to do either.
	NotFoundAsEmpty bool
	// WrapPerson answers single persons as {"data": {…}} instead of bare.
	WrapPerson bool
	// CursorAsText writes next_cursor as "50" instead of 50.
	CursorAsText bool
	// OpaqueCursor writes next_cursor as "p50", a cursor that is not an
	// offset, as a server that pages by token would.
	OpaqueCursor bool
	// ShortPages makes every second page one row shorter than asked, while
	// next_cursor still points right after it.
	ShortPages bool
	// MaxLimit refuses a page asked with a larger limit, as a server that
	// validates it would: LimitStatus (default 400) with "limit must be at
	// most N". 0 takes every limit (and clamps it to MaxPageSize).
	MaxLimit    int
	LimitStatus int
	// Workers is how many requests the fake works on at once; the others wait
	// for a free worker before their Latency starts, so answers slow down as
	// more requests come in at once, as a loaded server's do. 0: no limit.
	Workers int
	// MaxInFlight answers 429 at once to a request that arrives while this
	// many are being served already, as a rate limiter in front of IPassan
	// would. 0: no limit.
	MaxInFlight int
}

// Server is the fake IPassan. It is an http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	clients   map[string]string  // client id -> secret
	tokens    map[string]issued  // token -> to whom, until when
	profiles  map[string]Profile // lower-case uuid -> profile
	bases     []*base
	sites     map[string]*site // lower-case uuid -> site
	faults    []*Fault
	counts    map[string]int // route -> requests
	inFlight  int            // API requests being served now
	peak      int            // the most served at once since the counts were reset
	limited   int            // requests answered 429 by MaxInFlight
	pastEnd   int            // pages of persons asked at an offset past the end of the site
	issuedN   uint64         // tokens issued so far
	countFrom uint64         // requests with an older token are not counted (ResetCountsForNextAction)

	workers chan struct{} // one token per worker (Options.Workers), nil for no limit
}

// New builds a fake from a seed.
func New(seed Seed, opts Options) *Server {
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 100
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.LimitStatus == 0 {
		opts.LimitStatus = http.StatusBadRequest
	}
	s := &Server{opts: opts, clients: map[string]string{}, tokens: map[string]issued{},
		profiles: map[string]Profile{}, sites: map[string]*site{}, counts: map[string]int{}}
	if opts.Workers > 0 {
		s.workers = make(chan struct{}, opts.Workers)
	}
	for _, c := range seed.Clients {
		s.clients[c.ClientID] = c.ClientSecret
	}
	for _, p := range seed.AccessProfiles {
		s.profiles[strings.ToLower(p.UUID)] = p
	}
	for _, bs := range seed.Bases {
		b := &base{BaseSeed: bs}
		for _, ss := range bs.Sites {
			st := &site{uuid: ss.UUID, name: ss.Name, byUUID: map[string]*Person{}, encoded: map[*Person][]byte{}}
			for _, p := range ss.Persons {
				st.add(p)
			}
			b.sites = append(b.sites, st)
			s.sites[strings.ToLower(ss.UUID)] = st
		}
		s.bases = append(s.bases, b)
	}
	s.routes()
	return s
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	api := func(pattern, route string, h http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		s.mux.Handle(method+" /api/v1"+path, s.wrap(route, h))
	}
	api("POST /token", RouteToken, s.token)
	api("GET /access/site/{site}/person", RouteList, s.listPersons)
	api("POST /access/site/{site}/person", RouteCreate, s.createPerson)
	api("GET /access/site/{site}/person/{uuid}", RouteGet, s.getPerson)
	api("PUT /access/site/{site}/person/{uuid}", RouteUpdate, s.updatePerson)
	api("DELETE /access/site/{site}/person/{uuid}", RouteDelete, s.deletePerson)
	api("GET /admin/base", RouteBases, s.listBases)
	api("GET /admin/base/{base}/site", RouteSites, s.listSites)
	s.controls()
}

// ServeHTTP serves the API and the /_fake control endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// issued is a token the fake handed out.
type issued struct {
	client  string
	expires time.Time
	serial  uint64 // the order tokens were issued in, from 1
}

// faultKey carries the fault a request met to the handler that answers it.
type faultKey struct{}

func faultOf(r *http.Request) *Fault {
	f, _ := r.Context().Value(faultKey{}).(*Fault)
	return f
}

// wrap counts the request, applies latency and faults, then checks the token.
func (s *Server) wrap(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.arrive(route, r) {
			writeError(w, http.StatusTooManyRequests, fmt.Sprintf("Too many requests at once (at most %d)", s.opts.MaxInFlight))
			return
		}
		defer s.leave()
		// Read the body first: net/http notices a client that gave up only
		// once the body is consumed, and a delay must end when the client does.
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if route == RouteList {
			s.notePastEnd(r)
		}
		f := s.takeFault(route, r)
		if !s.work(r) {
			return
		}
		defer s.rest()
		if f != nil && f.Delay > 0 {
			if f.Complete {
				// A real server finishes what it started: the client
				// going away does not stop the work.
				time.Sleep(f.Delay)
			} else if !sleep(r, f.Delay) {
				return
			}
		}
		if route != RouteToken && !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		if f == nil {
			h(w, r)
			return
		}
		s.changeSite(r, f)
		switch {
		case f.Status != 0:
			s.answerFault(w, r, f, body)
		case f.Drop:
			dropConnection(w)
		case f.LoseReply:
			h(httptest.NewRecorder(), r)
			dropConnection(w)
		case f.Garbage:
			h(httptest.NewRecorder(), r)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"data": [{"uuid": "trunc`))
		default: // the work, shaped by the fault
			h(w, r.WithContext(context.WithValue(r.Context(), faultKey{}, f)))
		}
	})
}

// answerFault answers a fault's status, headers and body, doing nothing else.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, f *Fault, body []byte) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Location != "" {
		w.Header().Set("Location", ExpandLocation(f.Location, r))
	}
	if f.EmptyBody {
		if f.ContentType != "" {
			w.Header().Set("Content-Type", f.ContentType)
		}
		w.WriteHeader(f.Status)
		return
	}
	if f.Body == "" {
		writeError(w, f.Status, http.StatusText(f.Status))
		return
	}
	w.Header().Set("Content-Type", cmp.Or(f.ContentType, "application/json"))
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(ExpandBody(f.Body, s.echoes(r, body))))
}

// echoes are the credentials of a request, for a body that echoes them.
func (s *Server) echoes(r *http.Request, body []byte) Echoes {
	tok, _ := bearer(r)
	e := Echoes{Token: tok}
	if form, err := url.ParseQuery(string(body)); err == nil && form.Has("client_secret") {
		e.Secret = form.Get("client_secret")
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e.Secret = s.clients[s.tokens[tok].client]
	return e
}

// changeSite adds and removes persons as a fault says, before the page that
// meets it is answered.
func (s *Server) changeSite(r *http.Request, f *Fault) {
	if f.Insert == nil && f.RemoveAt == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sites[strings.ToLower(r.PathValue("site"))]
	if !ok {
		return
	}
	if f.RemoveAt != nil {
		st.removeAt(*f.RemoveAt)
	}
	if f.Insert != nil {
		st.insert(*f.Insert, f.InsertAt)
	}
}

// arrive counts a request and says whether MaxInFlight lets it in.
func (s *Server) arrive(route string, r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counted(r) {
		s.counts[route]++
	}
	if s.opts.MaxInFlight > 0 && s.inFlight >= s.opts.MaxInFlight {
		s.limited++
		return false
	}
	s.inFlight++
	s.peak = max(s.peak, s.inFlight)
	return true
}

func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
}

// work waits for a free worker (Options.Workers), then for the latency. It
// is false when the client went away first; otherwise rest must follow.
func (s *Server) work(r *http.Request) bool {
	if s.workers != nil {
		select {
		case s.workers <- struct{}{}:
		case <-r.Context().Done():
			return false
		}
	}
	if !sleep(r, s.opts.Latency) {
		s.rest()
		return false
	}
	return true
}

// notePastEnd counts a page of persons asked at an offset past the end of
// the site, when it arrives: a reader that gives up on it before it is
// answered asked for it all the same.
func (s *Server) notePastEnd(r *http.Request) {
	offset, err := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("offset"), "p"))
	if err != nil || offset <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.sites[strings.ToLower(r.PathValue("site"))]; ok && offset >= len(st.visible()) && s.counted(r) {
		s.pastEnd++
	}
}

// counted says whether a request counts: not when it carries a token issued
// before ResetCountsForNextAction, i.e. a request an earlier action left on
// its way. s.mu must be held.
func (s *Server) counted(r *http.Request) bool {
	if s.countFrom == 0 {
		return true
	}
	tok, ok := bearer(r)
	if !ok {
		return true
	}
	t, known := s.tokens[tok]
	return !known || t.serial >= s.countFrom
}

// rest frees the worker work took.
func (s *Server) rest() {
	if s.workers != nil {
		<-s.workers
	}
}

func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := bearer(r)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	return ok && time.Now().Before(t.expires)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers in the {"error": {"message": …}} shape.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": message}})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The form cannot be read."})
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "The authorization grant type is not supported."})
		return
	case f.Get("scope") != "all":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_scope", "error_description": "The requested scope is invalid."})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	secret, ok := s.clients[f.Get("client_id")]
	if !ok || secret != f.Get("client_secret") {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed."})
		return
	}
	tok := newToken()
	s.issuedN++
	s.tokens[tok] = issued{client: f.Get("client_id"), expires: time.Now().Add(s.opts.TokenTTL), serial: s.issuedN}
	answer := map[string]any{"token_type": "Bearer", "expires_in": int(s.opts.TokenTTL / time.Second), "access_token": tok}
	if fault := faultOf(r); fault != nil && fault.ExpiresIn != "" {
		if fault.ExpiresIn == "absent" {
			delete(answer, "expires_in")
		} else {
			answer["expires_in"] = json.RawMessage(fault.ExpiresIn)
		}
	}
	writeJSON(w, http.StatusOK, answer)
}

// siteOf finds the request's site; a site the client cannot see is "Access
// Denied", as IPassan answers it.
func (s *Server) siteOf(w http.ResponseWriter, r *http.Request) *site {
	st, ok := s.sites[strings.ToLower(r.PathValue("site"))]
	if !ok {
		writeError(w, http.StatusForbidden, "Access Denied")
		return nil
	}
	return st
}

// page answers one page of rows with next_cursor. A fault of the request
// may empty the page or put an odd row in it.
func (s *Server) page(w http.ResponseWriter, r *http.Request, total int, rows func(from, to int) []json.RawMessage) {
	limit, offset := 50, 0
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, "limit must be a positive number")
			return
		}
		limit = n
	}
	if v := strings.TrimPrefix(q.Get("offset"), "p"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "offset must be a number")
			return
		}
		offset = n
	}
	if s.opts.MaxLimit > 0 && limit > s.opts.MaxLimit {
		writeError(w, s.opts.LimitStatus, fmt.Sprintf("limit must be at most %d", s.opts.MaxLimit))
		return
	}
	limit = min(limit, s.opts.MaxPageSize)
	from := min(offset, total)
	to := min(from+limit, total)
	if s.opts.ShortPages && (from/limit)%2 == 1 && to-from > 1 {
		to--
	}
	var next any
	switch {
	case to >= total:
	case s.opts.OpaqueCursor:
		next = "p" + strconv.Itoa(to)
	case s.opts.CursorAsText:
		next = strconv.Itoa(to)
	default:
		next = to
	}
	data := rows(from, to)
	if f := faultOf(r); f != nil {
		if f.EmptyPage {
			data = nil
		}
		if f.Row != nil {
			if f.RowAt >= 0 && f.RowAt < len(data) {
				data[f.RowAt] = f.Row
			} else {
				data = append(data, f.Row)
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": rawList(data), "next_cursor": next})
}

// rawList writes rows as they are, [] when there are none.
type rawList []json.RawMessage

func (l rawList) MarshalJSON() ([]byte, error) {
	out := []byte{'['}
	for i, row := range l {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, row...)
	}
	return append(out, ']'), nil
}

func (s *Server) listPersons(w http.ResponseWriter, r *http.Request) {
	// The page is put together under the lock and written after it, so that
	// concurrent readers are not queued behind each other's network writes.
	rec := httptest.NewRecorder()
	shape := ""
	if f := faultOf(r); f != nil {
		shape = f.AccessTypeShape
	}
	s.mu.Lock()
	if st := s.siteOf(rec, r); st != nil {
		persons := st.visible()
		s.page(rec, r, len(persons), func(from, to int) []json.RawMessage {
			rows := make([]json.RawMessage, 0, to-from)
			for _, p := range persons[from:to] {
				rows = append(rows, st.json(p, shape))
			}
			return rows
		})
	}
	s.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// json is a person's JSON, from the site's cache of it, so that a
// benchmark's fake spends its time on latency, not on encoding the same
// persons again; a shape other than the usual one is written afresh.
func (st *site) json(p *Person, shape string) json.RawMessage {
	if shape != "" {
		b, err := shaped(p, shape)
		if err != nil {
			b, _ = json.Marshal(map[string]string{"fake": err.Error()})
		}
		return b
	}
	b, ok := st.encoded[p]
	if !ok {
		b, _ = json.Marshal(p)
		st.encoded[p] = b
	}
	return b
}

func (s *Server) answerPerson(w http.ResponseWriter, r *http.Request, status int, st *site, p *Person) {
	shape := ""
	if f := faultOf(r); f != nil {
		shape = f.AccessTypeShape
	}
	body := st.json(p, shape)
	if s.opts.WrapPerson {
		writeJSON(w, status, map[string]any{"data": body})
		return
	}
	writeJSON(w, status, body)
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.siteOf(w, r)
	if st == nil {
		return
	}
	uuid := r.PathValue("uuid")
	if f := faultOf(r); f != nil && f.AnswerAs != "" {
		uuid = f.AnswerAs
	}
	p, ok := st.find(uuid)
	switch {
	case ok:
		s.answerPerson(w, r, http.StatusOK, st, p)
	case s.opts.NotFoundAsEmpty:
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeError(w, http.StatusNotFound, "Person not found")
	}
}

// later runs a write's effect after the fault's VisibleAfter, or at once.
func (s *Server) later(r *http.Request, apply func()) {
	if f := faultOf(r); f != nil && f.VisibleAfter > 0 {
		time.AfterFunc(f.VisibleAfter, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			apply()
		})
		return
	}
	apply()
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.siteOf(w, r)
	if st == nil {
		return
	}
	var p Person
	if msg := s.apply(r, &p); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if p.Firstname == "" && p.Lastname == "" {
		writeError(w, http.StatusBadRequest, "firstname or lastname is required")
		return
	}
	if p.Type == 0 {
		p.Type = 2
	}
	stored := st.add(p)
	if f := faultOf(r); f != nil && f.VisibleAfter > 0 {
		stored.hidden = true
		st.hidden++
		s.later(r, func() {
			if stored.hidden {
				stored.hidden = false
				st.hidden--
			}
		})
	}
	s.answerPerson(w, r, http.StatusCreated, st, stored)
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.siteOf(w, r)
	if st == nil {
		return
	}
	p, ok := st.find(r.PathValue("uuid"))
	if !ok {
		writeError(w, http.StatusNotFound, "Person not found")
		return
	}
	changed := *p
	if msg := s.apply(r, &changed); msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	s.later(r, func() {
		if q, ok := st.byUUID[strings.ToLower(changed.UUID)]; ok && q == p {
			*p = changed
			delete(st.encoded, p)
		}
	})
	s.answerPerson(w, r, http.StatusOK, st, &changed)
}

func (s *Server) deletePerson(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.siteOf(w, r)
	if st == nil {
		return
	}
	uuid := r.PathValue("uuid")
	if _, ok := st.find(uuid); !ok {
		writeError(w, http.StatusNotFound, "Person not found")
		return
	}
	s.later(r, func() { st.remove(uuid) })
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// apply writes a form body onto a person and returns a validation message
// when IPassan would refuse it. Unknown profile GUIDs are ignored silently,
// the way IPassan ignores them.
func (s *Server) apply(r *http.Request, p *Person) string {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return "expected a form body (application/x-www-form-urlencoded), got " + strconv.Quote(ct)
	}
	if err := r.ParseForm(); err != nil {
		return "the form cannot be read: " + err.Error()
	}
	for key, values := range r.PostForm {
		v := values[len(values)-1]
		if !utf8.ValidString(v) {
			return key + " is not valid UTF-8"
		}
		text := map[string]*string{"firstname": &p.Firstname, "lastname": &p.Lastname, "mail": &p.Mail,
			"phone": &p.Phone, "number": &p.Number, "other": &p.Other}
		switch {
		case text[key] != nil:
			*text[key] = v
		case key == "type":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 3 {
				return "type must be 1, 2 or 3"
			}
			p.Type = PersonType(n)
		case key == "uuid" || key == "architecture" || strings.HasPrefix(key, "architecture["):
			return key + " is read-only"
		case strings.HasPrefix(key, "accessType[") && strings.HasSuffix(key, "]"):
			slot := p.AccessType.slot(key[len("accessType[") : len(key)-1])
			if slot == nil {
				return "unknown access slot " + key
			}
			if v == "null" || v == "" {
				*slot = nil
			} else if prof, ok := s.profiles[strings.ToLower(v)]; ok {
				id := prof.UUID
				*slot = &id
			}
		default:
			return "unknown field " + key
		}
	}
	if utf8.RuneCountInString(p.Other) > 255 {
		return "other must be at most 255 characters"
	}
	return ""
}

func (s *Server) listBases(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page(w, r, len(s.bases), func(from, to int) []json.RawMessage {
		var out []json.RawMessage
		for _, b := range s.bases[from:to] {
			row, _ := json.Marshal(map[string]string{"uuid": b.UUID, "name": b.Name, "displayname": b.DisplayName})
			out = append(out, row)
		}
		return out
	})
}

func (s *Server) listSites(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bases {
		if strings.EqualFold(b.UUID, r.PathValue("base")) {
			s.page(w, r, len(b.sites), func(from, to int) []json.RawMessage {
				var out []json.RawMessage
				for _, st := range b.sites[from:to] {
					row, _ := json.Marshal(map[string]string{"uuid": st.uuid, "name": st.name})
					out = append(out, row)
				}
				return out
			})
			return
		}
	}
	writeError(w, http.StatusForbidden, "Access Denied")
}

// String describes the fake for logs.
func (s *Server) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.sites {
		n += len(st.persons)
	}
	return "fake IPassan: " + count(len(s.bases), "base") + ", " + count(len(s.sites), "site") + ", " +
		count(n, "person") + ", " + count(len(s.profiles), "profile")
}

// count is n and the noun, plural when n is not 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// bearer is the request's bearer token, and whether it carries one.
func bearer(r *http.Request) (string, bool) {
	return strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
}
