package connector

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/accessprofile"
	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Steps a plan can hold for a person.
const (
	StepCreate    = "create"
	StepCorrelate = "correlate"
	StepUpdate    = "update"
	StepEnable    = "enable"
	StepMove      = "move profile"
	StepDisable   = "disable"
	StepGrant     = "grant"
	StepRevoke    = "revoke"
	StepNoChange  = "no change"
	StepError     = "error"
)

// PlanStep is one thing enforcement would do for a person.
type PlanStep struct {
	Action string `json:"action"`
	Detail string `json:"detail,omitempty"`
}

// PlanEntry is what enforcement would do for one HR person.
type PlanEntry struct {
	ExternalID  string     `json:"externalId"`
	DisplayName string     `json:"displayName"`
	Account     string     `json:"account,omitempty"` // the IPassan person it matches
	Steps       []PlanStep `json:"steps"`
}

// PlanOrphan is an IPassan person no HR person matches.
type PlanOrphan struct {
	Account     string `json:"account"`
	Name        string `json:"name"`
	Value       string `json:"value"` // its correlation field
	DoorProfile string `json:"doorProfile,omitempty"`
}

// PlanResult is the whole plan.
type PlanResult struct {
	Entries []PlanEntry    `json:"persons"`
	Orphans []PlanOrphan   `json:"orphans"`
	Summary map[string]int `json:"summary"`
	Site    int            `json:"sitePersons"`
}

// PlanOptions say how HR persons meet IPassan persons.
type PlanOptions struct {
	Mapping      *fieldmapping.Mapping
	PersonField  string // in the personContext; default Person.ExternalId
	AccountField string // the IPassan field; default number
}

// Plan reads the site once and says, for each HR person (a personContext
// {Person, Manager}), what HelloID's enforcement would do with these rules:
// create or correlate (on AccountField = PersonField, as create does), which
// fields update would send, and how access would change; then lists the
// IPassan persons no HR person matches. It writes nothing.
//
// Whether a person should have access is read from the contracts: any
// contract in conditions (Context.InConditions) means yes; a person whose
// contracts say nothing about conditions counts as in conditions, since an
// HR export holds the persons HelloID has in scope.
func (c *Connector) Plan(ctx context.Context, persons []*object.Object, opts PlanOptions) (*PlanResult, error) {
	if opts.PersonField == "" {
		opts.PersonField = "Person.ExternalId"
	}
	if opts.AccountField == "" {
		opts.AccountField = ipassan.FieldNumber
	}
	var table *accessprofile.Table
	if c.Config.MappingPath != "" || strings.TrimSpace(c.Config.MappingText) != "" {
		t, err := c.Mapping("plan")
		if err != nil {
			return nil, err
		}
		table = t
	}

	start := time.Now()
	var accounts []ipassan.Person
	byValue := map[string][]int{}
	stats, err := c.scan(ctx, nil, func(p ipassan.Person) error {
		if v, ok := p.Value(opts.AccountField); ok {
			if s, isText := object.Text(v); isText && strings.TrimSpace(s) != "" {
				key := strings.ToLower(strings.TrimSpace(s))
				byValue[key] = append(byValue[key], len(accounts))
			}
		}
		accounts = append(accounts, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the site: %s", Explain(err))
	}

	c.Log.Debug().Int("persons", stats.Persons).Dur("took", time.Since(start)).Msg("site read for the plan")
	start = time.Now()
	p := &planner{c: c, opts: opts, table: table, accounts: accounts, byValue: byValue}
	entries := make([]PlanEntry, len(persons))
	matched := make([]bool, len(accounts))
	var mu sync.Mutex
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				e, account := p.safeEntry(persons[i])
				entries[i] = e
				if account >= 0 {
					mu.Lock()
					matched[account] = true
					mu.Unlock()
				}
			}
		}()
	}
	for i := range persons {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.Log.Debug().Int("persons", len(persons)).Dur("took", time.Since(start)).Msg("persons planned")

	result := &PlanResult{Entries: entries, Orphans: []PlanOrphan{}, Summary: map[string]int{}, Site: stats.Persons}
	for _, e := range entries {
		for _, s := range e.Steps {
			result.Summary[s.Action]++
		}
	}
	for i, a := range accounts {
		if matched[i] {
			continue
		}
		v, _ := a.Value(opts.AccountField)
		value, _ := object.Text(v)
		o := PlanOrphan{Account: a.UUID, Name: a.DisplayName(), Value: value}
		if a.AccessType.DoorPermanent != "" {
			o.DoorProfile = c.profileLabel(a.AccessType.DoorPermanent)
		}
		result.Orphans = append(result.Orphans, o)
	}
	result.Summary["orphan"] = len(result.Orphans)
	return result, nil
}

// planner decides one person at a time; it is read-only, so several
// goroutines share it.
type planner struct {
	c        *Connector
	opts     PlanOptions
	table    *accessprofile.Table
	accounts []ipassan.Person
	byValue  map[string][]int
}

// safeEntry is entry on a worker goroutine: a panic becomes that person's
// error, not the end of the process.
func (p *planner) safeEntry(pc *object.Object) (e PlanEntry, account int) {
	defer func() {
		if r := recover(); r != nil {
			e = PlanEntry{Steps: []PlanStep{{Action: StepError, Detail: fmt.Sprintf("internal error: %v", r)}}}
			account = -1
		}
	}()
	return p.entry(pc)
}

