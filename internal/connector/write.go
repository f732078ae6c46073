package connector

import (
	"context"
	"errors"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// put sends a partial update and returns the person when IPassan's answer
// holds it (ok). When the outcome is unclear (the connection dropped, the
// answer was lost, every retry too), it reads the person back: a write that
// landed is a success, not a failure HelloID would retry.
func (c *Connector) put(ctx context.Context, ref string, form ipassan.Form) (p ipassan.Person, ok bool, err error) {
	p, ok, err = c.Client.UpdatePerson(ctx, ref, form)
	if err == nil || !ipassan.Ambiguous(err) {
		return p, ok, err
	}
	p, rerr := c.Client.GetPerson(ctx, ref)
	if rerr != nil || !landed(p, form) {
		return p, false, err
	}
	c.Log.Warn().Err(err).Str("person", ref).Msg("the update's answer was lost, but reading the person back shows it landed")
	return p, true, nil
}

// remove deletes a person; when the outcome is unclear it checks whether the
// person is gone.
func (c *Connector) remove(ctx context.Context, ref string) error {
	err := c.Client.DeletePerson(ctx, ref)
	if err == nil || !ipassan.Ambiguous(err) {
		return err
	}
	if _, rerr := c.Client.GetPerson(ctx, ref); errors.Is(rerr, ipassan.ErrNotFound) {
		c.Log.Warn().Err(err).Str("person", ref).Msg("the delete's answer was lost, but the person is gone")
		return nil
	}
	return err
}

// landed reports whether every field of a form has the value it sets.
func landed(p ipassan.Person, form ipassan.Form) bool {
	for _, key := range form.Keys() {
		want, _ := form.Get(key)
		path := key
		if slot, ok := strings.CutPrefix(key, ipassan.FieldAccessType+"["); ok {
			path = ipassan.FieldAccessType + "." + strings.TrimSuffix(slot, "]")
			if want == ipassan.ClearValue {
				want = ""
			}
		}
		v, _ := p.Value(path)
		have, _ := object.Text(v)
		if have != want && !(strings.HasPrefix(path, ipassan.FieldAccessType) && ipassan.SameProfile(have, want)) {
			return false
		}
	}
	return true
}
