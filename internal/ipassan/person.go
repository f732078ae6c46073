package ipassan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/slots"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Person is an IPassan person (the account HelloID manages). Decoding is
// tolerant: text fields may arrive as numbers or null, `type` as 2 or "2", an
// access slot as a GUID, null, or an object carrying the GUID.
type Person struct {
	UUID       string
	Firstname  string
	Lastname   string
	Mail       string
	Phone      string
	Number     string
	Type       string // "1" resident, "2" employee, "3" visitor
	Other      string
	AccessType AccessType
	// Architecture is where the person sits in the site's tree. It is read-only:
	// kept for display, never sent back.
	Architecture json.RawMessage
	// Extra holds fields this client does not know, as IPassan sent them.
	Extra map[string]json.RawMessage

	// present marks the known fields the answer held (bit i: knownFields[i]),
	// so that a field IPassan left out is told apart from an empty one.
	present uint32
}

// Fields IPassan knows, spelled as its API spells them.
const (
	FieldUUID         = "uuid"
	FieldFirstname    = "firstname"
	FieldLastname     = "lastname"
	FieldMail         = "mail"
	FieldPhone        = "phone"
	FieldNumber       = "number"
	FieldType         = "type"
	FieldOther        = "other"
	FieldAccessType   = "accessType"
	FieldArchitecture = "architecture"
)

// textFields are the plain text fields a connector may write.
var textFields = []string{FieldFirstname, FieldLastname, FieldMail, FieldPhone, FieldNumber, FieldType, FieldOther}

// knownFields are all fields this client understands.
var knownFields = []string{FieldUUID, FieldFirstname, FieldLastname, FieldMail, FieldPhone, FieldNumber, FieldType, FieldOther, FieldAccessType, FieldArchitecture}

// fieldIndex finds a known field by its lower-case name, or as IPassan
// spells it (so that reading accessType costs no lower-casing).
var fieldIndex = func() map[string]int {
	m := make(map[string]int, 2*len(knownFields))
	for i, f := range knownFields {
		m[strings.ToLower(f)] = i
		m[f] = i
	}
	return m
}()

// CanonicalField returns IPassan's spelling of a field name given in any
// casing, and whether the field is a known one.
func CanonicalField(name string) (string, bool) {
	if i, ok := fieldIndex[strings.ToLower(name)]; ok {
		return knownFields[i], true
	}
	return name, false
}

// IsWritable reports whether a connector may send this field: uuid and
// architecture are IPassan's, and access slots are changed only through
// SetSlot, never as a mapped field, whatever the spelling
// (accessType, accessType.doorTemporary, accessType[doorTemporary]).
func IsWritable(name string) bool {
	head := name
	if i := strings.IndexAny(name, ".["); i >= 0 {
		head = name[:i]
	}
	f, _ := CanonicalField(head)
	return f != FieldUUID && f != FieldArchitecture && f != FieldAccessType
}

func (p *Person) text(name string) (*string, bool) {
	switch f, _ := CanonicalField(name); f {
	case FieldUUID:
		return &p.UUID, true
	case FieldFirstname:
		return &p.Firstname, true
	case FieldLastname:
		return &p.Lastname, true
	case FieldMail:
		return &p.Mail, true
	case FieldPhone:
		return &p.Phone, true
	case FieldNumber:
		return &p.Number, true
	case FieldType:
		return &p.Type, true
	case FieldOther:
		return &p.Other, true
	}
	return nil, false
}

// DisplayName is "firstname lastname", trimmed.
func (p Person) DisplayName() string {
	return strings.TrimSpace(strings.TrimSpace(p.Firstname) + " " + strings.TrimSpace(p.Lastname))
}

// Has reports whether IPassan's answer held a known field. A Person built in
// code rather than decoded has all of them.
func (p Person) Has(field string) bool {
	if p.present == 0 {
		return true
	}
	i, ok := fieldIndex[strings.ToLower(field)]
	return ok && p.present&(1<<i) != 0
}

