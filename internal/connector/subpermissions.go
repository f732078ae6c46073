package connector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/accessprofile"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// SubPermissions is HelloID's dynamic permission: the access profile follows
// the person's contracts. The contracts in conditions (all of them in a
// DryRun) are looked up in the mapping table by contractLookupPath (default
// Title.Name); when they map to different profiles, the one whose row comes
// first in the table wins, as row order is the table's only priority. Then the
// permission slot is brought in line with CurrentPermissions: grant what is
// desired and missing, revoke what is granted and no longer desired. The
// answer lists the whole desired set as SubPermissions.
func (c *Connector) SubPermissions(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.UpdatePermission
	if _, err := reference(in); err != nil {
		return helloid.Failure(act, err.Error())
	}
	op, err := in.Operation()
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	current, err := in.CurrentPermissions()
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	desired := []helloid.SubPermission{}
	var why string
	if op != helloid.OperationRevoke {
		table, err := c.Mapping("subpermissions")
		if err != nil {
			return helloid.Failure(act, err.Error())
		}
		contracts, err := personContracts(in)
		if err != nil {
			return helloid.Failure(act, err.Error())
		}
		var winner *desiredProfile
		winner, why = c.desiredProfile(contracts, table, c.DryRun)
		if winner != nil {
			desired = append(desired, helloid.SubPermission{
				DisplayName: truncate(cmp.Or(winner.name, winner.id), maxDisplayName),
				Reference:   helloid.SubReference{ID: winner.id},
			})
		}
	}

	out := &helloid.Output{Success: true, SubPermissions: &desired}
	if why != "" {
		out.Log(act, why, false)
	}
	missing := missingFails
	if len(desired) == 0 {
		missing = missingIsDone // only revokes to do: a person gone has none left
	}
	ref, p, answer := c.account(ctx, in, act, "revoke", missing)
	if answer != nil {
		c.merge(out, answer)
		return out
	}

	// Grant first: granting replaces the old profile in one write, after
	// which revoking the old one finds it gone and writes nothing.
	granted := map[string]bool{}
	for _, cp := range current {
		granted[strings.ToLower(cp.Reference.ID)] = true
	}
	for _, d := range desired {
		perm := permission{id: d.Reference.ID, name: d.DisplayName}
		step := helloid.GrantPermission
		if granted[strings.ToLower(d.Reference.ID)] {
			step = helloid.UpdatePermission // already granted: make sure it is still there
		}
		if !c.merge(out, c.grant(ctx, ref, p, perm, step)) {
			return out
		}
		// The slot now holds it (or would, in a DryRun): the revokes below see that.
		p.AccessType.Set(c.Config.PermissionAccessType, perm.id)
	}
	for _, cp := range current {
		if containsProfile(desired, cp.Reference.ID) {
			continue
		}
		perm := permission{id: cp.Reference.ID, name: cmp.Or(cp.DisplayName, c.profileLabel(cp.Reference.ID))}
		if !c.merge(out, c.revoke(ctx, ref, p, perm, helloid.RevokePermission)) {
			return out
		}
	}
	return out
}

// merge adds a step's audit lines to out and reports whether it succeeded.
func (c *Connector) merge(out, step *helloid.Output) bool {
	out.AuditLogs = append(out.AuditLogs, step.AuditLogs...)
	if !step.Success {
		out.Success = false
	}
	return step.Success
}

func containsProfile(list []helloid.SubPermission, id string) bool {
	for _, p := range list {
		if ipassan.SameProfile(p.Reference.ID, id) {
			return true
		}
	}
	return false
}

// desiredProfile is the profile a person's contracts call for.
type desiredProfile struct {
	id, name string
	rank     int // the row of the table that chose it
}

