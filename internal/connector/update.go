package connector

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Update brings the IPassan person in line with the mapped fields, sending
// only what differs. In lifecycle mode it also moves the door profile to the
// one the lookup key maps to, but only when the person has one already: an
// update never enables a disabled account.
func (c *Connector) Update(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.UpdateAccount
	ref, err := reference(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	data, err := in.Data()
	if err == nil && data == nil {
		err = errors.New("actionContext.Data is missing: there is nothing to update")
	}
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	fields, err := c.accountFields(data)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	key, err := lookupKey(data)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}

	before, err := c.Client.GetPerson(ctx, ref)
	if err != nil {
		return helloid.Failure(act, c.readFailure(ref, err))
	}

	form, changes := diffFields(before, fields)

	profile, err := c.profileForUpdate(before, key)
	if err != nil {
		return helloid.Failure(act, fmt.Sprintf("Could not update IPassan person %s: %s; nothing was sent", ref, err))
	}
	if profile != nil {
		form.SetSlot(ipassan.SlotDoorPermanent, profile.ProfileID)
		changes = append(changes, change{Name: ipassan.SlotKey(ipassan.SlotDoorPermanent),
			From: c.profileLabel(before.AccessType.DoorPermanent), To: c.profileLabel(profile.ProfileID)})
	}

	out := &helloid.Output{PreviousData: accountData(before, fields, nil)}
	if len(changes) == 0 {
		out.Success = true
		out.Data = out.PreviousData
		out.Log(act, fmt.Sprintf("IPassan person %s is up to date; nothing was sent", describePerson(before)), false)
		return out
	}
	if c.DryRun {
		out.Success = true
		out.Data = accountData(before, fields, nil)
		for _, f := range fields {
			if v, ok := form.Get(f.Name); ok {
				out.Data.Set(f.Key, v)
			}
		}
		out.Log(act, fmt.Sprintf("%supdate IPassan person %s: %s", dryRunNote, describePerson(before), listChanges(changes)), false)
		return out
	}

	after, answered, err := c.put(ctx, ref, form)
	if err != nil {
		return failWith(out, act, fmt.Sprintf("Could not update IPassan person %s: %s", ref, Explain(err)))
	}
	switch {
	case profile != nil:
		after, err = c.readSlot(ctx, ref, ipassan.SlotDoorPermanent, profile.ProfileID, profile.why())
	case !answered || !holdsAll(after, fields):
		// The PUT's answer is not the whole person: read it, so that Data is
		// the account as it now is.
		after, err = c.readSlot(ctx, ref, "", "", "")
	}
	if err != nil {
		return failWith(out, act, fmt.Sprintf("Could not update IPassan person %s: %s", ref, err))
	}
	out.Success = true
	out.Data = accountData(after, fields, nil)
	out.Log(act, fmt.Sprintf("Updated IPassan person %s: %s", describePerson(after), listChanges(changes)), false)
	return out
}

// profileForUpdate decides the door profile an update sets: nil to leave
// access alone (lookup key empty, account without a profile, permissions
// mode, or already the right one).
func (c *Connector) profileForUpdate(p ipassan.Person, key string) (*rowRef, error) {
	if c.Config.AccessProfileSource != config.Lifecycle || key == "" || p.AccessType.DoorPermanent == "" {
		return nil, nil
	}
	row, err := c.lookup(key, "update")
	if err != nil {
		return nil, err
	}
	if ipassan.SameProfile(row.ProfileID, p.AccessType.DoorPermanent) {
		return nil, nil
	}
	return row, nil
}

// diffFields compares the mapped fields with the account, as text ("2"
// equals 2, null equals ""), and returns the form that sends only what
// differs, with the changes for the audit log.
func diffFields(before ipassan.Person, fields []accountField) (ipassan.Form, []change) {
	var form ipassan.Form
	var changes []change
	for _, f := range fields {
		have, _ := before.Value(f.Name)
		if sameText(f.Value, have) {
			continue
		}
		from, _ := object.Text(have)
		changes = append(changes, change{Name: f.Name, From: from, To: f.Value})
		form.Set(f.Name, f.Value)
	}
	return form, changes
}

// holdsAll reports whether an answer holds every mapped field.
func holdsAll(p ipassan.Person, fields []accountField) bool {
	for _, f := range fields {
		if _, ok := p.Value(f.Name); !ok {
			return false
		}
	}
	return true
}
