package connector

import (
	"context"
	"fmt"
	"strings"

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
	if _, err := reference(in); err != nil {
		return helloid.Failure(act, err.Error())
	}
	data, err := requireData(in, "there is nothing to update the account with")
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
	ref, before, answer := c.account(ctx, in, act, "update", missingFails)
	if answer != nil {
		return answer
	}

	form, changes, profile, err := c.updateChanges(before, fields, key)
	if err != nil {
		return helloid.Failure(act, fmt.Sprintf("Could not update IPassan person %s: %s; nothing was sent", ref, err))
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

	// Confirmed: the answer, or a read-back, must show every value sent.
	after, err := c.put(ctx, ref, form)
	if err == nil && profile != nil {
		err = c.confirmSlot(after, ipassan.SlotDoorPermanent, profile.ProfileID, profile.why())
	}
	if err == nil {
		if missing := unlanded(after, form); len(missing) > 0 {
			err = fmt.Errorf("IPassan answered the update with success, but the person read afterwards shows %s", strings.Join(missing, ", "))
		}
	}
	if err != nil {
		return failWith(out, act, fmt.Sprintf("Could not update IPassan person %s: %s", ref, Explain(err)))
	}
	out.Success = true
	out.Data = accountData(after, fields, nil)
	out.Log(act, fmt.Sprintf("Updated IPassan person %s: %s", describePerson(after), listChanges(changes)), false)
	return out
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
