package cli

import (
	"fmt"
	"sort"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

// personTypes are IPassan's person types.
var personTypes = map[string]string{"1": "resident", "2": "employee", "3": "visitor"}

// personPairs lists a person for `get`: the known fields in IPassan's order,
// the access slots with the profile names the mapping table gives them, then
// the architecture and any field this client does not know.
func personPairs(p ipassan.Person, profiles profileNamer) []render.Pair {
	pairs := []render.Pair{
		{Key: ipassan.FieldUUID, Value: p.UUID},
		{Key: ipassan.FieldFirstname, Value: p.Firstname},
		{Key: ipassan.FieldLastname, Value: p.Lastname},
		{Key: ipassan.FieldMail, Value: p.Mail},
		{Key: ipassan.FieldPhone, Value: p.Phone},
		{Key: ipassan.FieldNumber, Value: p.Number},
		{Key: ipassan.FieldType, Value: describeType(p.Type)},
		{Key: ipassan.FieldOther, Value: p.Other},
	}
	for _, slot := range []string{ipassan.SlotDoorPermanent, ipassan.SlotDoorTemporary, ipassan.SlotFloorPermanent, ipassan.SlotFloorTemporary} {
		id, _ := p.AccessType.Slot(slot)
		pairs = append(pairs, render.Pair{Key: ipassan.FieldAccessType + "." + slot, Value: profiles.label(id), Null: id == ""})
	}
	if v, ok := p.Value(ipassan.FieldArchitecture); ok {
		pairs = append(pairs, render.Pair{Key: ipassan.FieldArchitecture, Value: render.Text(v)})
	}
	extra := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		extra = append(extra, k)
	}
	sort.Strings(extra) // a map has no order; sorted, two runs compare line by line
	for _, k := range extra {
		v, _ := p.Value(k)
		pairs = append(pairs, render.Pair{Key: k, Value: render.Text(v), Null: v == nil})
	}
	return pairs
}

func describeType(t string) string {
	if name, ok := personTypes[t]; ok {
		return fmt.Sprintf("%s (%s)", t, name)
	}
	return t
}

// profileNamer names access profiles from the mapping table, when one is
// configured and readable. Naming is a courtesy: without a table, or with a
// broken one, profiles show as their GUID.
type profileNamer struct{ conn *connector.Connector }

func (n profileNamer) label(id string) string {
	if id == "" {
		return "none"
	}
	if n.conn != nil && (n.conn.Config.MappingPath != "" || n.conn.Config.MappingText != "") {
		if t, err := n.conn.Mapping("naming profiles"); err == nil {
			if p, ok := t.Profile(id); ok && p.Name != "" {
				return fmt.Sprintf("%s (%s)", p.Name, id)
			}
		}
	}
	return id
}
