package connector

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// scan reads the whole site with the configured page size and concurrency,
// handing fn every person keep lets through (keep may run concurrently).
func (c *Connector) scan(ctx context.Context, keep func(ipassan.Person) bool, fn func(ipassan.Person) error) (ipassan.ScanStats, error) {
	stats, err := c.Client.Scan(ctx, ipassan.ScanOptions{PageSize: c.Config.PageSize, Concurrency: c.Config.Concurrency,
		Keep: keep, OnPage: c.Progress}, fn)
	c.Log.Debug().Int("pages", stats.Pages).Int("persons", stats.Persons).Bool("concurrent", stats.Concurrent).Msg("site scanned")
	return stats, err
}

// findPersons reads the whole site (IPassan cannot filter) and keeps the
// persons whose field equals value: as text, trimmed, without regard to case,
// the way PowerShell's -eq compares. A field that no person has and that
// IPassan does not know is a configuration error, not "no match": treating it
// as no match would create a duplicate on every run.
func (c *Connector) findPersons(ctx context.Context, field, value string) ([]ipassan.Person, error) {
	found, _, err := c.FindPersons(ctx, field, value)
	return found, err
}

// FindPersons is findPersons for admin tools: it also says how many persons
// the site has.
func (c *Connector) FindPersons(ctx context.Context, field, value string) (found []ipassan.Person, scanned int, err error) {
	want := strings.TrimSpace(value)
	var seen atomic.Bool
	matches := func(p ipassan.Person) bool {
		v, ok := p.Value(field)
		if !ok {
			return false
		}
		seen.Store(true)
		s, isText := object.Text(v)
		return isText && strings.EqualFold(strings.TrimSpace(s), want)
	}
	found = []ipassan.Person{}
	stats, err := c.scan(ctx, matches, func(p ipassan.Person) error {
		found = append(found, p)
		return nil
	})
	if err != nil {
		return nil, stats.Persons, err
	}
	if !seen.Load() && !knownPath(field) {
		return nil, stats.Persons, fmt.Errorf("CorrelationConfiguration.AccountField %s is not an IPassan person field (none of the %d persons of the site has it); correlate on number or mail", quote(field), stats.Persons)
	}
	return found, stats.Persons, nil
}

// ProfilesOnPersons returns, for every profile GUID held in any slot of any
// person of the site (lower case), how many persons hold it, and how many
// persons the site has.
func (c *Connector) ProfilesOnPersons(ctx context.Context) (map[string]int, int, error) {
	counts := map[string]int{}
	hasProfile := func(p ipassan.Person) bool { return p.AccessType != ipassan.AccessType{} }
	stats, err := c.scan(ctx, hasProfile, func(p ipassan.Person) error {
		for _, id := range []string{p.AccessType.DoorPermanent, p.AccessType.DoorTemporary, p.AccessType.FloorPermanent, p.AccessType.FloorTemporary} {
			if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
				counts[id]++
			}
		}
		return nil
	})
	return counts, stats.Persons, err
}

// knownPath reports whether a (dotted) field names something IPassan persons
// have.
func knownPath(field string) bool {
	head, _, _ := strings.Cut(field, ".")
	_, known := ipassan.CanonicalField(head)
	return known
}
