package connector_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// The fault table: every fault the fake can inject, against every lifecycle
// action, asserting the outcome and IPassan's final state. Physical access is
// security: no fault may leave a duplicate person, an unintended write, or a
// leaver with a door profile that the answer says is gone.

type outcome int

const (
	ok    outcome = iota // succeeds; the intended state is reached
	fails                // fails; nothing changed
)

// lifecycle describes each action's setup and what "done" looks like.
var lifecycle = map[string]struct {
	persons  []fake.Person
	context  func() m
	read     string // the route it reads first
	write    string // the route it writes
	intended func(e *env) bool
	initial  func(e *env) bool
}{
	"create": {
		persons: []fake.Person{{UUID: "other-1", Lastname: "Jansen", Number: "2002"}},
		context: func() m { return m{"Data": newHire(), "CorrelationConfiguration": correlation("1001")} },
		read:    fake.RouteList, write: fake.RouteCreate,
		intended: func(e *env) bool { return countNumber(e, "1001") == 1 },
		initial:  func(e *env) bool { return countNumber(e, "1001") == 0 },
	},
	"update": {
		persons: []fake.Person{employee(floor1)},
		context: func() m {
			d := withKey(newHire(), "Teamleider")
			d["mail"] = "zoe@example.org"
			return m{"Data": d, "References": m{"Account": "emp-1"}}
		},
		read: fake.RouteGet, write: fake.RouteUpdate,
		intended: func(e *env) bool {
			p, _ := e.person("emp-1")
			return p.Mail == "zoe@example.org" && slot(p) == allDoors
		},
		initial: func(e *env) bool {
			p, _ := e.person("emp-1")
			return p.Mail == "zoe.dhondt@example.org" && slot(p) == floor1
		},
	},
	"enable": {
		persons: []fake.Person{employee("")},
		context: func() m { return enableContext("Medewerker Servicedesk") },
		read:    fake.RouteGet, write: fake.RouteUpdate,
		intended: func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == floor1 },
		initial:  func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == "" },
	},
	"disable": {
		persons: []fake.Person{employee(allDoors)},
		context: func() m { return m{"References": m{"Account": "emp-1"}} },
		read:    fake.RouteGet, write: fake.RouteUpdate,
		intended: func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == "" },
		initial:  func(e *env) bool { p, _ := e.person("emp-1"); return slot(p) == allDoors },
	},
	"delete": {
		persons: []fake.Person{employee(floor1)},
		context: func() m { return m{"References": m{"Account": "emp-1"}} },
		read:    fake.RouteGet, write: fake.RouteDelete,
		intended: func(e *env) bool { _, exists := e.person("emp-1"); return !exists },
		initial:  func(e *env) bool { _, exists := e.person("emp-1"); return exists },
	},
}

func slot(p fake.Person) string { return p.AccessType.Slot("doorPermanent") }

func countNumber(e *env, number string) int {
	n := 0
	for _, p := range e.fake.Persons(siteID) {
		if p.Number == number {
			n++
		}
	}
	return n
}

// fault is one row: a fault on the action's read, write or token route, and
// the outcome per action (one outcome when all actions agree).
type faultCase struct {
	name     string
	on       string // "read", "write" or "token"
	fault    fake.Fault
	deadline time.Duration
	all      outcome
	per      map[string]outcome
}