// desiredProfile maps the contracts in conditions (all of them when all is
// set, as in a DryRun) to one profile; why explains the choice when contracts
// disagreed or none mapped.
func (c *Connector) desiredProfile(contracts []*object.Object, table *accessprofile.Table, all bool) (winner *desiredProfile, why string) {
	path := c.Config.ContractLookupPath
	var candidates []string
	var unmapped []string
	considered := 0
	for _, contract := range contracts {
		if !all && !inConditions(contract) {
			continue
		}
		considered++
		v, _ := contract.Path(path)
		key, _ := object.Text(v)
		if strings.TrimSpace(key) == "" {
			continue
		}
		row, ok := table.Lookup(key)
		if !ok {
			unmapped = append(unmapped, quote(key))
			continue
		}
		rank := table.Rank(row.ProfileID)
		candidates = append(candidates, fmt.Sprintf("%s → %s (line %d)", quote(key), c.profileLabel(row.ProfileID), row.Line))
		if winner == nil || rank < winner.rank {
			winner = &desiredProfile{id: row.ProfileID, name: row.ProfileName, rank: rank}
		}
	}
	switch {
	case winner == nil && considered == 0:
		return nil, "No contract is in conditions: no access profile is desired"
	case winner == nil:
		return nil, fmt.Sprintf("No contract's %s is in the mapping table (%s): no access profile is desired", path, strings.Join(unmapped, ", "))
	case len(candidates) > 1:
		return winner, fmt.Sprintf("Contracts map to %d profiles (%s); %s wins because its row comes first in the mapping table",
			len(candidates), strings.Join(candidates, "; "), c.profileLabel(winner.id))
	}
	return winner, ""
}

// personContracts returns the person's Contracts, or the PrimaryContract
// when the list is empty.
func personContracts(in *helloid.Context) ([]*object.Object, error) {
	person := in.Person.Object("Person")
	if person == nil {
		return nil, errors.New("personContext.Person is missing: the contracts decide the access profile")
	}
	return contractsOf(person)
}

// contractsOf returns a HelloID person's Contracts, or its PrimaryContract
// when the list is empty. Contracts in a shape that is not a list of
// contracts fail: read as "no contract", they would take the person's door
// profile away.
func contractsOf(person *object.Object) ([]*object.Object, error) {
	var out []*object.Object
	v, _ := person.Get("Contracts")
	if o, ok := v.(*object.Object); ok {
		items, wrapped, err := powerShellArray(o)
		if err != nil {
			return nil, err
		}
		if wrapped {
			v = items
		}
	}
	switch list := v.(type) {
	case nil:
	case []any:
		for i, item := range list {
			o, ok := item.(*object.Object)
			if !ok {
				return nil, fmt.Errorf("personContext.Person.Contracts[%d] must be an object, got %s", i, object.Kind(item))
			}
			out = append(out, o)
		}
	case *object.Object:
		out = append(out, list) // PowerShell turns a one-element list into the element
	default:
		return nil, fmt.Errorf("personContext.Person.Contracts must be a list of contracts, got %s; nothing was changed", object.Kind(v))
	}
	if len(out) == 0 {
		if primary := person.Object("PrimaryContract"); primary != nil {
			out = append(out, primary)
		}
	}
	return out, nil
}

// powerShellArray unwraps the shape Windows PowerShell 5.1's ConvertTo-Json
// gives an array wrapped in a PowerShell object: {"value": [...], "Count": n}.
// An object with value or Count that is not exactly that shape is neither a
// list nor a contract: an error, never one contract that is not in
// conditions (which would take the profile away).
func powerShellArray(o *object.Object) (items []any, wrapped bool, err error) {
	if !o.Has("value") && !o.Has("Count") {
		return nil, false, nil // one contract, unrolled
	}
	v, _ := o.Get("value")
	items, isList := v.([]any)
	if o.Len() != 2 || !o.Has("Count") || !isList {
		return nil, false, fmt.Errorf("personContext.Person.Contracts is an object with value or Count, but not PowerShell's {\"value\": [contracts], \"Count\": n}; nothing was changed")
	}
	return items, true, nil
}

func inConditions(contract *object.Object) bool {
	v, ok := contract.Path("Context.InConditions")
	if !ok {
		return false
	}
	b, _ := object.Bool(v)
	return b
}
