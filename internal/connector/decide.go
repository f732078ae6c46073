package connector

import (
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
)

// The decisions of the access actions, as pure functions of a person and what
// HelloID asked: the actions carry them out, a DryRun reports them, and plan
// predicts them. One function per decision, so that plan can never tell an
// admin something an action will not do.

// slotChange is what an action would do to one access slot of one person.
type slotChange struct {
	Slot string
	From string // the profile the slot holds now ("" when empty or unreadable)
	To   string // the profile the action wants there ("" to clear)
	// Unreadable says why the slot could not be read ("" when it could). An
	// unreadable slot is never taken for an empty one: a clear is sent anyway
	// and confirmed by a read-back.
	Unreadable string
	Write      bool   // whether a write is needed
	Why        string // why nothing is written, when Write is false
}

// slotOf reads a slot of a person: the profile GUID it holds, or why it
// cannot be told.
func slotOf(p ipassan.Person, slot string) (id, unreadable string) {
	if p.AccessType.Unreadable != "" {
		return "", p.AccessType.Unreadable
	}
	id, _ = p.AccessType.Slot(slot)
	return id, ""
}

// setChange puts profile to in slot: a write unless the slot provably holds
// it already.
func setChange(p ipassan.Person, slot, to string) slotChange {
	from, unreadable := slotOf(p, slot)
	ch := slotChange{Slot: slot, From: from, To: to, Unreadable: unreadable}
	switch {
	case unreadable != "":
		ch.Write = true
	case ipassan.SameProfile(from, to):
		ch.Why = "already holds it"
	default:
		ch.Write = true
	}
	return ch
}

// disableChange clears doorPermanent: a leaver's access goes. Only
// doorPermanent; the other slots are managed by hand in IPassan.
func disableChange(p ipassan.Person) slotChange {
	from, unreadable := slotOf(p, ipassan.SlotDoorPermanent)
	ch := slotChange{Slot: ipassan.SlotDoorPermanent, From: from, Unreadable: unreadable}
	switch {
	case unreadable != "":
		ch.Write = true
	case from == "":
		ch.Why = "holds no door profile"
	default:
		ch.Write = true
	}
	return ch
}

// revokeChange clears the permission slot, but only while it holds the
// revoked profile: HelloID grants the new profile before it revokes the old
// one, and the new one must stay. When the slot cannot be read, the clear is
// sent all the same: a revoke must never leave a profile in place on a guess.
func revokeChange(p ipassan.Person, slot, profile string) slotChange {
	from, unreadable := slotOf(p, slot)
	ch := slotChange{Slot: slot, From: from, Unreadable: unreadable}
	switch {
	case unreadable != "":
		ch.Write = true
	case from == "":
		ch.Why = "holds no access profile"
	case !ipassan.SameProfile(from, profile):
		ch.Why = "holds another profile"
	default:
		ch.Write = true
	}
	return ch
}

// updateChanges decides what an update sends: the mapped fields that differ
// (as text), and the door profile to move to (profile, the last change), or
// an error when the update must not write at all.
func (c *Connector) updateChanges(p ipassan.Person, fields []accountField, key string) (ipassan.Form, []change, *rowRef, error) {
	form, changes := diffFields(p, fields)
	profile, err := c.updateProfile(p, key)
	if err != nil || profile == nil {
		return form, changes, nil, err
	}
	form.SetSlot(ipassan.SlotDoorPermanent, profile.ProfileID)
	changes = append(changes, change{Name: ipassan.SlotKey(ipassan.SlotDoorPermanent),
		From: c.profileLabel(p.AccessType.DoorPermanent), To: c.profileLabel(profile.ProfileID)})
	return form, changes, profile, nil
}

// updateProfile decides the door profile an update moves the person to: nil
// to leave access alone (permissions mode, no lookup key, a person without a
// profile — update never enables —, or the right one already). A person
// whose slot cannot be read cannot be told apart from one without a profile
// or one with the old profile, so the update fails rather than leave an old
// job's access in place.
func (c *Connector) updateProfile(p ipassan.Person, key string) (*rowRef, error) {
	if c.Config.AccessProfileSource != config.Lifecycle || key == "" {
		return nil, nil
	}
	current, unreadable := slotOf(p, ipassan.SlotDoorPermanent)
	switch {
	case unreadable != "":
		return nil, fmt.Errorf("cannot tell whether the person has a door profile to move (%s)", unreadable)
	case current == "":
		return nil, nil
	}
	row, err := c.lookup(key, "update")
	if err != nil {
		return nil, err
	}
	if ipassan.SameProfile(row.ProfileID, current) {
		return nil, nil
	}
	return row, nil
}
