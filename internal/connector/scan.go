package connector

import (
	"context"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// findPersons reads the whole site (IPassan cannot filter) and keeps the
// persons whose field equals value: as text, trimmed, without regard to case,
// the way PowerShell's -eq compares. A field that no person has and that
// IPassan does not know is a configuration error, not "no match": treating it
// as no match would create a duplicate on every run.
func (c *Connector) findPersons(ctx context.Context, field, value string) ([]ipassan.Person, error) {
	want := strings.TrimSpace(value)
	var found []ipassan.Person
	scanned, seen := 0, false
	for p, err := range c.Client.Persons(ctx, c.Config.PageSize) {
		if err != nil {
			return nil, err
		}
		scanned++
		v, ok := p.Value(field)
		if !ok {
			continue
		}
		seen = true
		if s, isText := object.Text(v); isText && strings.EqualFold(strings.TrimSpace(s), want) {
			found = append(found, p)
		}
	}
	c.Log.Debug().Int("scanned", scanned).Int("found", len(found)).Str("field", field).Msg("correlation scan")
	if !seen && !knownPath(field) {
		return nil, fmt.Errorf("CorrelationConfiguration.AccountField %s is not an IPassan person field (none of the %d persons of the site has it); correlate on number or mail", quote(field), scanned)
	}
	return found, nil
}

// knownPath reports whether a (dotted) field names something IPassan persons
// have.
func knownPath(field string) bool {
	head, _, _ := strings.Cut(field, ".")
	_, known := ipassan.CanonicalField(head)
	return known
}
