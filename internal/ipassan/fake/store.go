// Package fake is a stateful stand-in for the IPassan API: an in-memory store
// of bases, sites and persons behind real HTTP handlers, with IPassan's known
// quirks (clamped pages, `type` as a number, unknown profile GUIDs silently
// ignored, "Access Denied" for a foreign site) and per-route fault injection.
// Tests use it in-process through httptest; cmd/ipassan-fake serves it.
//
// A Fault (faults.go) makes it misbehave as real servers and what stands in
// front of them do: a status with Retry-After, a dropped connection, a reply
// lost after the write, broken JSON, a delay; a write finished after the
// client gave up and shown only later; the site changing while a given page
// is read (a person added or removed); empty pages that still have a cursor
// and rows that are not persons; errors answered with 2xx and HTML 404s; a
// GET answering another person; accessType in other shapes
// (AccessTypeShapes); redirects elsewhere; bodies echoing the secret or the
// token in every spelling (ExpandBody); odd expires_in. Scripts queue the
// same faults as JSON (ParseFaults, POST /_fake/faults) and read the request
// counts per route (GET /_fake/stats).
package fake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/slots"
)

// Seed is the starting state, usually read from a JSON file.
type Seed struct {
	Clients        []Credential `json:"clients"`
	AccessProfiles []Profile    `json:"accessProfiles"`
	Bases          []BaseSeed   `json:"bases"`
}

// Credential is an API client allowed to log in.
type Credential struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// Profile is an access profile that exists in the fake IPassan. Only these
// GUIDs stick when written to a slot.
type Profile struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// BaseSeed is a base with its sites.
type BaseSeed struct {
	UUID        string     `json:"uuid"`
	Name        string     `json:"name"`
	DisplayName string     `json:"displayname"`
	Sites       []SiteSeed `json:"sites"`
}

// SiteSeed is a site with its persons.
type SiteSeed struct {
	UUID    string   `json:"uuid"`
	Name    string   `json:"name"`
	Persons []Person `json:"persons"`
}

// Person is a person as the fake stores it.
type Person struct {
	UUID         string         `json:"uuid"`
	Firstname    string         `json:"firstname"`
	Lastname     string         `json:"lastname"`
	Mail         string         `json:"mail"`
	Phone        string         `json:"phone"`
	Number       string         `json:"number"`
	Type         PersonType     `json:"type"`
	Other        string         `json:"other"`
	AccessType   Slots          `json:"accessType"`
	Architecture map[string]any `json:"architecture,omitempty"`

	hidden bool // created but not visible yet (Fault.VisibleAfter)
}

// PersonType is read from 2 or "2" but always written as a number, as IPassan
// does.
type PersonType int

// UnmarshalJSON accepts a number or its text.
func (t *PersonType) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*t = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("type %s is not a number", b)
	}
	*t = PersonType(n)
	return nil
}

// Slots are the four access slots; nil is an empty slot.
type Slots struct {
	DoorPermanent  *string `json:"doorPermanent"`
	DoorTemporary  *string `json:"doorTemporary"`
	FloorPermanent *string `json:"floorPermanent"`
	FloorTemporary *string `json:"floorTemporary"`
}

func (s *Slots) slot(name string) **string {
	switch name {
	case slots.DoorPermanent:
		return &s.DoorPermanent
	case slots.DoorTemporary:
		return &s.DoorTemporary
	case slots.FloorPermanent:
		return &s.FloorPermanent
	case slots.FloorTemporary:
		return &s.FloorTemporary
	}
	return nil
}

// Slot returns the GUID in a slot, "" when empty or unknown.
func (s Slots) Slot(name string) string {
	if p := s.slot(name); p != nil && *p != nil {
		return **p
	}
	return ""
}

// LoadSeed reads a seed file.
func LoadSeed(path string) (Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, err
	}
	var s Seed
	if err := json.Unmarshal(b, &s); err != nil {
		return Seed{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

type base struct {
	BaseSeed
	sites []*site
}

type site struct {
	uuid, name string
	persons    []*Person // in creation order: the order pages follow
	byUUID     map[string]*Person
	encoded    map[*Person][]byte // JSON of persons, dropped when they change
	hidden     int                // persons not visible yet
}

// visible are the persons reads show, in page order.
func (s *site) visible() []*Person {
	if s.hidden == 0 {
		return s.persons
	}
	out := make([]*Person, 0, len(s.persons))
	for _, p := range s.persons {
		if !p.hidden {
			out = append(out, p)
		}
	}
	return out
}

// find returns a visible person by uuid, in any casing.
func (s *site) find(uuid string) (*Person, bool) {
	p, ok := s.byUUID[strings.ToLower(uuid)]
	return p, ok && !p.hidden
}

// insert adds p at position at of the site (clamped), as a person created
// while the site is read lands before the reader's position.
func (s *site) insert(p Person, at int) *Person {
	stored := s.add(p)
	at = max(0, min(at, len(s.persons)-1))
	copy(s.persons[at+1:], s.persons[at:len(s.persons)-1])
	s.persons[at] = stored
	return stored
}

// removeAt removes the person at position at, if there is one.
func (s *site) removeAt(at int) {
	if at >= 0 && at < len(s.persons) {
		s.remove(s.persons[at].UUID)
	}
}

func (s *site) add(p Person) *Person {
	if p.UUID == "" {
		p.UUID = newUUID()
	}
	if p.Architecture == nil {
		// IPassan places every person in the site's tree; clients must never
		// send this back.
		p.Architecture = map[string]any{"uuid": s.uuid, "name": s.name, "type": "site"}
	}
	stored := p
	s.persons = append(s.persons, &stored)
	s.byUUID[strings.ToLower(p.UUID)] = &stored
	return &stored
}

func (s *site) remove(uuid string) bool {
	key := strings.ToLower(uuid)
	p, ok := s.byUUID[key]
	if !ok {
		return false
	}
	delete(s.byUUID, key)
	delete(s.encoded, p)
	if p.hidden {
		p.hidden = false
		s.hidden--
	}
	for i, q := range s.persons {
		if q == p {
			s.persons = append(s.persons[:i], s.persons[i+1:]...)
			break
		}
	}
	return true
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "fake-" + hex.EncodeToString(b[:])
}

// Generate makes n persons for benchmarks and load tests: numbers 100000
// upwards, a third of them with a door profile (profile, when given), names
// with diacritics.
func Generate(n int, profile string) []Person {
	first := []string{"Zoë", "Ĳsbrand", "Anouk", "Mohammed", "Femke", "Søren", "Noël", "Daan"}
	last := []string{"d'Hondt", "van 't Hof", "de Vries", "El Amrani", "Jansen", "Bakker", "Müller", "Öztürk"}
	out := make([]Person, n)
	for i := range out {
		p := Person{
			UUID:      fmt.Sprintf("b0000000-0000-4000-8000-%012d", i),
			Firstname: first[i%len(first)],
			Lastname:  last[(i/len(first))%len(last)],
			Mail:      fmt.Sprintf("person%d@example.org", i),
			Phone:     fmt.Sprintf("+31 6 %08d", i),
			Number:    strconv.Itoa(100000 + i),
			Type:      2,
		}
		if profile != "" && i%3 == 0 {
			id := profile
			p.AccessType.DoorPermanent = &id
		}
		out[i] = p
	}
	return out
}