// Value returns a field's value, by name in any casing or by a dotted path
// ("accessType.doorPermanent", "architecture.name"). Known text fields come back
// as text; other values as decoded JSON (see package object). ok is false for a
// field the person does not have.
func (p Person) Value(path string) (any, bool) {
	if t, ok := p.text(path); ok {
		return *t, p.Has(path)
	}
	head, rest, nested := strings.Cut(path, ".")
	if f, _ := CanonicalField(head); f == FieldAccessType {
		if !nested {
			return p.AccessType.object(), true
		}
		slot, ok := p.AccessType.Slot(rest)
		return slot, ok && p.AccessType.Unreadable == ""
	}
	raw, ok := p.raw(path)
	if !ok && nested {
		if raw, ok = p.raw(head); ok {
			o, err := object.DecodeObject(raw)
			if err != nil {
				return nil, false
			}
			return o.Path(rest)
		}
	}
	if !ok {
		return nil, false
	}
	v, err := object.Decode(raw)
	return v, err == nil
}

func (p Person) raw(name string) (json.RawMessage, bool) {
	if f, _ := CanonicalField(name); f == FieldArchitecture {
		return p.Architecture, p.Architecture != nil
	}
	for k, v := range p.Extra {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// UnmarshalJSON decodes a person tolerantly, in one pass over its members
// with the project's one JSON reader (package object), which never panics
// and names the byte of what it cannot read.
func (p *Person) UnmarshalJSON(b []byte) error {
	r := object.NewReader(b)
	if err := p.read(r); err != nil {
		return err
	}
	return r.End()
}

// read decodes the person object at r. A field given twice, in any casing,
// is an error: which of the two is the person's uuid or mail cannot be told.
func (p *Person) read(r *object.Reader) error {
	*p = Person{}
	err := r.Object(func(key []byte) error {
		field, known := lookupField(key)
		if known {
			if p.present&(1<<field) != 0 {
				return r.Errorf("the person holds %s twice", knownFields[field])
			}
			p.present |= 1 << field
			switch f := knownFields[field]; f {
			case FieldAccessType:
				a, err := readAccessType(r)
				p.AccessType = a
				return err
			case FieldArchitecture:
				raw, err := r.Raw()
				if err == nil && !isNull(raw) {
					p.Architecture = append(json.RawMessage(nil), raw...)
				}
				return err
			default:
				s, isText, err := r.Text()
				if err != nil || isText {
					t, _ := p.text(f)
					*t = s
					return err
				}
				// An object or a list where text belongs: kept as it came.
			}
		}
		name := string(key)
		for k := range p.Extra {
			if strings.EqualFold(k, name) {
				return r.Errorf("the person holds %s twice (as %s and %s)", k, k, name)
			}
		}
		raw, err := r.Raw()
		if err != nil {
			return err
		}
		if p.Extra == nil {
			p.Extra = map[string]json.RawMessage{}
		}
		p.Extra[name] = append(json.RawMessage(nil), raw...)
		return nil
	})
	if p.present&(1<<accessTypeField) == 0 {
		p.AccessType.Unreadable = "accessType is absent"
	}
	return err
}

// accessTypeField is accessType's place in knownFields.
var accessTypeField = slices.Index(knownFields, FieldAccessType)

// lookupField finds a known field by a key in any casing, without
// allocating for the usual lower-case spelling.
func lookupField(key []byte) (int, bool) {
	if i, ok := fieldIndex[string(key)]; ok {
		return i, true
	}
	i, ok := fieldIndex[strings.ToLower(string(key))]
	return i, ok
}

// MarshalJSON writes the person as IPassan would, for admins' output.
func (p Person) MarshalJSON() ([]byte, error) {
	o := object.New()
	o.Set(FieldUUID, p.UUID)
	for _, f := range textFields {
		t, _ := p.text(f)
		o.Set(f, *t)
	}
	o.Set(FieldAccessType, p.AccessType.object())
	if p.Architecture != nil {
		if v, err := object.Decode(p.Architecture); err == nil {
			o.Set(FieldArchitecture, v)
		}
	}
	for k, raw := range p.Extra {
		if v, err := object.Decode(raw); err == nil {
			o.Set(k, v)
		}
	}
	return o.MarshalJSON()
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// AccessType holds the four access slots; each is a profile GUID or "".
//
// Unreadable is "" when the slots were read in a shape the client knows, and
// otherwise says why not ("accessType is absent", "accessType is a list",
// "accessType holds both doorPermanent and DOORPERMANENT", "doorPermanent
// holds 42"). The slots then hold what could be read, which proves nothing:
// an unreadable accessType may hide a profile, so it is never "no profile".
type AccessType struct {
	DoorPermanent  string
	DoorTemporary  string
	FloorPermanent string
	FloorTemporary string
	Unreadable     string
}

// Slot names, as IPassan spells them (spelled once, in package slots).
const (
	SlotDoorPermanent  = slots.DoorPermanent
	SlotDoorTemporary  = slots.DoorTemporary
	SlotFloorPermanent = slots.FloorPermanent
	SlotFloorTemporary = slots.FloorTemporary
)

// Slots are the four access slots, in IPassan's order.
var Slots = slots.All

// slotNames lists the slots for messages.
var slotNames = strings.Join(Slots[:], ", ")

func (a *AccessType) slot(name string) (*string, bool) {
	switch {
	case strings.EqualFold(name, SlotDoorPermanent):
		return &a.DoorPermanent, true
	case strings.EqualFold(name, SlotDoorTemporary):
		return &a.DoorTemporary, true
	case strings.EqualFold(name, SlotFloorPermanent):
		return &a.FloorPermanent, true
	case strings.EqualFold(name, SlotFloorTemporary):
		return &a.FloorTemporary, true
	}
	return nil, false
}

// Slot returns the profile GUID in a slot ("" when empty).
func (a AccessType) Slot(name string) (string, bool) {
	s, ok := a.slot(name)
	if !ok {
		return "", false
	}
	return *s, true
}

// Set puts a profile GUID in a slot ("" empties it); false for an unknown slot.
func (a *AccessType) Set(name, id string) bool {
	s, ok := a.slot(name)
	if ok {
		*s = id
	}
	return ok
}

func (a AccessType) object() *object.Object {
	o := object.New()
	if a.Unreadable != "" {
		o.Set("unreadable", a.Unreadable)
		return o
	}
	for _, name := range Slots {
		v, _ := a.Slot(name)
		if v == "" {
			o.Set(name, nil)
		} else {
			o.Set(name, v)
		}
	}
	return o
}

// readAccessType reads a person's accessType. One principle decides which
// shapes are known: a shape is known only when it leaves no doubt which GUID
// sits in which slot; anything that could hide a profile is Unreadable.
//
// Known: an object of the four slots (any casing, each at most once; a slot
// left out holds nothing, as PHP leaves out what it filters), each slot a
// GUID, null, "" or the text null, or an object carrying the GUID as uuid, id
// or guid; keys that are not slots are allowed when they hold nothing. Known
// and empty: null, [] and {} for the whole accessType. They say "no slots"
// outright ([] is how PHP writes an empty map); refusing them would make a
// server that writes an empty accessType so unreadable for every person
// without access, and a cleared slot could never be confirmed.
//
// Unreadable: accessType absent (Person.read), a list of entries, text or a
// number; a slot twice (doorPermanent and DOORPERMANENT); another key holding
// something (door_permanent, doorSpecial: a profile could sit there); a slot
// holding a number, a boolean, a list of entries, or an object without a
// GUID or with two different ones.
func readAccessType(r *object.Reader) (AccessType, error) {
	var a AccessType
	switch t := r.Type(); t {
	case object.TypeNull:
		return a, r.Skip()
	case object.TypeObject:
	case object.TypeArray:
		raw, err := r.Raw()
		if err == nil && !emptyContainer(raw) {
			a.Unreadable = "accessType is a list"
		}
		return a, err
	default:
		a.Unreadable = "accessType is " + t.String()
		return a, r.Skip()
	}
	unreadable := func(format string, args ...any) {
		if a.Unreadable == "" {
			a.Unreadable = fmt.Sprintf(format, args...)
		}
	}
	var spelled [len(Slots)]string
	err := r.Object(func(k []byte) error {
		key := string(k)
		i := slices.IndexFunc(Slots[:], func(s string) bool { return strings.EqualFold(s, key) })
		if i < 0 {
			raw, err := r.Raw()
			if err == nil && !holdsNothing(raw) {
				unreadable("accessType holds %s, which is none of %s", key, slotNames)
			}
			return err
		}
		if spelled[i] != "" {
			unreadable("accessType holds both %s and %s", spelled[i], key)
			return r.Skip()
		}
		spelled[i] = key
		id, why, err := readProfileID(r, key)
		if why != "" {
			unreadable("%s", why)
		}
		a.Set(Slots[i], id)
		return err
	})
	return a, err
}

// readProfileID reads what a slot holds: a GUID, null, "" or the text null
// (empty), or an object carrying the GUID as uuid, id or guid. why says what
// makes it unreadable, when it is.
func readProfileID(r *object.Reader, slot string) (id, why string, err error) {
	switch t := r.Type(); t {
	case object.TypeString, object.TypeNull:
		s, _, err := r.Text()
		if s = strings.TrimSpace(s); strings.EqualFold(s, "null") {
			s = ""
		}
		return s, "", err
	case object.TypeObject:
		var ids []string
		var bad string
		keys, idKeys := 0, 0
		err := r.Object(func(k []byte) error {
			keys++
			if !slices.ContainsFunc([]string{"uuid", "id", "guid"}, func(n string) bool { return strings.EqualFold(n, string(k)) }) {
				return nil
			}
			idKeys++
			switch t := r.Type(); t {
			case object.TypeString, object.TypeNull:
				s, _, err := r.Text()
				if s = strings.TrimSpace(s); s != "" && !slices.Contains(ids, s) {
					ids = append(ids, s)
				}
				return err
			default:
				bad = fmt.Sprintf("%s holds an object whose %s is %s", slot, k, t)
				return nil
			}
		})
		switch {
		case err != nil:
			return "", "", err
		case bad != "":
			return "", bad, nil
		case len(ids) > 1:
			return ids[0], fmt.Sprintf("%s holds an object with two GUIDs (%s and %s)", slot, ids[0], ids[1]), nil
		case len(ids) == 1:
			return ids[0], "", nil
		case keys > 0 && idKeys == 0:
			return "", slot + " holds an object without uuid, id or guid", nil
		}
		return "", "", nil // {} or {"uuid": null}: empty
	}
	raw, err := r.Raw()
	if err != nil {
		return "", "", err
	}
	if emptyContainer(raw) {
		return "", "", nil
	}
	return "", fmt.Sprintf("%s holds %s", slot, clip(truncate(raw, 40))), nil
}

// emptyContainer reports [] or {} (white space allowed).
func emptyContainer(raw []byte) bool {
	b := bytes.TrimSpace(raw)
	return len(b) >= 2 && (b[0] == '[' || b[0] == '{') && len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

// holdsNothing reports null, "", [] or {}: a value that cannot hide a profile.
func holdsNothing(raw []byte) bool {
	b := bytes.TrimSpace(raw)
	return isNull(b) || string(b) == `""` || emptyContainer(b)
}

// SameProfile compares profile GUIDs as IPassan does: without regard to case.
func SameProfile(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
