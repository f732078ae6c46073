package connector

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
)

// maxDisplayName is the longest DisplayName HelloID stores.
const maxDisplayName = 100

// truncate cuts s to n characters (not bytes).
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Permissions lists the access profiles HelloID may grant: each distinct
// profile of the mapping table once, in row order, named by its first row;
// with permissionsIncludeSiteProfiles, also every profile GUID found in the
// permission slot of the site's persons that the table does not name (listed
// by GUID).
func (c *Connector) Permissions(ctx context.Context, _ *helloid.Context) *helloid.Output {
	const act = helloid.NoAction // listing permissions is none of HelloID's audit Actions
	table, err := c.Mapping("permissions")
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	perms := []helloid.Permission{}
	listed := map[string]bool{}
	add := func(id, name string) {
		key := strings.ToLower(id)
		if listed[key] {
			return
		}
		listed[key] = true
		perms = append(perms, helloid.Permission{
			DisplayName:    truncate(cmp.Or(strings.TrimSpace(name), id), maxDisplayName),
			Identification: helloid.Identification{Reference: id},
		})
	}
	for _, p := range table.Profiles() {
		add(p.ID, p.Name)
	}
	fromTable := len(perms)
	if c.Config.IncludeSiteProfiles {
		seen, err := c.profilesOnPersons(ctx)
		if err != nil {
			return helloid.Failure(act, "Could not read the site's persons for their access profiles: "+Explain(err))
		}
		for _, id := range seen {
			add(id, "")
		}
	}
	out := &helloid.Output{Success: true, Permissions: &perms}
	msg := fmt.Sprintf("Listed %d access profiles from the mapping table", fromTable)
	if c.Config.IncludeSiteProfiles {
		msg += fmt.Sprintf(" and %d more found on the site's persons", len(perms)-fromTable)
	}
	out.Log(act, msg, false)
	return out
}

// profilesOnPersons returns every profile GUID held in the permission slot of
// any person of the site, in the order first seen: what could be granted
// there. The other slots hold profiles meant for them (a visitor's temporary
// one, say), which import-permissions does not count either.
func (c *Connector) profilesOnPersons(ctx context.Context) ([]string, error) {
	slot := c.Config.PermissionAccessType
	var out []string
	seen := map[string]bool{}
	holds := func(p ipassan.Person) bool { id, _ := p.AccessType.Slot(slot); return id != "" }
	_, err := c.scan(ctx, holds, func(p ipassan.Person) error {
		id, _ := p.AccessType.Slot(slot)
		if key := strings.ToLower(id); !seen[key] {
			seen[key] = true
			out = append(out, id)
		}
		return nil
	})
	return out, err
}

// permission is the profile a grant or revoke is about.
type permission struct {
	id   string
	name string // for messages: HelloID's name, else the table's, else the GUID
}

func (c *Connector) permissionOf(in *helloid.Context) (permission, error) {
	id, err := in.PermissionReference()
	if err != nil {
		return permission{}, err
	}
	if !ipassan.SafeID(id) {
		return permission{}, fmt.Errorf("actionContext.References.Permission %s is not an access-profile GUID", quote(id))
	}
	return permission{id: id, name: cmp.Or(in.PermissionDisplayName(), c.profileLabel(id))}, nil
}

func (p permission) String() string {
	if p.name == "" || strings.Contains(p.name, p.id) {
		return cmp.Or(p.name, p.id)
	}
	return fmt.Sprintf("%s (%s)", p.name, p.id)
}

// Grant puts the profile in the permission slot (permissionAccessType). A slot
// holds one profile, so granting B where A sits replaces A; the audit log says
// so. The write is read back: IPassan ignores unknown GUIDs silently. Grant is
// idempotent: a profile already there is left as it is, one removed by hand
// comes back.
func (c *Connector) Grant(ctx context.Context, in *helloid.Context) *helloid.Output {
	return c.grantAs(ctx, in, helloid.GrantPermission)
}

// UpdatePermission is HelloID's "update permission" (its force-update of
// permissions): a grant, which puts the profile back when it was removed by
// hand in IPassan and writes nothing when it is there.
func (c *Connector) UpdatePermission(ctx context.Context, in *helloid.Context) *helloid.Output {
	return c.grantAs(ctx, in, helloid.UpdatePermission)
}