var faultTable = []faultCase{
	{name: "429 without Retry-After", on: "write", fault: fake.Fault{Status: 429, Times: 1}, all: ok},
	{name: "429 with Retry-After 1", on: "read", fault: fake.Fault{Status: 429, RetryAfter: "1", Times: 1}, all: ok},
	{name: "503 burst of 3", on: "read", fault: fake.Fault{Status: 503, Times: 3}, all: ok},
	{name: "503 burst longer than the retries", on: "read", fault: fake.Fault{Status: 503, Times: 5}, all: fails},
	{name: "503 on every write", on: "write", fault: fake.Fault{Status: 503}, all: fails},
	// A 5xx on a create is ambiguous: looked up, not found, and not sent again
	// (IPassan may still finish it); HelloID's retry correlates.
	{name: "500 on a write", on: "write", fault: fake.Fault{Status: 500, Times: 1}, all: fails},
	{name: "connection dropped before the write", on: "write", fault: fake.Fault{Drop: true, Times: 1}, all: ok,
		per: map[string]outcome{"create": fails}},
	{name: "reply lost after the write", on: "write", fault: fake.Fault{LoseReply: true, Times: 1}, all: ok},
	// the write landed every time; reading back shows it did
	{name: "every reply lost after the write", on: "write", fault: fake.Fault{LoseReply: true}, all: ok},
	{name: "garbage JSON on the read", on: "read", fault: fake.Fault{Garbage: true, Times: 1}, all: fails},
	{name: "garbage JSON after the write", on: "write", fault: fake.Fault{Garbage: true, Times: 1}, all: ok},
	{name: "token revoked mid-action", on: "write", fault: fake.Fault{RevokeTokens: true, Times: 1}, all: ok},
	{name: "token endpoint 503 twice", on: "token", fault: fake.Fault{Status: 503, Times: 2}, all: ok},
	{name: "token endpoint refuses", on: "token", fault: fake.Fault{Status: 401, Times: 1}, all: fails},
	// A 3xx is never followed, nor retried: nothing reaches the place it
	// names. A create redirected is unclear (the POST went out), so it is
	// looked up, found missing, and not sent again.
	{name: "redirect to http on another port", on: "read", fault: fake.Fault{Status: 301, Location: "http://127.0.0.1:1/api/v1/elsewhere", Times: 1}, all: fails},
	{name: "redirect of the write", on: "write", fault: fake.Fault{Status: 307, Location: "http://127.0.0.1:1/api/v1/elsewhere", Times: 1}, all: fails},
	{name: "slow server past the deadline", on: "read", fault: fake.Fault{Delay: 5 * time.Second}, deadline: 400 * time.Millisecond, all: fails},
	{name: "slow write past the deadline", on: "write", fault: fake.Fault{Delay: 5 * time.Second}, deadline: 400 * time.Millisecond, all: fails},
}

// retriedCreates are the faults after which IPassan provably did nothing, so
// the create may be sent again (a 429; a 401 answered before a new login).
var retriedCreates = map[string]int{"429 without Retry-After": 1, "token revoked mid-action": 1}

func TestFaultTable(t *testing.T) {
	var tried, duplicates, unintended atomic.Int32
	t.Run("cases", func(t *testing.T) { runFaultTable(t, &tried, &duplicates, &unintended) })
	t.Logf("fault table: %d faults × 5 actions = %d cases; %d duplicates, %d unintended writes",
		len(faultTable), tried.Load(), duplicates.Load(), unintended.Load())
}

func runFaultTable(t *testing.T, tried, duplicates, unintended *atomic.Int32) {
	for _, fc := range faultTable {
		for _, action := range []string{"create", "update", "enable", "disable", "delete"} {
			lc := lifecycle[action]
			want := fc.all
			if o, ok := fc.per[action]; ok {
				want = o
			}
			t.Run(fmt.Sprintf("%s/%s", fc.name, action), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, fake.Options{}, lc.persons...)
				e.deadline = fc.deadline
				f := fc.fault
				f.Route = map[string]string{"read": lc.read, "write": lc.write, "token": fake.RouteToken}[fc.on]
				e.fake.AddFault(f)

				start := time.Now()
				out := e.run(action, lc.context())
				if fc.deadline > 0 {
					// Well before the fault's 5 s, with room for a loaded CI machine.
					assert.Less(t, time.Since(start), fc.deadline+2500*time.Millisecond, "ended by its deadline")
				}
				e.fake.ClearFaults()
				tried.Add(1)

				assert.Equal(t, want == ok, out.Success, "audit: %+v", out.AuditLogs)
				if !out.Success {
					assert.True(t, out.AuditLogs[len(out.AuditLogs)-1].IsError)
				}
				switch want {
				case ok:
					assert.True(t, lc.intended(e), "the intended state")
				case fails:
					if !assert.True(t, lc.initial(e), "nothing changed") {
						unintended.Add(1)
					}
				}
				if countNumber(e, "1001") > 1 {
					duplicates.Add(1)
					t.Errorf("duplicate persons: %d with number 1001", countNumber(e, "1001"))
				}
				if action == "create" {
					assert.LessOrEqual(t, e.fake.Count(fake.RouteCreate), 1+retriedCreates[fc.name], "one POST per action, unless the first provably never reached IPassan")
				}
			})
		}
	}
}
