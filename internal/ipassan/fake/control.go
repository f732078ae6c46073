package fake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Count is how many requests a route has received.
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[route]
}

// Counts returns the requests per route.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Total is the number of requests received on all routes.
func (s *Server) Total() int {
	n := 0
	for _, v := range s.Counts() {
		n += v
	}
	return n
}

// Writes is the number of write requests received (create, update, delete),
// whatever their outcome.
func (s *Server) Writes() int {
	return s.Count(RouteCreate) + s.Count(RouteUpdate) + s.Count(RouteDelete)
}

// ResetCounts zeroes the request counts, the peak of requests served at
// once and the count of requests refused by MaxInFlight.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.peak, s.limited, s.pastEnd = s.inFlight, 0, 0
	s.countFrom = 0
}

// ResetCountsForNextAction is ResetCounts for a test that counts what the
// next action asks: from now on only requests with a token issued after this
// call count. Each action logs in afresh, so the pages an earlier action
// asked past the end of a site, still on their way when it ended, are not
// taken for the next action's.
func (s *Server) ResetCountsForNextAction() {
	s.ResetCounts()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countFrom = s.issuedN + 1
}

// PastEnd is how many pages of persons were asked at an offset past the end
// of the site since the counts were reset, also those the reader gave up on
// before they were answered: what it asked in vain.
func (s *Server) PastEnd() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pastEnd
}

// Load says how many API requests were served at once at most (those waiting
// for a worker included), and how many were answered 429 because
// MaxInFlight were being served already.
func (s *Server) Load() (peakInFlight, rateLimited int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak, s.limited
}

// Persons returns a copy of a site's persons in page order.
func (s *Server) Persons(siteUUID string) []Person {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sites[strings.ToLower(siteUUID)]
	if !ok {
		return nil
	}
	out := make([]Person, len(st.persons))
	for i, p := range st.persons {
		out[i] = *p
	}
	return out
}

// Person returns one person of a site.
func (s *Server) Person(siteUUID, uuid string) (Person, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sites[strings.ToLower(siteUUID)]
	if !ok {
		return Person{}, false
	}
	p, ok := st.byUUID[strings.ToLower(uuid)]
	if !ok {
		return Person{}, false
	}
	return *p, true
}

// AddPerson stores a person in a site (a uuid is made when it has none) and
// returns it.
func (s *Server) AddPerson(siteUUID string, p Person) (Person, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sites[strings.ToLower(siteUUID)]
	if !ok {
		return Person{}, false
	}
	return *st.add(p), true
}

// RevokeTokens invalidates every token issued so far.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]issued{}
}

// ParseFaults reads faults as JSON: one fault object, or a list of them
// (the body of POST /_fake/faults, the value of ipassan-fake --fault). Unknown
// fields are refused, so that a misspelt behaviour is not silently ignored.
func ParseFaults(data []byte) ([]Fault, error) {
	trimmed := bytes.TrimSpace(data)
	var faults []Fault
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	var err error
	if bytes.HasPrefix(trimmed, []byte("[")) {
		err = dec.Decode(&faults)
	} else {
		var f Fault
		err = dec.Decode(&f)
		faults = []Fault{f}
	}
	if err != nil {
		return nil, fmt.Errorf("a fault is a JSON object (or a list of them) with the fields of fake.Fault: %w", err)
	}
	for _, f := range faults {
		if err := f.check(); err != nil {
			return nil, err
		}
	}
	return faults, nil
}

// check refuses a fault that cannot do what it says.
func (f Fault) check() error {
	routes := []string{"*", RouteToken, RouteList, RouteGet, RouteCreate, RouteUpdate, RouteDelete, RouteBases, RouteSites}
	switch {
	case !slices.ContainsFunc(routes, func(r string) bool { return strings.EqualFold(r, f.Route) }):
		return fmt.Errorf("fault route %q is none of %s", f.Route, strings.Join(routes, ", "))
	case f.Times < 0:
		return errors.New("fault times must be 0 (every request) or more")
	case f.AccessTypeShape != "" && AccessTypeShapes[f.AccessTypeShape] == "":
		return fmt.Errorf("fault accessTypeShape %q is none of %s", f.AccessTypeShape, strings.Join(ShapeNames(), ", "))
	case f.Row != nil && !json.Valid(f.Row):
		return errors.New("fault row must be JSON")
	case f.ExpiresIn != "" && f.ExpiresIn != "absent" && !json.Valid([]byte(f.ExpiresIn)):
		return fmt.Errorf("fault expiresIn %q must be JSON or absent", f.ExpiresIn)
	}
	return nil
}

// ShapeNames are the names of AccessTypeShapes, sorted.
func ShapeNames() []string {
	names := make([]string, 0, len(AccessTypeShapes))
	for n := range AccessTypeShapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Faults returns the faults still queued.
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = *f
	}
	return out
}

// controls mounts the /_fake endpoints that let scripts steer a running fake:
//
//	GET    /_fake/stats                  requests per route, writes, the total, the most served at once, the 429s of maxInFlight, pages asked past the end
//	DELETE /_fake/stats                  zero them
//	GET    /_fake/faults                 the faults still queued
//	POST   /_fake/faults                 queue faults: one Fault as JSON, or a list (see ParseFaults)
//	DELETE /_fake/faults                 clear faults
//	GET    /_fake/sites/{site}/persons   the stored persons (also those not visible yet)
func (s *Server) controls() {
	s.mux.HandleFunc("GET /_fake/stats", func(w http.ResponseWriter, r *http.Request) {
		counts := s.Counts()
		routes := make([]string, 0, len(counts))
		for k := range counts {
			routes = append(routes, k)
		}
		sort.Strings(routes)
		peak, limited := s.Load()
		writeJSON(w, http.StatusOK, map[string]any{"requests": counts, "routes": routes, "writes": s.Writes(), "total": s.Total(),
			"peakInFlight": peak, "rateLimited": limited, "pastEnd": s.PastEnd()})
	})
	s.mux.HandleFunc("DELETE /_fake/stats", func(w http.ResponseWriter, r *http.Request) {
		s.ResetCounts()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Faults())
	})
	s.mux.HandleFunc("POST /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		faults, perr := ParseFaults(body)
		if err != nil || perr != nil {
			writeError(w, http.StatusBadRequest, cmp.Or(perr, err).Error())
			return
		}
		for _, f := range faults {
			s.AddFault(f)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("DELETE /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /_fake/sites/{site}/persons", func(w http.ResponseWriter, r *http.Request) {
		persons := s.Persons(r.PathValue("site"))
		if persons == nil {
			writeError(w, http.StatusNotFound, "no such site")
			return
		}
		writeJSON(w, http.StatusOK, persons)
	})
}
