package connector

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
)

// Delete removes the IPassan person. A person that is already gone is success;
// a delete IPassan answers with success is confirmed by reading the person.
func (c *Connector) Delete(ctx context.Context, in *helloid.Context) *helloid.Output {
	return byReconciliation(in, c.delete(ctx, in))
}

func (c *Connector) delete(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.DeleteAccount
	ref, p, answer := c.account(ctx, in, act, "delete", missingIsDone)
	if answer != nil {
		return answer
	}
	out := &helloid.Output{}
	if c.DryRun {
		out.Success = true
		out.Log(act, fmt.Sprintf("%sdelete IPassan person %s", dryRunNote, describePerson(p)), false)
		return out
	}
	err := c.remove(ctx, ref)
	if errors.Is(err, ipassan.ErrNotFound) {
		return c.nothingLeft(act, ref, "delete")
	}
	if err != nil {
		return failWith(out, act, fmt.Sprintf("Could not delete IPassan person %s: %s", ref, Explain(err)))
	}
	c.indexRemoved(ctx, ref)
	out.Success = true
	out.Log(act, fmt.Sprintf("Deleted IPassan person %s", describePerson(p)), false)
	return out
}
