package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Every write is confirmed before an action says it happened: IPassan has
// been seen to answer success for a write it ignored (an unknown profile
// GUID), and a proxy or a new release may answer 2xx without doing the work.

// put sends a partial update and returns the person as IPassan holds it
// afterwards: from the answer when it shows every value sent, else read back.
// An access change is always read back (the contract): the answer to a write
// of an unknown profile GUID has been seen to show the GUID IPassan ignored.
// When the write's own outcome is unclear (the connection dropped, the answer
// was lost, every retry too), the read-back decides: a write that landed is a
// success, not a failure HelloID would retry. put does not judge whether the
// values landed; its callers do (confirmSlot, unlanded), each with its own
// words.
func (c *Connector) put(ctx context.Context, ref string, form ipassan.Form) (ipassan.Person, error) {
	p, answered, err := c.Client.UpdatePerson(ctx, ref, form)
	switch {
	case err != nil && !ipassan.Ambiguous(err):
		return p, err
	case err == nil && answered && !setsSlot(form) && landed(p, form):
		return p, nil
	}
	back, rerr := c.Client.GetPerson(ctx, ref)
	switch {
	case rerr != nil && err != nil:
		return back, err
	case rerr != nil:
		return back, fmt.Errorf("IPassan accepted the change, but reading it back failed: %s", Explain(rerr))
	case err != nil && !landed(back, form):
		return back, err
	case err != nil:
		c.Log.Warn().Err(err).Str("person", ref).Msg("the update's answer was lost, but reading the person back shows it landed")
	}
	return back, nil
}

// remove deletes a person and confirms it by reading the person afterwards:
// only IPassan's own "not found" proves the person gone (a 2xx whose body
// says nothing, or an error page, proves nothing). ErrNotFound from the
// DELETE itself means the person was already gone.
func (c *Connector) remove(ctx context.Context, ref string) error {
	err := c.Client.DeletePerson(ctx, ref)
	if err != nil && !ipassan.Ambiguous(err) {
		return err
	}
	_, rerr := c.Client.GetPerson(ctx, ref)
	switch {
	case errors.Is(rerr, ipassan.ErrNotFound):
		if err != nil {
			c.Log.Warn().Err(err).Str("person", ref).Msg("the delete's answer was lost, but the person is gone")
		}
		return nil
	case err != nil:
		return err
	case rerr != nil:
		return fmt.Errorf("IPassan answered the delete with success, but reading the person afterwards failed, so the delete is not confirmed: %s", Explain(rerr))
	}
	return errors.New("IPassan answered the delete with success, but the person is still there")
}

// setSlot writes one access slot (a profile GUID, or "" to clear it) and
// confirms it. why says where the GUID came from, for the message when IPassan
// ignores it. Errors are phrased to follow "Could not … person X: ".
func (c *Connector) setSlot(ctx context.Context, ref, slot, guid, why string) (ipassan.Person, error) {
	var form ipassan.Form
	form.SetSlot(slot, guid)
	p, err := c.put(ctx, ref, form)
	if err != nil {
		return p, errors.New(Explain(err))
	}
	return p, c.confirmSlot(p, slot, guid, why)
}

// confirmSlot checks that a person read after a write holds want in slot (""
// for cleared). IPassan answers a write of an unknown profile GUID with
// success and changes nothing: reading back is the only way to notice.
func (c *Connector) confirmSlot(p ipassan.Person, slot, want, why string) error {
	have, unreadable := slotOf(p, slot)
	switch {
	case unreadable != "":
		return fmt.Errorf("IPassan accepted the change, but the person read back cannot confirm it: %s", unreadable)
	case ipassan.SameProfile(have, want):
		return nil
	case want == "":
		return fmt.Errorf("IPassan accepted clearing %s, but it still holds %s", slot, c.profileLabel(have))
	}
	if why != "" {
		why = " (" + why + ")"
	}
	return fmt.Errorf("IPassan ignored access profile %s%s: %s still holds %s; check that the GUID exists in IPassan",
		c.profileLabel(want), why, slot, c.profileLabel(have))
}

// setsSlot reports whether a form changes an access slot.
func setsSlot(form ipassan.Form) bool {
	for _, key := range form.Keys() {
		if strings.HasPrefix(key, ipassan.FieldAccessType+"[") {
			return true
		}
	}
	return false
}

// landed reports whether a person holds every value a form sets.
func landed(p ipassan.Person, form ipassan.Form) bool { return len(unlanded(p, form)) == 0 }

// unlanded describes each value of a form the person does not hold:
// `mail is "old"`, `accessType[doorPermanent] cannot be read (…)`.
func unlanded(p ipassan.Person, form ipassan.Form) []string {
	var out []string
	for _, key := range form.Keys() {
		want, _ := form.Get(key)
		if slot, ok := strings.CutPrefix(key, ipassan.FieldAccessType+"["); ok {
			slot = strings.TrimSuffix(slot, "]")
			if want == ipassan.ClearValue {
				want = ""
			}
			have, unreadable := slotOf(p, slot)
			switch {
			case unreadable != "":
				out = append(out, fmt.Sprintf("%s cannot be read (%s)", key, unreadable))
			case !ipassan.SameProfile(have, want):
				out = append(out, fmt.Sprintf("%s holds %s", key, quote(have)))
			}
			continue
		}
		v, ok := p.Value(key)
		have, _ := object.Text(v)
		switch {
		case !ok:
			out = append(out, key+" is missing")
		case have != want:
			out = append(out, fmt.Sprintf("%s is %s", key, quote(have)))
		}
	}
	return out
}
