package connector

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/accessprofile"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// ImportedAccount is one account of the entitlement import.
type ImportedAccount struct {
	AccountReference string         `json:"AccountReference"`
	DisplayName      string         `json:"DisplayName"`
	UserName         string         `json:"UserName"`
	Enabled          bool           `json:"Enabled"`
	Data             *object.Object `json:"Data"`
}

// ImportAccounts hands every person of the site to emit as soon as its page
// is decoded, so nothing waits for the whole site. DisplayName is "first
// last", else the uuid; UserName the mail, else the uuid; Enabled means a
// doorPermanent profile. Data holds the ImportFields that are not _extension
// ones, plus the correlation field (importCorrelationField, default number).
// It returns how many it emitted.
func (c *Connector) ImportAccounts(ctx context.Context, in *helloid.Context, emit func(ImportedAccount) error) (int, error) {
	fields, err := in.ImportFields()
	if err != nil {
		return 0, err
	}
	fields = importable(fields, c.Config.ImportCorrelationField)
	n := 0
	hasUUID := func(p ipassan.Person) bool { return p.UUID != "" }
	var emitErr error
	_, err = c.scan(ctx, hasUUID, func(p ipassan.Person) error {
		if err := slotsKnown(p); err != nil {
			return err // Enabled cannot be told
		}
		if emitErr = emit(importedAccount(p, fields)); emitErr != nil {
			return emitErr
		}
		n++
		return nil
	})
	if err != nil && err != emitErr {
		return n, fmt.Errorf("reading the site's persons after %d accounts: %s", n, Explain(err))
	}
	return n, err
}

// importable drops _extension fields and makes sure the correlation field
// is there: HelloID's import needs it in every account's Data, even empty.
func importable(fields []string, correlation string) []string {
	out := make([]string, 0, len(fields)+1)
	hasCorrelation := false
	for _, f := range fields {
		lower := strings.ToLower(f)
		if f == "" || lower == extensionKey || strings.HasPrefix(lower, extensionKey+".") {
			continue
		}
		hasCorrelation = hasCorrelation || strings.EqualFold(f, correlation)
		out = append(out, f)
	}
	if !hasCorrelation {
		out = append(out, correlation)
	}
	return out
}

func importedAccount(p ipassan.Person, fields []string) ImportedAccount {
	data := object.New()
	for _, f := range fields {
		v, _ := p.Value(f)
		data.SetPath(f, v)
	}
	return ImportedAccount{
		AccountReference: p.UUID,
		DisplayName:      truncate(cmp.Or(p.DisplayName(), p.UUID), maxDisplayName),
		UserName:         truncate(cmp.Or(strings.TrimSpace(p.Mail), p.UUID), maxDisplayName),
		Enabled:          p.AccessType.DoorPermanent != "",
		Data:             data,
	}
}

// PermissionBatch is one line of the permission import: a profile and at most
// MaxBatch of the accounts holding it.
type PermissionBatch struct {
	PermissionReference helloid.Identification `json:"PermissionReference"`
	DisplayName         string                 `json:"DisplayName"`
	Description         string                 `json:"Description"`
	AccountReferences   []string               `json:"AccountReferences"`
}

// SubPermissionBatch is one line of the sub-permission import: the dynamic
// permission, one of its sub-permissions (a profile) and at most MaxBatch of
// the accounts holding it, in the shape of HelloID's V2 template.
type SubPermissionBatch struct {
	PermissionReference      helloid.Identification `json:"PermissionReference"`
	DisplayName              string                 `json:"DisplayName"`
	Description              string                 `json:"Description"`
	AccountReferences        []string               `json:"AccountReferences"`
	SubPermissionReference   helloid.SubReference   `json:"SubPermissionReference"`
	SubPermissionDisplayName string                 `json:"SubPermissionDisplayName"`
}

// MaxBatch is the most account references HelloID takes in one permission line.
const MaxBatch = 500

// ImportPermissions reads the whole site and hands emit, per access profile in
// the permission slot, its accounts in batches of at most MaxBatch: the
// mapping table's profiles first in row order, then profiles the table does
// not know, named by GUID. A profile nobody holds is not written, as HelloID's
// template does.
func (c *Connector) ImportPermissions(ctx context.Context, _ *helloid.Context, emit func(PermissionBatch) error) (int, error) {
	return c.eachBatch(ctx, func(h heldProfile, batch []string) error {
		return emit(PermissionBatch{
			PermissionReference: helloid.Identification{Reference: h.id},
			DisplayName:         h.displayName(), Description: h.description(c.Config.PermissionAccessType),
			AccountReferences: batch,
		})
	})
}

