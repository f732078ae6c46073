package connector

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"golang.org/x/sync/errgroup"
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
	// Indexed: every person was matched through the site index (each match
	// confirmed by reading the person) and the site was not read, so Site
	// is 0 and the orphans are unknown (Orphans is nil).
	Indexed bool `json:"indexed,omitempty"`
}

// PlanOptions say how HR persons meet IPassan persons.
type PlanOptions struct {
	Mapping      *fieldmapping.Mapping
	PersonField  string // in the personContext; default Person.ExternalId
	AccountField string // the IPassan field; default number
	// UseIndex lets every person be matched through the site index, as a
	// correlating create is (see fromIndex): when each one is, the site is
	// not read; the first that is not sends the plan to the whole site.
	UseIndex bool
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
	if c.Config.MappingPath != "" || strings.TrimSpace(c.Config.MappingText) != "" {
		// A broken table fails the plan at once, not once per person.
		if _, err := c.Mapping("plan"); err != nil {
			return nil, err
		}
	}

	start := time.Now()
	var accounts []ipassan.Person
	byValue := map[string][]int{}
	add := func(p ipassan.Person) error {
		if v, ok := p.Value(opts.AccountField); ok {
			if s, isText := object.Text(v); isText && strings.TrimSpace(s) != "" {
				key := strings.ToLower(strings.TrimSpace(s))
				byValue[key] = append(byValue[key], len(accounts))
			}
		}
		accounts = append(accounts, p)
		return nil
	}
	var stats ipassan.ScanStats
	indexed := false
	if opts.UseIndex {
		var found []ipassan.Person
		if found, indexed = c.planFromIndex(ctx, persons, opts); indexed {
			for _, p := range found {
				_ = add(p)
			}
			c.Log.Debug().Int("persons", len(found)).Msg("every person matched through the site index; the site was not read")
		}
	}
	if !indexed {
		var err error
		if stats, err = c.scanLeavingIndex(ctx, opts.AccountField, nil, add); err != nil {
			return nil, fmt.Errorf("reading the site: %s", Explain(err))
		}
		c.Log.Debug().Int("persons", stats.Persons).Stringer("took", time.Since(start).Round(time.Millisecond)).Msg("site read for the plan")
	}
	start = time.Now()
	p := &planner{c: c, opts: opts, accounts: accounts, byValue: byValue}
	entries := make([]PlanEntry, len(persons))
	matched := make([]atomic.Bool, len(accounts))
	work, workCtx := errgroup.WithContext(ctx)
	work.SetLimit(runtime.GOMAXPROCS(0))
	for i := range persons {
		if workCtx.Err() != nil {
			break
		}
		work.Go(func() error {
			e, account := p.safeEntry(persons[i])
			entries[i] = e
			if account >= 0 {
				matched[account].Store(true)
			}
			return nil
		})
	}
	_ = work.Wait() // entries never fail; a person's error is its plan
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.Log.Debug().Int("persons", len(persons)).Stringer("took", time.Since(start).Round(time.Millisecond)).Msg("persons planned")

	result := &PlanResult{Entries: entries, Orphans: []PlanOrphan{}, Summary: map[string]int{}, Site: stats.Persons}
	if indexed {
		result.Orphans, result.Indexed = nil, true
	}
	for _, e := range entries {
		for _, s := range e.Steps {
			result.Summary[s.Action]++
		}
	}
	for i, a := range accounts {
		if indexed || matched[i].Load() {
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
	if !indexed {
		result.Summary["orphan"] = len(result.Orphans)
	}
	return result, nil
}

// planFromIndex matches every HR person with a correlation value through the
// site index, at most Concurrency at a time, each match confirmed by reading
// that IPassan person. ok is false at the first person the index cannot
// answer for sure: that person may be new, which only the whole site can
// tell, so the plan reads it.
func (c *Connector) planFromIndex(ctx context.Context, persons []*object.Object, opts PlanOptions) (found []ipassan.Person, ok bool) {
	if c.siteIndex(opts.AccountField).MaxAge <= 0 {
		return nil, false
	}
	if len(persons) > MaxIndexedPlan {
		c.Log.Debug().Int("persons", len(persons)).Msg("too many persons to look up one by one; reading the whole site")
		return nil, false
	}
	results := make([]ipassan.Person, len(persons))
	work, workCtx := errgroup.WithContext(ctx)
	work.SetLimit(max(1, c.Config.Concurrency))
	for i, pc := range persons {
		if workCtx.Err() != nil {
			break // a person the index could not answer: the site is read anyway
		}
		v, _ := pc.Path(opts.PersonField)
		id, _ := object.Text(v)
		if strings.TrimSpace(id) == "" || pc.Object("Person") == nil {
			continue // its plan is an error, whatever the site holds
		}
		work.Go(func() error {
			p, hit := c.fromIndex(workCtx, opts.AccountField, id)
			if !hit {
				return errNotIndexed
			}
			results[i] = p
			return nil
		})
	}
	if work.Wait() != nil {
		return nil, false
	}
	seen := map[string]bool{}
	for _, p := range results {
		if p.UUID != "" && !seen[strings.ToLower(p.UUID)] {
			seen[strings.ToLower(p.UUID)] = true
			found = append(found, p)
		}
	}
	return found, true
}

// MaxIndexedPlan is the most HR persons a plan matches through the site index,
// each by a lookup in the index file and a read of the person: beyond some
// hundreds, one read of the whole site costs less.
const MaxIndexedPlan = 200

// errNotIndexed stops planFromIndex at the first person the index cannot answer.
var errNotIndexed = errors.New("not answered by the site index")

// planner decides one person at a time; it is read-only, so several
// goroutines share it.
type planner struct {
	c        *Connector
	opts     PlanOptions
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
	matched := -1 // the one account this person matches, also when its plan fails: it is no orphan
	fail := func(format string, args ...any) (PlanEntry, int) {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: fmt.Sprintf(format, args...)})
		return e, matched
	}
	if person == nil {
		return fail("the entry has no Person")
	}
	if id == "" {
		return fail("the correlation value (%s) is empty", p.opts.PersonField)
	}
	matches := p.byValue[strings.ToLower(id)]
	if len(matches) == 1 {
		matched = matches[0]
	}
	entitled := p.entitled(person)
	// Create checks its Data against the correlation value before it looks
	// for anyone: a mapping that writes another value fails every create.
	created, err := p.opts.Mapping.Map("Create", pc, fieldmapping.Options{})
	if err != nil {
		return fail("%s", err)
	}
	fields, _, err := accountFields(created)
	if err != nil {
		return fail("%s", err)
	}
	corr := helloid.Correlation{Enabled: true, PersonField: p.opts.PersonField, PersonFieldValue: id, AccountField: p.opts.AccountField}
	if problem := correlationProblem(corr, fields); problem != "" {
		return fail("create would fail: %s", problem)
	}
	switch len(matches) {
	case 0:
		e.Steps = append(e.Steps, PlanStep{Action: StepCreate, Detail: fieldNames(fields)})
		if entitled {
			p.access(&e, pc, ipassan.Person{}, true)
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
	updated, _, err := accountFields(data)
	if err != nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: err.Error()})
		return e, matches[0]
	}
	key, err := lookupKey(data)
	if err == nil {
		p.update(&e, account, updated, key)
	} else {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: err.Error()})
	}
	p.access(&e, pc, account, entitled)
	if len(e.Steps) == 1 {
		e.Steps = append(e.Steps, PlanStep{Action: StepNoChange})
	}
	return e, matches[0]
}

