package connector

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
)

// setSlot writes one access slot (a profile GUID, or "" to clear it) and
// reads it back. why says where the GUID came from, for the message when
// IPassan ignores it. Errors are phrased to follow "Could not … person X: ".
func (c *Connector) setSlot(ctx context.Context, ref, slot, guid, why string) (ipassan.Person, error) {
	var form ipassan.Form
	form.SetSlot(slot, guid)
	if _, _, err := c.put(ctx, ref, form); err != nil {
		return ipassan.Person{}, errors.New(Explain(err))
	}
	return c.readSlot(ctx, ref, slot, guid, why)
}

// readSlot reads the person after a write and, when slot is given, checks
// that it now holds want ("" for cleared). IPassan answers a write of an
// unknown profile GUID with success and changes nothing: reading back is the
// only way to notice.
func (c *Connector) readSlot(ctx context.Context, ref, slot, want, why string) (ipassan.Person, error) {
	p, err := c.Client.GetPerson(ctx, ref)
	if err != nil {
		return ipassan.Person{}, fmt.Errorf("IPassan accepted the change, but reading it back failed: %s", Explain(err))
	}
	if slot == "" {
		return p, nil
	}
	have, _ := p.AccessType.Slot(slot)
	switch {
	case ipassan.SameProfile(have, want):
		return p, nil
	case want == "":
		return p, fmt.Errorf("IPassan accepted clearing %s, but it still holds %s", slot, c.profileLabel(have))
	}
	if why != "" {
		why = " (" + why + ")"
	}
	return p, fmt.Errorf("IPassan ignored access profile %s%s: %s still holds %s; check that the GUID exists in IPassan",
		c.profileLabel(want), why, slot, c.profileLabel(have))
}
