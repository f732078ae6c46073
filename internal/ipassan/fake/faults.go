package fake

import (
	"net/http"
	"strings"
	"time"
)

// Routes, as faults and request counts name them.
const (
	RouteToken  = "token"
	RouteList   = "list"   // GET persons of a site
	RouteGet    = "get"    // GET one person
	RouteCreate = "create" // POST a person
	RouteUpdate = "update" // PUT a person
	RouteDelete = "delete" // DELETE a person
	RouteBases  = "bases"
	RouteSites  = "sites"
)

// IsWrite reports whether a route changes persons.
func IsWrite(route string) bool {
	return route == RouteCreate || route == RouteUpdate || route == RouteDelete
}

// Fault is a misbehaviour injected into the next Times requests of a route.
type Fault struct {
	Route string `json:"route"` // a Route… constant, or "*" for any
	Times int    `json:"times"` // how many requests it hits; 0 means every one

	Status     int    `json:"status,omitempty"`     // answer this status and do nothing
	RetryAfter string `json:"retryAfter,omitempty"` // with this Retry-After header
	Body       string `json:"body,omitempty"`       // and this body (default: an error JSON)

	Drop         bool          `json:"drop,omitempty"`         // close the connection before doing anything
	LoseReply    bool          `json:"loseReply,omitempty"`    // do the work, then close the connection unanswered
	Garbage      bool          `json:"garbage,omitempty"`      // do the work, then answer 200 with broken JSON
	Delay        time.Duration `json:"delay,omitempty"`        // wait this long first (nanoseconds in JSON)
	RevokeTokens bool          `json:"revokeTokens,omitempty"` // invalidate every token first
}

func (f *Fault) matches(route string) bool {
	return f.Route == "*" || strings.EqualFold(f.Route, route)
}

// AddFault queues a fault. Faults apply in the order added; a request meets at
// most one.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fc := f
	s.faults = append(s.faults, &fc)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the fault this request meets, if any, using one of its
// Times.
func (s *Server) takeFault(route string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(route) {
			continue
		}
		hit := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		if hit.RevokeTokens {
			s.tokens = map[string]time.Time{}
		}
		return &hit
	}
	return nil
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection
}