func (c *Connector) grantAs(ctx context.Context, in *helloid.Context, act string) *helloid.Output {
	perm, err := c.permissionOf(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	ref, p, answer := c.account(ctx, in, act, "grant", missingFails)
	if answer != nil {
		return answer
	}
	return c.grant(ctx, ref, p, perm, act)
}

// grant gives the person ref (read as p) the permission; act is the audit
// Action to log under.
func (c *Connector) grant(ctx context.Context, ref string, p ipassan.Person, perm permission, act string) *helloid.Output {
	ch := setChange(p, c.Config.PermissionAccessType, perm.id)
	out := &helloid.Output{}
	if !ch.Write {
		out.Success = true
		out.Log(act, fmt.Sprintf("IPassan person %s already has access profile %s in %s", describePerson(p), perm, ch.Slot), false)
		return out
	}
	change := fmt.Sprintf("access profile %s in %s", perm, ch.Slot)
	switch {
	case ch.Unreadable != "":
		change += fmt.Sprintf(", replacing whatever it held (it could not be read: %s)", ch.Unreadable)
	case ch.From != "":
		change += fmt.Sprintf(", replacing %s (a slot holds one profile)", c.profileLabel(ch.From))
	}
	if c.DryRun {
		out.Success = true
		out.Log(act, fmt.Sprintf("%sgrant IPassan person %s %s", dryRunNote, describePerson(p), change), false)
		return out
	}
	if _, err := c.setSlot(ctx, ref, ch.Slot, perm.id, "granted by HelloID"); err != nil {
		return failWith(out, act, fmt.Sprintf("Could not grant IPassan person %s %s: %s", ref, perm, err))
	}
	out.Success = true
	out.Log(act, fmt.Sprintf("Granted IPassan person %s %s", describePerson(p), change), false)
	return out
}

// Revoke clears the permission slot, but only while it still holds this
// profile: when HelloID granted the new profile before revoking the old one,
// the slot already holds the new one and must keep it. A slot that cannot be
// read is cleared all the same and the clear confirmed.
func (c *Connector) Revoke(ctx context.Context, in *helloid.Context) *helloid.Output {
	return byReconciliation(in, c.revokeAs(ctx, in))
}

func (c *Connector) revokeAs(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.RevokePermission
	perm, err := c.permissionOf(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	ref, p, answer := c.account(ctx, in, act, "revoke", missingIsDone)
	if answer != nil {
		return answer
	}
	return c.revoke(ctx, ref, p, perm, act)
}

func (c *Connector) revoke(ctx context.Context, ref string, p ipassan.Person, perm permission, act string) *helloid.Output {
	ch := revokeChange(p, c.Config.PermissionAccessType, perm.id)
	out := &helloid.Output{Success: true}
	switch {
	case !ch.Write && ch.From == "":
		out.Log(act, fmt.Sprintf("IPassan person %s has no access profile in %s; nothing to revoke", describePerson(p), ch.Slot), false)
		return out
	case !ch.Write:
		out.Log(act, fmt.Sprintf("IPassan person %s holds %s in %s, not %s: it was replaced, so it is left alone",
			describePerson(p), c.profileLabel(ch.From), ch.Slot, perm), false)
		return out
	}
	what := fmt.Sprintf("access profile %s in %s", perm, ch.Slot)
	if ch.Unreadable != "" {
		what = fmt.Sprintf("%s (the slot could not be read: %s; it is cleared all the same)", what, ch.Unreadable)
	}
	if c.DryRun {
		out.Log(act, fmt.Sprintf("%srevoke %s from IPassan person %s", dryRunNote, what, describePerson(p)), false)
		return out
	}
	if _, err := c.setSlot(ctx, ref, ch.Slot, "", ""); err != nil {
		return failWith(out, act, fmt.Sprintf("Could not revoke %s from IPassan person %s: %s", perm, ref, err))
	}
	out.Log(act, fmt.Sprintf("Revoked %s from IPassan person %s", what, describePerson(p)), false)
	return out
}

// The dynamic permission: one HelloID permission whose sub-permissions are the
// access profiles the contracts call for (subpermissions). Its reference ties
// the permission set's retrieve script (DynamicPermission) to the
// sub-permission import (ImportSubPermissions).
const (
	DynamicPermissionReference = "ipassan-door-profile"
	DynamicPermissionName      = "IPassan door profile (follows the contracts)"
)

// DynamicPermission lists the one dynamic permission, for the retrieve
// permissions script of a HelloID permission set with sub-permissions. It
// sends nothing to IPassan.
func (c *Connector) DynamicPermission(_ context.Context, _ *helloid.Context) *helloid.Output {
	perms := []helloid.Permission{{DisplayName: DynamicPermissionName, Identification: helloid.Identification{Reference: DynamicPermissionReference}}}
	out := &helloid.Output{Success: true, Permissions: &perms}
	out.Log(helloid.NoAction, fmt.Sprintf("Listed the dynamic permission %s: its sub-permissions are the access profiles the contracts call for", quote(DynamicPermissionName)), false)
	return out
}
