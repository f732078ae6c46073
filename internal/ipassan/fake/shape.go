package fake

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/slots"
)

// AccessTypeShapes are the shapes Fault.AccessTypeShape writes a person's
// accessType in, beyond the usual {"doorPermanent": "guid" | null, …}:
var AccessTypeShapes = map[string]string{
	"absent":          "no accessType key at all",
	"null":            `"accessType": null`,
	"emptyList":       `"accessType": [] (what PHP writes for an empty map)`,
	"emptyObject":     `"accessType": {}`,
	"objects":         `each slot as {"uuid": guid, "name": …} or null`,
	"list":            `a list of {"type": slot, "uuid": guid} for the slots that hold a profile`,
	"snakeCase":       `slot keys as door_permanent, door_temporary, …`,
	"caseTwins":       `doorPermanent as it is and DOORPERMANENT: null next to it`,
	"number":          `doorPermanent holds 42`,
	"objectWithoutID": `doorPermanent holds {"name": "Profile"}, with no uuid, id or guid`,
	"text":            `accessType is the text "doorPermanent=guid"`,
	"unknownSlot":     `an extra slot: "doorSpecial": guid`,
}

// shaped writes p with its accessType in shape.
func shaped(p *Person, shape string) ([]byte, error) {
	if _, ok := AccessTypeShapes[shape]; !ok {
		return nil, fmt.Errorf("unknown accessType shape %q", shape)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	held := map[string]any{}
	var first string
	for _, name := range slots.All {
		if id := p.AccessType.Slot(name); id != "" {
			held[name] = id
			if first == "" {
				first = id
			}
		} else {
			held[name] = nil
		}
	}
	switch shape {
	case "absent":
		delete(m, "accessType")
	case "null":
		m["accessType"] = nil
	case "emptyList":
		m["accessType"] = []any{}
	case "emptyObject":
		m["accessType"] = map[string]any{}
	case "objects":
		for name, id := range held {
			if id != nil {
				held[name] = map[string]any{"uuid": id, "name": "Profile " + fmt.Sprint(id)}
			}
		}
		m["accessType"] = held
	case "list":
		list := []any{}
		for _, name := range slots.All {
			if id := held[name]; id != nil {
				list = append(list, map[string]any{"type": name, "uuid": id})
			}
		}
		m["accessType"] = list
	case "snakeCase":
		snake := map[string]any{}
		for name, id := range held {
			snake[snakeCase(name)] = id
		}
		m["accessType"] = snake
	case "caseTwins":
		held[strings.ToUpper(slots.DoorPermanent)] = nil
		m["accessType"] = held
	case "number":
		held[slots.DoorPermanent] = 42
		m["accessType"] = held
	case "objectWithoutID":
		held[slots.DoorPermanent] = map[string]any{"name": "Profile"}
		m["accessType"] = held
	case "text":
		m["accessType"] = slots.DoorPermanent + "=" + first
	case "unknownSlot":
		held["doorSpecial"] = first
		m["accessType"] = held
	}
	return json.Marshal(m)
}

func snakeCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
