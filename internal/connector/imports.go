package connector

import (
	"cmp"
	"context"
	"fmt"
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
// ones, plus number, the correlation field. It returns how many it emitted.
func (c *Connector) ImportAccounts(ctx context.Context, in *helloid.Context, emit func(ImportedAccount) error) (int, error) {
	fields, err := in.ImportFields()
	if err != nil {
		return 0, err
	}
	fields = importable(fields)
	n := 0
	hasUUID := func(p ipassan.Person) bool { return p.UUID != "" }
	var emitErr error
	_, err = c.scan(ctx, hasUUID, func(p ipassan.Person) error {
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

// importable drops _extension fields and makes sure number is there.
func importable(fields []string) []string {
	out := make([]string, 0, len(fields)+1)
	hasNumber := false
	for _, f := range fields {
		lower := strings.ToLower(f)
		if f == "" || lower == extensionKey || strings.HasPrefix(lower, extensionKey+".") {
			continue
		}
		hasNumber = hasNumber || strings.EqualFold(f, ipassan.FieldNumber)
		out = append(out, f)
	}
	if !hasNumber {
		out = append(out, ipassan.FieldNumber)
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

// MaxBatch is the most account references HelloID takes in one permission line.
const MaxBatch = 500

// ImportPermissions reads the whole site and hands emit, per access profile in
// the permission slot, its accounts in batches of at most MaxBatch: first the
// mapping table's profiles in row order (a profile without members once, with
// an empty list), then profiles the table does not know, named by GUID.
func (c *Connector) ImportPermissions(ctx context.Context, _ *helloid.Context, emit func(PermissionBatch) error) (int, error) {
	var table *accessprofile.Table
	if c.Config.MappingPath != "" || strings.TrimSpace(c.Config.MappingText) != "" {
		t, err := c.Mapping("import-permissions")
		if err != nil {
			return 0, err
		}
		table = t
	}
	slot := c.Config.PermissionAccessType
	members := map[string][]string{} // folded GUID -> account references
	var order []string               // GUIDs as first spelled, in the order first seen
	holds := func(p ipassan.Person) bool {
		id, _ := p.AccessType.Slot(slot)
		return id != "" && p.UUID != ""
	}
	_, err := c.scan(ctx, holds, func(p ipassan.Person) error {
		id, _ := p.AccessType.Slot(slot)
		key := strings.ToLower(id)
		if _, seen := members[key]; !seen {
			order = append(order, id)
		}
		members[key] = append(members[key], p.UUID)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reading the site's persons: %s", Explain(err))
	}

	var profiles []accessprofile.Profile
	listed := map[string]bool{}
	if table != nil {
		for _, p := range table.Profiles() {
			profiles = append(profiles, p)
			listed[strings.ToLower(p.ID)] = true
		}
	}
	for _, id := range order {
		if !listed[strings.ToLower(id)] {
			profiles = append(profiles, accessprofile.Profile{ID: id})
		}
	}
	lines := 0
	for _, prof := range profiles {
		refs := members[strings.ToLower(prof.ID)]
		name := truncate(cmp.Or(strings.TrimSpace(prof.Name), prof.ID), maxDisplayName)
		desc := fmt.Sprintf("IPassan access profile %s in %s, held by %d persons", cmp.Or(prof.Name, prof.ID), slot, len(refs))
		for start := 0; start == 0 || start < len(refs); start += MaxBatch {
			batch := refs[start:min(start+MaxBatch, len(refs))]
			if batch == nil {
				batch = []string{}
			}
			if err := emit(PermissionBatch{
				PermissionReference: helloid.Identification{Reference: prof.ID},
				DisplayName:         name, Description: desc, AccountReferences: batch,
			}); err != nil {
				return lines, err
			}
			lines++
		}
	}
	return lines, nil
}
