package connector

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// DefaultUniqueFields are checked when neither the context nor the
// configuration names fields: mail is what must not be shared. number is the
// usual correlation field, whose twin on the site is the person a create takes
// over, so it is checked only when asked for.
var DefaultUniqueFields = []string{ipassan.FieldMail}

// Uniqueness is HelloID's uniqueness check: for each field to check, whether
// another IPassan person already holds the value Data gives it (compared as
// text, trimmed, without regard to case, as correlation compares). The
// account being checked (References.Account, on every operation but create)
// is not "another". The answer is NonUniqueFields, in Data's spelling of the
// field names. It reads the site once and writes nothing, in a preview too.
func (c *Connector) Uniqueness(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.NoAction // a uniqueness check is none of HelloID's audit Actions
	data, err := requireData(in, "the uniqueness check compares Data's values with IPassan's")
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	fields, err := c.uniqueFields(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	self, err := in.AccountReference()
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	twin, err := c.correlationTwin(in, data, self)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}

	// The values to look for: Data's, by IPassan field name.
	type check struct {
		key, name, value string   // Data's spelling, IPassan's, the value trimmed
		holders          []string // persons found holding it, the first few
	}
	var checks []*check
	for _, f := range fields {
		v, ok := data.Path(f)
		if !ok {
			continue // not mapped for this operation: nothing to check
		}
		text, ok := object.Text(v)
		if !ok {
			return helloid.Failure(act, fmt.Sprintf("Data.%s must be text, got %s", f, object.Kind(v)))
		}
		if strings.TrimSpace(text) == "" {
			continue // an empty value collides with nobody
		}
		name, _ := ipassan.CanonicalField(f)
		checks = append(checks, &check{key: data.Spelling(f), name: name, value: strings.TrimSpace(text)})
	}
	nonUnique := []string{}
	out := &helloid.Output{Success: true, NonUniqueFields: &nonUnique}
	if len(checks) == 0 {
		out.Log(act, fmt.Sprintf("Nothing to check: Data gives no value for %s", strings.Join(fields, ", ")), false)
		return out
	}

	// A person other than the account holding the value is a clash, except
	// the one person a create of this person would take over (the
	// correlation twin, see correlationTwin): that is this person.
	holds := func(p ipassan.Person, ch *check) bool {
		return !strings.EqualFold(p.UUID, self) && holdsValue(p, ch.name, ch.value)
	}
	var twins []string
	stats, err := c.scan(ctx, func(p ipassan.Person) bool {
		if twin.is(p) {
			return true
		}
		for _, ch := range checks {
			if holds(p, ch) {
				return true
			}
		}
		return false
	}, func(p ipassan.Person) error {
		if twin.is(p) {
			twins = append(twins, p.UUID)
		}
		for _, ch := range checks {
			if len(ch.holders) < maxHolders && holds(p, ch) {
				ch.holders = append(ch.holders, p.UUID)
			}
		}
		return nil
	})
	if err != nil {
		return helloid.Failure(act, "Could not check uniqueness against IPassan's persons: "+Explain(err))
	}
	// Only one twin is this person: with several, correlation would fail
	// and none of them is this person for sure.
	isThisPerson := func(uuid string) bool { return len(twins) == 1 && strings.EqualFold(twins[0], uuid) }
	var found []string
	for _, ch := range checks {
		others := slices.DeleteFunc(ch.holders, isThisPerson)
		if len(others) > 0 {
			nonUnique = append(nonUnique, ch.key)
			found = append(found, fmt.Sprintf("%s %s is held by IPassan person %s", ch.key, quote(ch.value), others[0]))
		}
	}
	if len(found) == 0 {
		out.Log(act, fmt.Sprintf("No other of the %s of the site holds the same %s", plural(stats.Persons, "person", "persons"), checkedNames(checks, func(c *check) string { return c.key })), false)
	} else {
		out.Log(act, "Not unique: "+strings.Join(found, "; "), false)
	}
	if len(twins) == 1 {
		out.Log(act, fmt.Sprintf("IPassan person %s has %s = %s: the person a create of this person correlates with, so its values are this person's own", twins[0], twin.field, quote(twin.value)), false)
	}
	return out
}

// twinOf names the IPassan persons a correlating create would take over: those
// whose field equals value. The zero value names nobody.
type twinOf struct{ field, value string }

func (t twinOf) is(p ipassan.Person) bool {
	return t.field != "" && holdsValue(p, t.field, t.value)
}

// correlationTwin is who a create of this person would correlate with, for a
// create's check (no References.Account): by the context's
// CorrelationConfiguration when it is on; when the context carries none, by
// Data's value of importCorrelationField (default number), the field HelloID
// correlates on here. HelloID runs the uniqueness check before the create
// correlates, so that person's own mail must not count as another's. With
// correlation off, or on an update, there is no twin: the create would make
// a new person, the update's account is References.Account.
func (c *Connector) correlationTwin(in *helloid.Context, data *object.Object, self string) (twinOf, error) {
	if self != "" {
		return twinOf{}, nil
	}
	if v, present := in.Action.Get("CorrelationConfiguration"); present && v != nil {
		corr, err := in.Correlation()
		if err != nil || !corr.Enabled || corr.AccountField == "" || strings.TrimSpace(corr.PersonFieldValue) == "" {
			return twinOf{}, err
		}
		name, _ := ipassan.CanonicalField(corr.AccountField)
		return twinOf{field: name, value: strings.TrimSpace(corr.PersonFieldValue)}, nil
	}
	field := c.Config.ImportCorrelationField
	v, ok := data.Path(field)
	s, isText := object.Text(v)
	if !ok || !isText || strings.TrimSpace(s) == "" {
		return twinOf{}, nil
	}
	name, _ := ipassan.CanonicalField(field)
	return twinOf{field: name, value: strings.TrimSpace(s)}, nil
}

// maxHolders is how many holders of a value the check keeps: enough that one
// of them being this person's twin still leaves another to name.
const maxHolders = 3

// uniqueFields are the fields to check: actionContext.UniqueFieldNames when
// given (a list, or names separated by commas), else DefaultUniqueFields.
func (c *Connector) uniqueFields(in *helloid.Context) ([]string, error) {
	v, ok := in.Action.Get("UniqueFieldNames")
	if !ok || v == nil {
		return DefaultUniqueFields, nil
	}
	var names []string
	switch list := v.(type) {
	case []any:
		for i, item := range list {
			s, ok := object.Text(item)
			if !ok {
				return nil, fmt.Errorf("actionContext.UniqueFieldNames[%d] must be a field name, got %s", i, object.Kind(item))
			}
			names = append(names, s)
		}
	default:
		s, ok := object.Text(v)
		if !ok {
			return nil, fmt.Errorf("actionContext.UniqueFieldNames must be a list of field names, got %s", object.Kind(v))
		}
		names = strings.Split(s, ",")
	}
	var out []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return DefaultUniqueFields, nil
	}
	return out, nil
}

func checkedNames[T any](items []T, name func(T) string) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = name(it)
	}
	return strings.Join(names, " or ")
}