// ImportSubPermissions is the entitlement import of the dynamic permission
// (subpermissions): per profile in the permission slot, its accounts in
// batches of at most MaxBatch, under the dynamic permission's own reference
// (the one DynamicPermission lists). A profile nobody holds is not written.
func (c *Connector) ImportSubPermissions(ctx context.Context, _ *helloid.Context, emit func(SubPermissionBatch) error) (int, error) {
	return c.eachBatch(ctx, func(h heldProfile, batch []string) error {
		return emit(SubPermissionBatch{
			PermissionReference:      helloid.Identification{Reference: DynamicPermissionReference},
			DisplayName:              DynamicPermissionName,
			Description:              DynamicPermissionName,
			AccountReferences:        batch,
			SubPermissionReference:   helloid.SubReference{ID: h.id},
			SubPermissionDisplayName: h.displayName(),
		})
	})
}

// eachBatch reads who holds which profile and hands line each profile with
// at most MaxBatch of its holders at a time; it returns how many lines went out.
func (c *Connector) eachBatch(ctx context.Context, line func(h heldProfile, batch []string) error) (int, error) {
	held, err := c.heldProfiles(ctx)
	if err != nil {
		return 0, err
	}
	lines := 0
	for _, h := range held {
		for batch := range slices.Chunk(h.members, MaxBatch) {
			if err := line(h, batch); err != nil {
				return lines, err
			}
			lines++
		}
	}
	return lines, nil
}

// heldProfile is a profile in the permission slot and the accounts holding it.
type heldProfile struct {
	id, name string
	members  []string
}

func (h heldProfile) displayName() string {
	return truncate(cmp.Or(strings.TrimSpace(h.name), h.id), maxDisplayName)
}

func (h heldProfile) description(slot string) string {
	return fmt.Sprintf("IPassan access profile %s in %s, held by %s", cmp.Or(h.name, h.id), slot, plural(len(h.members), "person", "persons"))
}

// heldProfiles reads the whole site and returns every profile someone holds
// in the permission slot, with its holders in the site's order: the mapping
// table's profiles first in row order (named by the table), then the others
// in the order first seen (named by GUID). Only the permission slot counts;
// the other slots hold profiles meant for them.
func (c *Connector) heldProfiles(ctx context.Context) ([]heldProfile, error) {
	var table *accessprofile.Table
	if c.Config.MappingPath != "" || strings.TrimSpace(c.Config.MappingText) != "" {
		t, err := c.Mapping("the permission import")
		if err != nil {
			return nil, err
		}
		table = t
	}
	slot := c.Config.PermissionAccessType
	members := map[string][]string{} // folded GUID -> account references
	var order []string               // GUIDs as first spelled, in the order first seen
	holds := func(p ipassan.Person) bool {
		id, _ := p.AccessType.Slot(slot)
		return id != "" || p.AccessType.Unreadable != ""
	}
	_, err := c.scan(ctx, holds, func(p ipassan.Person) error {
		if err := slotsKnown(p); err != nil {
			return err
		}
		id, _ := p.AccessType.Slot(slot)
		key := strings.ToLower(id)
		if _, seen := members[key]; !seen {
			order = append(order, id)
		}
		members[key] = append(members[key], p.UUID)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the site's persons: %s", Explain(err))
	}
	var held []heldProfile
	listed := map[string]bool{}
	if table != nil {
		for _, p := range table.Profiles() {
			key := strings.ToLower(p.ID)
			listed[key] = true
			if refs := members[key]; len(refs) > 0 {
				held = append(held, heldProfile{id: p.ID, name: p.Name, members: refs})
			}
		}
	}
	for _, id := range order {
		if key := strings.ToLower(id); !listed[key] {
			held = append(held, heldProfile{id: id, members: members[key]})
		}
	}
	return held, nil
}

// plural is "1 person", "2 persons".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// slotsKnown fails a whole-site read that reports who holds which profile
// when a person's access slots come in a shape the client does not know: an
// unreadable slot is not an empty one, and reporting it as empty would tell
// HelloID's governance that a person holds no door profile.
func slotsKnown(p ipassan.Person) error {
	if p.AccessType.Unreadable == "" {
		return nil
	}
	return fmt.Errorf("the access slots of IPassan person %s cannot be read (%s), so who holds which profile is not known", p.UUID, p.AccessType.Unreadable)
}
