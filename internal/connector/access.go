package connector

import (
	"context"
	"errors"
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
	ref, err := reference(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	if c.Config.AccessProfileSource == config.Permissions {
		p, err := c.Client.GetPerson(ctx, ref)
		if err != nil {
			return helloid.Failure(act, c.readFailure(ref, err))
		}
		out := &helloid.Output{Success: true}
		out.Log(act, fmt.Sprintf("IPassan person %s: access is managed through permissions (%s = %s); nothing to enable",
			describePerson(p), config.KeyAccessProfileSource, config.Permissions), false)
		return out
	}
	data, err := in.Data()
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	key, err := lookupKey(data)
	if err == nil && key == "" {
		err = fmt.Errorf("Data.%s is empty: no access profile can be chosen for IPassan person %s", lookupKeyPath, ref)
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
	p, err := c.Client.GetPerson(ctx, ref)
	if err != nil {
		return helloid.Failure(act, c.readFailure(ref, err))
	}
	label := c.profileLabel(row.ProfileID)
	out := &helloid.Output{Data: accountData(p, fields, nil)}
	if ipassan.SameProfile(p.AccessType.DoorPermanent, row.ProfileID) {
		out.Success = true
		out.Log(act, fmt.Sprintf("IPassan person %s already has door profile %s", describePerson(p), label), false)
		return out
	}
	change := fmt.Sprintf("door profile %s (lookup key %s; was %s)", label, quote(key), c.profileLabel(p.AccessType.DoorPermanent))
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
func (c *Connector) Disable(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.DisableAccount
	ref, err := reference(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	p, err := c.Client.GetPerson(ctx, ref)
	if errors.Is(err, ipassan.ErrNotFound) {
		return nothingLeft(act, ref, "disable")
	}
	if err != nil {
		return helloid.Failure(act, c.readFailure(ref, err))
	}
	out := &helloid.Output{}
	current := p.AccessType.DoorPermanent
	if current == "" {
		out.Success = true
		out.Log(act, fmt.Sprintf("IPassan person %s has no door profile; nothing to disable", describePerson(p)), false)
		return out
	}
	label := c.profileLabel(current)
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

// readFailure words a failed read of the account: not found is named as such.
func (c *Connector) readFailure(ref string, err error) string {
	if errors.Is(err, ipassan.ErrNotFound) {
		return fmt.Sprintf("IPassan person %s was not found", ref)
	}
	return fmt.Sprintf("Could not read IPassan person %s: %s", ref, Explain(err))
}