// entry plans one person and returns the account it matched (-1 for none).
func (p *planner) entry(pc *object.Object) (PlanEntry, int) {
	person := pc.Object("Person")
	idValue, _ := pc.Path(p.opts.PersonField)
	id, _ := object.Text(idValue)
	id = strings.TrimSpace(id)
	e := PlanEntry{ExternalID: id, DisplayName: displayNameOf(person, id)}
	fail := func(format string, args ...any) (PlanEntry, int) {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: fmt.Sprintf(format, args...)})
		return e, -1
	}
	if person == nil {
		return fail("the entry has no Person")
	}
	if id == "" {
		return fail("the correlation value (%s) is empty", p.opts.PersonField)
	}
	matches := p.byValue[strings.ToLower(id)]
	entitled := p.entitled(person)
	switch len(matches) {
	case 0:
		data, err := p.opts.Mapping.Map("Create", pc, fieldmapping.Options{})
		if err != nil {
			return fail("%s", err)
		}
		fields, _, err := accountFields(data)
		if err != nil {
			return fail("%s", err)
		}
		e.Steps = append(e.Steps, PlanStep{Action: StepCreate, Detail: fieldNames(fields)})
		if entitled {
			p.access(&e, pc, nil, ipassan.Person{}, true)
		}
		return e, -1
	case 1:
	default:
		return fail("%d IPassan persons have %s = %s: correlation would fail", len(matches), p.opts.AccountField, quote(id))
	}

	account := p.accounts[matches[0]]
	e.Account = account.UUID
	e.Steps = append(e.Steps, PlanStep{Action: StepCorrelate, Detail: describePerson(account)})
	data, err := p.opts.Mapping.Map("Update", pc, fieldmapping.Options{})
	if err != nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: err.Error()})
		return e, matches[0]
	}
	fields, _, err := accountFields(data)
	if err != nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: err.Error()})
		return e, matches[0]
	}
	if _, changes := diffFields(account, fields); len(changes) > 0 {
		e.Steps = append(e.Steps, PlanStep{Action: StepUpdate, Detail: listChanges(changes)})
	}
	p.access(&e, pc, data, account, entitled)
	if len(e.Steps) == 1 {
		e.Steps = append(e.Steps, PlanStep{Action: StepNoChange})
	}
	return e, matches[0]
}

// access adds what would happen to the person's door access; updateData is
// what the person maps to for update, when already mapped.
func (p *planner) access(e *PlanEntry, pc, updateData *object.Object, account ipassan.Person, entitled bool) {
	add := func(action, detail string) { e.Steps = append(e.Steps, PlanStep{Action: action, Detail: detail}) }
	current := account.AccessType.DoorPermanent
	if !entitled {
		if current != "" {
			add(StepDisable, "remove "+p.c.profileLabel(current))
		}
		return
	}
	if p.c.Config.AccessProfileSource == config.Permissions {
		p.permissions(e, pc.Object("Person"), account)
		return
	}
	key, err := p.lookupKey(pc, updateData)
	switch {
	case err != nil:
		add(StepError, err.Error())
		return
	case key == "" && current == "":
		add(StepError, "enable would fail: the person maps to no access-profile lookup key")
		return
	case key == "":
		return // update leaves access alone without a key
	case p.table == nil:
		add(StepError, "no access-profile mapping table is configured")
		return
	}
	row, ok := p.table.Lookup(key)
	switch {
	case !ok:
		add(StepError, fmt.Sprintf("lookup key %s is not in the access-profile mapping table", quote(key)))
	case current == "":
		add(StepEnable, p.c.profileLabel(row.ProfileID))
	case !ipassan.SameProfile(current, row.ProfileID):
		add(StepMove, p.c.profileLabel(current)+" → "+p.c.profileLabel(row.ProfileID))
	}
}

// permissions adds what dynamic permissions would do in permissions mode.
func (p *planner) permissions(e *PlanEntry, person *object.Object, account ipassan.Person) {
	if p.table == nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: "no access-profile mapping table is configured"})
		return
	}
	contracts, _ := contractsOf(person)
	winner, _ := p.c.desiredProfile(contracts, p.table, false)
	current, _ := account.AccessType.Slot(p.c.Config.PermissionAccessType)
	switch {
	case winner != nil && !ipassan.SameProfile(current, winner.id):
		e.Steps = append(e.Steps, PlanStep{Action: StepGrant, Detail: p.c.profileLabel(winner.id)})
	case winner == nil && current != "":
		e.Steps = append(e.Steps, PlanStep{Action: StepRevoke, Detail: p.c.profileLabel(current)})
	}
}

// lookupKey is the key update would look up (from updateData, when given),
// else the one enable would.
func (p *planner) lookupKey(pc, updateData *object.Object) (string, error) {
	if updateData != nil {
		if key, err := lookupKey(updateData); err != nil || key != "" {
			return key, err
		}
	}
	data, err := p.opts.Mapping.Map("Enable", pc, fieldmapping.Options{})
	if err != nil {
		return "", err
	}
	return lookupKey(data)
}

// entitled reports whether a person should have access: a contract in
// conditions, or no word on conditions at all.
func (p *planner) entitled(person *object.Object) bool {
	contracts, _ := contractsOf(person)
	said := false
	for _, c := range contracts {
		if v, ok := c.Path("Context.InConditions"); ok && v != nil {
			said = true
			if inConditions(c) {
				return true
			}
		}
	}
	return !said
}

func displayNameOf(person *object.Object, fallback string) string {
	if v, ok := person.Get("DisplayName"); ok {
		if s, _ := object.Text(v); strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return fallback
}
