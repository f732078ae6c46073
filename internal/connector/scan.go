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

// findPersons finds the persons whose field equals value: as text, trimmed,
// without regard to case, the way PowerShell's -eq compares. One person the
// site index names and a read of that person confirms is the answer;
// otherwise the whole site is read (IPassan cannot filter), which refreshes
// the index.
func (c *Connector) findPersons(ctx context.Context, field, value string) ([]ipassan.Person, error) {
	found, _, _, err := c.FindPersonsIndexed(ctx, field, value)
	return found, err
}

// FindPersonsIndexed is findPersons for admin tools: it also says how many
// persons the site has (0 when the index answered) and whether the index
// answered.
func (c *Connector) FindPersonsIndexed(ctx context.Context, field, value string) (found []ipassan.Person, scanned int, indexed bool, err error) {
	if p, ok := c.fromIndex(ctx, field, value); ok {
		return []ipassan.Person{p}, 0, true, nil
	}
	found, scanned, err = c.FindPersons(ctx, field, value)
	return found, scanned, false, err
}

// FindPersons reads the whole site for the persons whose field equals value,
// and leaves the site index behind. A field that no person has and that
// IPassan does not know is a configuration error, not "no match": treating
// it as no match would create a duplicate on every run.
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
	stats, err := c.scanLeavingIndex(ctx, field, matches, func(p ipassan.Person) error {
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

// scanLeavingIndex is scan for a whole-site read whose persons are looked up
// by field: when the read completes it leaves the site index for field
// behind. fn hears only of the persons keep keeps (all when keep is nil),
// though with the index on every person passes through the index.
func (c *Connector) scanLeavingIndex(ctx context.Context, field string, keep func(ipassan.Person) bool, fn func(ipassan.Person) error) (ipassan.ScanStats, error) {
	ix := c.siteIndex(field)
	index := c.indexBuilder(ix)
	scanKeep := keep
	if index != nil {
		scanKeep = nil // every person goes to the index; fn hears of those keep keeps
	}
	stats, err := c.scan(ctx, scanKeep, func(p ipassan.Person) error {
		if index != nil {
			if err := index.Add(p.UUID, indexValues(p, ix)); err != nil {
				// The index is a courtesy: it never fails the read.
				c.Log.Debug().Err(err).Msg("the site index will not be written")
				index.Discard()
				index = nil
			}
		}
		if scanKeep == nil && keep != nil && !keep(p) {
			return nil
		}
		return fn(p)
	})
	c.saveIndex(ctx, index, err == nil)
	return stats, err
}

// ProfilesOnPersons returns, for every profile GUID held in any slot of any
// person of the site (lower case), how many persons hold it, and how many
// persons the site has. It leaves the site index behind, as find's and
// plan's reads do.
func (c *Connector) ProfilesOnPersons(ctx context.Context) (map[string]int, int, error) {
	counts := map[string]int{}
	hasProfile := func(p ipassan.Person) bool { return p.AccessType != ipassan.AccessType{} }
	stats, err := c.scanLeavingIndex(ctx, ipassan.FieldNumber, hasProfile, func(p ipassan.Person) error {
		if err := slotsKnown(p); err != nil {
			return err
		}
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
