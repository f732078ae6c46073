package connector

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// whenMissing says what an action does when its account does not exist.
type whenMissing int

const (
	// missingFails: update, enable and grant need the account.
	missingFails whenMissing = iota
	// missingIsDone: for disable, delete and revoke an account that is gone
	// leaves nothing to do (HelloID's rule), unless MissingAccountFails.
	missingIsDone
)

// account reads References.Account and the IPassan person it names, the
// first step of every action on an existing account. When the action cannot
// go on, answer is its outputContext (a failure, or nothing left to do) and
// the action returns it as it is. The client checks that the person read
// carries the uuid asked for; writes go to ref, never to a uuid taken from an
// answer.
func (c *Connector) account(ctx context.Context, in *helloid.Context, act, verb string, missing whenMissing) (ref string, p ipassan.Person, answer *helloid.Output) {
	ref, err := reference(in)
	if err != nil {
		return "", p, helloid.Failure(act, err.Error())
	}
	p, err = c.Client.GetPerson(ctx, ref)
	switch {
	case err == nil:
		return ref, p, nil
	case errors.Is(err, ipassan.ErrNotFound) && missing == missingIsDone:
		return ref, p, c.nothingLeft(act, ref, verb)
	}
	return ref, p, helloid.Failure(act, c.readFailure(ref, err))
}

// nothingLeft answers an action on an account that no longer exists, which
// for disable, delete and revoke means there is nothing left to do; by hand
// (MissingAccountFails) it is a failure, since a mistyped reference must not
// look like access removed.
func (c *Connector) nothingLeft(act, ref, verb string) *helloid.Output {
	if c.MissingAccountFails {
		return helloid.Failure(act, fmt.Sprintf("IPassan person %s does not exist, so nothing was %sd: check the reference ('ipassan-connector find --number …' shows a person's uuid), or pass --allow-missing when the person is known to be gone", ref, verb))
	}
	out := &helloid.Output{Success: true}
	out.Log(act, fmt.Sprintf("IPassan person %s does not exist (any more); nothing to %s", ref, verb), false)
	return out
}

// readFailure words a failed read of the account: not found is named as such.
func (c *Connector) readFailure(ref string, err error) string {
	if errors.Is(err, ipassan.ErrNotFound) {
		return fmt.Sprintf("IPassan person %s was not found", ref)
	}
	return fmt.Sprintf("Could not read IPassan person %s: %s", ref, Explain(err))
}

// byReconciliation marks every audit line of an action that governance
// reconciliation started, so the HelloID user sees why access changed
// without a person event.
func byReconciliation(in *helloid.Context, out *helloid.Output) *helloid.Output {
	if in.Reconciliation() {
		for i := range out.AuditLogs {
			out.AuditLogs[i].Message += " (started by HelloID reconciliation)"
		}
	}
	return out
}

// requireData returns actionContext.Data, failing when HelloID sent none; why
// says what the action needs it for. Reconciliation sends no person data, and
// the message says so.
func requireData(in *helloid.Context, why string) (*object.Object, error) {
	data, err := in.Data()
	switch {
	case err != nil:
		return nil, err
	case data == nil && in.Reconciliation():
		return nil, fmt.Errorf("actionContext.Data is missing: HelloID reconciliation (Origin = reconciliation) sends no person data, and %s", why)
	case data == nil:
		return nil, fmt.Errorf("actionContext.Data is missing: %s", why)
	}
	return data, nil
}
