package connector

import (
	"cmp"
	"context"
	"errors"
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
	const act = helloid.GrantPermission
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

// permissionTarget reads the account and the permission grant and revoke act on.
func (c *Connector) permissionTarget(in *helloid.Context) (ref string, perm permission, err error) {
	if ref, err = reference(in); err == nil {
		perm, err = c.permissionOf(in)
	}
	return ref, perm, err
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
// so. The write is read back: IPassan ignores unknown GUIDs silently.
func (c *Connector) Grant(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.GrantPermission
	ref, perm, err := c.permissionTarget(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	p, err := c.Client.GetPerson(ctx, ref)
	if err != nil {
		return helloid.Failure(act, c.readFailure(ref, err))
	}
	return c.grant(ctx, p, perm, act)
}

// grant gives person p the permission; act is the audit Action to log under.
func (c *Connector) grant(ctx context.Context, p ipassan.Person, perm permission, act string) *helloid.Output {
	slot := c.Config.PermissionAccessType
	current, _ := p.AccessType.Slot(slot)
	out := &helloid.Output{}
	if ipassan.SameProfile(current, perm.id) {
		out.Success = true
		out.Log(act, fmt.Sprintf("IPassan person %s already has access profile %s in %s", describePerson(p), perm, slot), false)
		return out
	}
	change := fmt.Sprintf("access profile %s in %s", perm, slot)
	if current != "" {
		change += fmt.Sprintf(", replacing %s (a slot holds one profile)", c.profileLabel(current))
	}
	if c.DryRun {
		out.Success = true
		out.Log(act, fmt.Sprintf("%sgrant IPassan person %s %s", dryRunNote, describePerson(p), change), false)
		return out
	}
	if _, err := c.setSlot(ctx, p.UUID, slot, perm.id, "granted by HelloID"); err != nil {
		return failWith(out, act, fmt.Sprintf("Could not grant IPassan person %s %s: %s", p.UUID, perm, err))
	}
	out.Success = true
	out.Log(act, fmt.Sprintf("Granted IPassan person %s %s", describePerson(p), change), false)
	return out
}

// Revoke clears the permission slot, but only while it still holds this
// profile: when HelloID granted the new profile before revoking the old one,
// the slot already holds the new one and must keep it.
func (c *Connector) Revoke(ctx context.Context, in *helloid.Context) *helloid.Output {
	const act = helloid.RevokePermission
	ref, perm, err := c.permissionTarget(in)
	if err != nil {
		return helloid.Failure(act, err.Error())
	}
	p, err := c.Client.GetPerson(ctx, ref)
	if errors.Is(err, ipassan.ErrNotFound) {
		return nothingLeft(act, ref, "revoke")
	}
	if err != nil {
		return helloid.Failure(act, c.readFailure(ref, err))
	}
	return c.revoke(ctx, p, perm, act)
}

func (c *Connector) revoke(ctx context.Context, p ipassan.Person, perm permission, act string) *helloid.Output {
	slot := c.Config.PermissionAccessType
	current, _ := p.AccessType.Slot(slot)
	out := &helloid.Output{Success: true}
	switch {
	case current == "":
		out.Log(act, fmt.Sprintf("IPassan person %s has no access profile in %s; nothing to revoke", describePerson(p), slot), false)
		return out
	case !ipassan.SameProfile(current, perm.id):
		out.Log(act, fmt.Sprintf("IPassan person %s holds %s in %s, not %s: it was replaced, so it is left alone",
			describePerson(p), c.profileLabel(current), slot, perm), false)
		return out
	case c.DryRun:
		out.Log(act, fmt.Sprintf("%srevoke access profile %s in %s from IPassan person %s", dryRunNote, perm, slot, describePerson(p)), false)
		return out
	}
	if _, err := c.setSlot(ctx, p.UUID, slot, "", ""); err != nil {
		return failWith(out, act, fmt.Sprintf("Could not revoke %s from IPassan person %s: %s", perm, p.UUID, err))
	}
	out.Log(act, fmt.Sprintf("Revoked access profile %s in %s from IPassan person %s", perm, slot, describePerson(p)), false)
	return out
}
