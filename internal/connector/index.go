package connector

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/siteindex"
)

// The site index (package siteindex) spares a correlating create the
// whole-site read when an earlier action on this machine read the site not
// long ago: it proposes a candidate, which is used only after reading that
// one person confirms it. A miss, several candidates, or a candidate that
// fails the check fall back to the full read, which refreshes the index, so a
// new person always costs a full read and no duplicate can come from a stale
// index.

// indexedFields are the fields the index keeps besides the correlation field:
// what correlation and the uniqueness check usually look up.
var indexedFields = []string{ipassan.FieldNumber, ipassan.FieldMail}

// siteIndex is the index for lookups on field (one of the fields it keeps),
// or an Index that is off (siteIndexMaxAgeSeconds 0).
func (c *Connector) siteIndex(field string) siteindex.Index {
	if c.Config.SiteIndexMaxAge <= 0 || c.Config.BaseURL == nil {
		return siteindex.Index{}
	}
	fields := slices.Clone(indexedFields)
	if name, _ := ipassan.CanonicalField(field); name != "" && !slices.Contains(fields, name) {
		fields = append(fields, name)
	}
	key := siteindex.Key{BaseURL: c.Config.BaseURL.String(), SiteID: c.Config.SiteID, Fields: fields}
	path := siteindex.DefaultPath(key)
	if c.Config.SiteIndexDir != "" {
		path = siteindex.PathIn(c.Config.SiteIndexDir, key)
	}
	return siteindex.Index{Path: path, Key: key, MaxAge: c.Config.SiteIndexMaxAge}
}

// SiteIndexInfo says what this machine's site index for lookups on field
// holds, or, as a *siteindex.Error, why an action would not use it.
func (c *Connector) SiteIndexInfo(ctx context.Context, field string) (siteindex.Info, error) {
	return c.siteIndex(field).Stat(ctx, time.Now())
}

// fromIndex returns the one person the index names for field = value, after
// reading that person from IPassan shows the same uuid and the same value.
// ok is false whenever the index cannot answer for sure.
func (c *Connector) fromIndex(ctx context.Context, field, value string) (p ipassan.Person, ok bool) {
	ix := c.siteIndex(field)
	if ix.MaxAge <= 0 {
		return p, false
	}
	name, _ := ipassan.CanonicalField(field)
	uuids, err := ix.Lookup(ctx, time.Now(), name, value)
	switch {
	case err != nil:
		c.Log.Debug().Str("reason", err.Error()).Msg("site index not used; reading the whole site")
		return p, false
	case len(uuids) != 1:
		c.Log.Debug().Int("candidates", len(uuids)).Msg("site index has no single candidate; reading the whole site")
		return p, false
	}
	p, err = c.Client.GetPerson(ctx, uuids[0])
	if err != nil || !strings.EqualFold(p.UUID, uuids[0]) || !holdsValue(p, name, value) {
		c.Log.Debug().Str("candidate", uuids[0]).Msg("the site index's candidate no longer matches; reading the whole site")
		return ipassan.Person{}, false
	}
	c.Log.Debug().Str("person", p.UUID).Msg("found through the site index, confirmed by reading the person")
	return p, true
}

// holdsValue compares as correlation does: as text, trimmed, without regard
// to case.
func holdsValue(p ipassan.Person, field, value string) bool {
	v, ok := p.Value(field)
	if !ok {
		return false
	}
	s, isText := object.Text(v)
	return isText && strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(value))
}

// indexValues are a person's values of the index's fields.
func indexValues(p ipassan.Person, ix siteindex.Index) map[string]string {
	values := make(map[string]string, len(ix.Key.Fields))
	for _, f := range ix.Key.Fields {
		if v, ok := p.Value(f); ok {
			if s, isText := object.Text(v); isText {
				values[f] = s
			}
		}
	}
	return values
}

// indexBuilder starts an index to be written from the full read that starts
// now; nil when the index is off. Its Add and Save accept a nil Builder.
func (c *Connector) indexBuilder(ix siteindex.Index) *siteindex.Builder {
	if ix.MaxAge <= 0 {
		return nil
	}
	b, err := ix.NewBuilder(time.Now())
	if err != nil {
		c.Log.Debug().Err(err).Msg("the site index will not be written")
		return nil
	}
	return b
}

// saveIndex writes the index of a full read that completed, or drops it.
func (c *Connector) saveIndex(ctx context.Context, b *siteindex.Builder, complete bool) {
	if b == nil {
		return
	}
	if !complete {
		b.Discard()
		return
	}
	if err := b.Save(ctx); err != nil {
		c.Log.Debug().Err(err).Msg("the site index could not be written")
	}
}

// indexCreated and indexRemoved keep the index in step with a create and a
// delete IPassan confirmed. An index that cannot follow is left to expire:
// it is never trusted for a miss, and a stale hit fails verification.
func (c *Connector) indexCreated(ctx context.Context, p ipassan.Person, correlationField string) {
	ix := c.siteIndex(correlationField)
	if ix.MaxAge <= 0 {
		return
	}
	if err := ix.Add(ctx, time.Now(), p.UUID, indexValues(p, ix)); err != nil && !errors.Is(err, siteindex.ErrMissing) {
		c.Log.Debug().Err(err).Msg("the site index was not told of the new person")
	}
}

func (c *Connector) indexRemoved(ctx context.Context, uuid string) {
	ix := c.siteIndex("")
	if ix.MaxAge <= 0 {
		return
	}
	if err := ix.Remove(ctx, time.Now(), uuid); err != nil && !errors.Is(err, siteindex.ErrMissing) {
		c.Log.Debug().Err(err).Msg("the site index was not told of the deleted person")
	}
}
