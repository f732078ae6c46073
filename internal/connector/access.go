package connector

import (
	"context"
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
)

// rowRef is a mapping-table row chosen for a person.
type rowRef struct {
	LookupKey   string
	ProfileID   string
	ProfileName string
	Line        int
}

// lookup maps a lookup key to its row; an unmapped key is an error quoting it.
func (c *Connector) lookup(key, action string) (*rowRef, error) {
	t, err := c.Mapping(action)
	if err != nil {
		return nil, err
	}
	row, ok := t.Lookup(key)
	if !ok {
		return nil, fmt.Errorf("lookup key %s is not in the access-profile mapping table", quote(key))
	}
	return &rowRef{LookupKey: row.LookupKey, ProfileID: row.ProfileID, ProfileName: row.ProfileName, Line: row.Line}, nil
}

// why says where a profile GUID came from, for the message when IPassan
// ignores it.
func (r *rowRef) why() string {
	return fmt.Sprintf("mapping table line %d, lookup key %s", r.Line, quote(r.LookupKey))
}

// Enable gives the person the door profile its lookup key maps to. In
// permissions mode access belongs to grant and revoke, and enable only checks
// that the account exists.
func (c *Connector) Enable(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.EnableAccount
	if c.Config.AccessProfileSource == config.Permissions {
		_, p, answer := c.account(ctx, in, act, "enable", missingFails)
		if answer != nil {
			return answer
		}
		out := &helloid.Output{Success: true}
		out.Log(act, fmt.Sprintf("IPassan person %s: access is managed through permissions (%s = %s); nothing to enable",
			describePerson(p), config.KeyAccessProfileSource, config.Permissions), false)
		return out
	}
	ref, err := reference(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	data, err := requireData(in, "enable needs Data."+LookupKeyPath+" to choose the door profile")
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	key, err := lookupKey(data)
	if err == nil && key == "" {
		err = fmt.Errorf("Data.%s is empty: no access profile can be chosen for IPassan person %s", LookupKeyPath, ref)
	}
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	row, err := c.lookup(key, "enable")
	if err != nil {
		return helloid.Failure(act, fmt.Sprintf("Could not enable IPassan person %s: %s; nothing was sent", ref, err))
	}
	fields, err := c.accountFields(data)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	ref, p, answer := c.account(ctx, in, act, "enable", missingFails)
	if answer != nil {
		return answer
	}
	label := c.profileLabel(row.ProfileID)
	out := &helloid.Output{Data: accountData(p, fields, nil)}
	ch := setChange(p, ipassan.SlotDoorPermanent, row.ProfileID)
	if !ch.Write {
		out.Success = true
		out.Log(act, fmt.Sprintf("IPassan person %s already has door profile %s", describePerson(p), label), false)
		return out
	}
	change := fmt.Sprintf("door profile %s (lookup key %s; was %s)", label, quote(key), c.slotLabel(ch))
	if c.DryRun {
		out.Success = true
		out.Log(act, fmt.Sprintf("%senable IPassan person %s with %s", dryRunNote, describePerson(p), change), false)
		return out
	}
	if _, err := c.setSlot(ctx, ref, ipassan.SlotDoorPermanent, row.ProfileID, row.why()); err != nil {
		return failWith(out, act, fmt.Sprintf("Could not enable IPassan person %s: %s", ref, err))
	}
	out.Success = true
	out.Log(act, fmt.Sprintf("Enabled IPassan person %s: %s", describePerson(p), change), false)
	return out
}

// Disable takes the door profile away: the leaver's access is gone. Only
// doorPermanent is cleared; the other slots are managed by hand in IPassan.
// A slot that cannot be read is cleared all the same and the clear confirmed:
// "no profile" is never concluded from an answer that was not understood.
func (c *Connector) Disable(ctx context.Context, in *helloid.Context) *helloid.Output {
	return byReconciliation(in, c.disable(ctx, in))
}

func (c *Connector) disable(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.DisableAccount
	ref, p, answer := c.account(ctx, in, act, "disable", missingIsDone)
	if answer != nil {
		return answer
	}
	out := &helloid.Output{}
	ch := disableChange(p)
	if !ch.Write {
		out.Success = true
		out.Log(act, fmt.Sprintf("IPassan person %s has no door profile; nothing to disable", describePerson(p)), false)
		return out
	}
	label := c.slotLabel(ch)
	if c.DryRun {
		out.Success = true
		out.Log(act, fmt.Sprintf("%sdisable IPassan person %s: remove door profile %s", dryRunNote, describePerson(p), label), false)
		return out
	}
	if _, err := c.setSlot(ctx, ref, ipassan.SlotDoorPermanent, "", ""); err != nil {
		return failWith(out, act, fmt.Sprintf("Could not disable IPassan person %s: %s", ref, err))
	}
	out.Success = true
	out.Log(act, fmt.Sprintf("Disabled IPassan person %s: removed door profile %s", describePerson(p), label), false)
	return out
}

// slotLabel names what a slot held before a change: the profile, or why it
// could not be read.
func (c *Connector) slotLabel(ch slotChange) string {
	if ch.Unreadable != "" {
		return "whatever it held (the slot could not be read: " + ch.Unreadable + ")"
	}
	return c.profileLabel(ch.From)
}
