// Package slots names IPassan's four access slots, once. Package ipassan
// exports them as its Slot… constants and Slots; the fake uses them from here
// because package ipassan's own tests import the fake.
package slots

// The slots of a person's accessType, as IPassan spells them. Each holds one
// access-profile GUID or nothing.
const (
	DoorPermanent  = "doorPermanent"
	DoorTemporary  = "doorTemporary"
	FloorPermanent = "floorPermanent"
	FloorTemporary = "floorTemporary"
)

// All are the slots in IPassan's order.
var All = [...]string{DoorPermanent, DoorTemporary, FloorPermanent, FloorTemporary}
