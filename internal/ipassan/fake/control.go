package fake

import (
	"encoding/json"
	"net/http"
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

// ResetCounts zeroes the request counts.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
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

// controls mounts the /_fake endpoints that let scripts steer a running fake:
//
//	GET    /_fake/stats                  requests per route and writes
//	POST   /_fake/faults                 queue a Fault (JSON body)
//	DELETE /_fake/faults                 clear faults
//	GET    /_fake/sites/{site}/persons   the stored persons
func (s *Server) controls() {
	s.mux.HandleFunc("GET /_fake/stats", func(w http.ResponseWriter, r *http.Request) {
		counts := s.Counts()
		routes := make([]string, 0, len(counts))
		for k := range counts {
			routes = append(routes, k)
		}
		sort.Strings(routes)
		writeJSON(w, http.StatusOK, map[string]any{"requests": counts, "routes": routes, "writes": s.Writes(), "total": s.Total()})
	})
	s.mux.HandleFunc("POST /_fake/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil || f.Route == "" {
			writeError(w, http.StatusBadRequest, "expected a fault as JSON with a route")
			return
		}
		s.AddFault(f)
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