// update adds what update would send: the fields that differ, and the door
// profile moved on a job change, decided as Update decides.
func (p *planner) update(e *PlanEntry, account ipassan.Person, fields []accountField, key string) {
	_, changes, profile, err := p.c.updateChanges(account, fields, key)
	if err != nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: "update would fail: " + err.Error()})
		return
	}
	if profile != nil {
		changes = changes[:len(changes)-1] // the move is a step of its own
	}
	if len(changes) > 0 {
		e.Steps = append(e.Steps, PlanStep{Action: StepUpdate, Detail: listChanges(changes)})
	}
	if profile != nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepMove,
			Detail: p.c.profileLabel(account.AccessType.DoorPermanent) + " → " + p.c.profileLabel(profile.ProfileID)})
	}
}

// access adds what would happen to the person's door access besides update,
// through the same decisions the actions take: disable for a person who is
// not entitled, the dynamic permission in permissions mode, and enable for an
// entitled person whose account has no door profile yet.
func (p *planner) access(e *PlanEntry, pc *object.Object, account ipassan.Person, entitled bool) {
	add := func(action, detail string) { e.Steps = append(e.Steps, PlanStep{Action: action, Detail: detail}) }
	if !entitled {
		if ch := disableChange(account); ch.Write {
			add(StepDisable, "remove "+p.c.slotLabel(ch))
		}
		return
	}
	if p.c.Config.AccessProfileSource == config.Permissions {
		p.permissions(e, pc.Object("Person"), account)
		return
	}
	if current, unreadable := slotOf(account, ipassan.SlotDoorPermanent); current != "" || unreadable != "" {
		return // update moves access the account has; enable runs for accounts without
	}
	key, err := p.enableKey(pc)
	switch {
	case err != nil:
		add(StepError, err.Error())
		return
	case key == "":
		add(StepError, "enable would fail: the person maps to no access-profile lookup key")
		return
	}
	row, err := p.c.lookup(key, "enable")
	if err != nil {
		add(StepError, err.Error())
		return
	}
	if ch := setChange(account, ipassan.SlotDoorPermanent, row.ProfileID); ch.Write {
		add(StepEnable, p.c.profileLabel(row.ProfileID))
	}
}

// permissions adds what dynamic permissions would do in permissions mode,
// taking the profile in the permission slot for the one HelloID granted.
func (p *planner) permissions(e *PlanEntry, person *object.Object, account ipassan.Person) {
	table, err := p.c.Mapping("plan")
	if err != nil {
		e.Steps = append(e.Steps, PlanStep{Action: StepError, Detail: err.Error()})
		return
	}
	contracts, _ := contractsOf(person)
	winner, _ := p.c.desiredProfile(contracts, table, false)
	slot := p.c.Config.PermissionAccessType
	current, _ := slotOf(account, slot)
	switch {
	case winner != nil:
		if ch := setChange(account, slot, winner.id); ch.Write {
			e.Steps = append(e.Steps, PlanStep{Action: StepGrant, Detail: p.c.profileLabel(winner.id)})
		}
	case current != "":
		if ch := revokeChange(account, slot, current); ch.Write {
			e.Steps = append(e.Steps, PlanStep{Action: StepRevoke, Detail: p.c.profileLabel(current)})
		}
	}
}

// enableKey is the lookup key enable would get.
func (p *planner) enableKey(pc *object.Object) (string, error) {
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
