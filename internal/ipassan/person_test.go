package ipassan

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPersonDecodingIsTolerant(t *testing.T) {
	tests := []struct {
		name, in string
		check    func(t *testing.T, p Person)
	}{
		{"type as number", `{"uuid":"u","type":2,"number":1001}`, func(t *testing.T, p Person) {
			assert.Equal(t, "2", p.Type)
			assert.Equal(t, "1001", p.Number)
		}},
		{"type as text, nulls", `{"uuid":"u","type":"3","mail":null,"phone":null}`, func(t *testing.T, p Person) {
			assert.Equal(t, "3", p.Type)
			assert.Equal(t, "", p.Mail)
		}},
		{"slots as GUIDs", `{"uuid":"u","accessType":{"doorPermanent":"A","doorTemporary":null}}`, func(t *testing.T, p Person) {
			assert.Equal(t, "A", p.AccessType.DoorPermanent)
			assert.Equal(t, "", p.AccessType.DoorTemporary)
		}},
		{"slots as objects", `{"uuid":"u","accessType":{"doorPermanent":{"name":"Floor","uuid":"B"}}}`, func(t *testing.T, p Person) {
			assert.Equal(t, "B", p.AccessType.DoorPermanent)
		}},
		{"slots empty PHP array", `{"uuid":"u","accessType":[]}`, func(t *testing.T, p Person) {
			assert.Equal(t, AccessType{}, p.AccessType)
		}},
		{"slot text null", `{"uuid":"u","accessType":{"doorPermanent":"null"}}`, func(t *testing.T, p Person) {
			assert.Equal(t, "", p.AccessType.DoorPermanent)
		}},
		{"casing and extras", `{"UUID":"u","FirstName":"Zoë","badge":{"code":7},"architecture":{"name":"Main"}}`, func(t *testing.T, p Person) {
			assert.Equal(t, "u", p.UUID)
			assert.Equal(t, "Zoë", p.Firstname)
			v, ok := p.Value("badge.code")
			assert.True(t, ok)
			assert.Equal(t, json.Number("7"), v)
			v, ok = p.Value("architecture.name")
			assert.True(t, ok)
			assert.Equal(t, "Main", v)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Person
			require.NoError(t, json.Unmarshal([]byte(tt.in), &p))
			tt.check(t, p)
		})
	}
}

func TestPersonValue(t *testing.T) {
	p := Person{UUID: "u", Firstname: "Ĳsbrand", Type: "2", AccessType: AccessType{DoorPermanent: "A"}}
	for path, want := range map[string]any{"firstname": "Ĳsbrand", "FIRSTNAME": "Ĳsbrand", "type": "2", "accessType.doorPermanent": "A", "accesstype.DOORPERMANENT": "A", "uuid": "u"} {
		v, ok := p.Value(path)
		assert.True(t, ok, path)
		assert.Equal(t, want, v, path)
	}
	_, ok := p.Value("nothing")
	assert.False(t, ok)
	_, ok = p.Value("accessType.nothing")
	assert.False(t, ok)
	assert.Equal(t, "Ĳsbrand", p.DisplayName())
}

func TestDecodePersonBareOrWrapped(t *testing.T) {
	for _, in := range []string{`{"uuid":"u","lastname":"Bos"}`, `{"data":{"uuid":"u","lastname":"Bos"}}`} {
		p, err := decodePerson([]byte(in))
		require.NoError(t, err)
		assert.Equal(t, "u", p.UUID)
		assert.Equal(t, "Bos", p.Lastname)
	}
	p, err := decodePerson([]byte(`{}`))
	require.NoError(t, err)
	assert.Empty(t, p.UUID)
	_, err = decodePerson([]byte(` `))
	assert.Error(t, err)
}

func TestPersonMarshalNeverHidesArchitecture(t *testing.T) {
	var p Person
	require.NoError(t, json.Unmarshal([]byte(`{"uuid":"u","type":2,"architecture":{"name":"Main"},"badge":1,"accessType":null}`), &p))
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"uuid":"u","firstname":"","lastname":"","mail":"","phone":"","number":"","type":"2","other":"",
		"accessType":{"doorPermanent":null,"doorTemporary":null,"floorPermanent":null,"floorTemporary":null},
		"architecture":{"name":"Main"},"badge":1}`, string(b))
}

func TestFormEncoding(t *testing.T) {
	var f Form
	f.Set("firstname", "Zoë & co")
	f.Set("other", "a=b+c%d")
	f.SetSlot(SlotDoorPermanent, "")
	f.SetSlot(SlotDoorTemporary, "G-1")
	f.Set("firstname", "Zoë")
	assert.Equal(t, "firstname=Zo%C3%AB&other=a%3Db%2Bc%25d&accessType[doorPermanent]=null&accessType[doorTemporary]=G-1", f.Encode())
	back, err := ParseForm(f.Encode())
	require.NoError(t, err)
	assert.Equal(t, f, back)
	assert.Equal(t, []string{"firstname", "other", "accessType[doorPermanent]", "accessType[doorTemporary]"}, f.Keys())
	_, err = ParseForm("a=%zz")
	assert.Error(t, err)
}

func TestCanonicalFieldAndWritable(t *testing.T) {
	f, ok := CanonicalField("FirstName")
	assert.True(t, ok)
	assert.Equal(t, "firstname", f)
	_, ok = CanonicalField("badge")
	assert.False(t, ok)
	assert.False(t, IsWritable("Architecture"))
	assert.False(t, IsWritable("uuid"))
	assert.False(t, IsWritable("accessType"))
	assert.False(t, IsWritable("accessType[doorTemporary]"))
	assert.False(t, IsWritable("AccessType.floorPermanent"))
	assert.False(t, IsWritable("architecture[name]"))
	assert.True(t, IsWritable("mail"))
}

// Broken or ambiguous persons are errors naming the byte, never a panic (the
// old member walker indexed past the end of `{"a":`) and never a guess.
func TestPersonDecodingRefusesWhatItCannotRead(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":`:                            "ends too early",
		`{"uuid":"x"`:                      "ends too early",
		`{"uuid":"x",}`:                    "expected a key",
		`{"accessType":{"doorPermanent":`:  "ends too early",
		`[{"uuid":"x"}]`:                   "expected an object, got an array",
		``:                                 "ends too early",
		`{"uuid":"x"} {}`:                  "unexpected data after the JSON value",
		`{"uuid":"a","UUID":"b"}`:          "the person holds uuid twice",
		`{"uuid":"a","badge":1,"BADGE":2}`: "the person holds badge twice (as badge and BADGE)",
		`{"uuid":"a","mail":"x\u0000","mail":""}`: "the person holds mail twice",
	} {
		var p Person
		err := p.UnmarshalJSON([]byte(in))
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
		assert.Contains(t, err.Error(), "at line 1, column ", in)
	}
}

// A shape is known only when it leaves no doubt which GUID sits in which
// slot; anything that could hide a profile is unreadable, never "no profile".
func TestAccessTypeShapes(t *testing.T) {
	const g, h = "51ee893c-bb6e-4a65-b852-f79d09e242b1", "8b32bb39-5e9f-459b-8bf1-a864c35b3f79"
	tests := []struct {
		name, accessType string
		want             AccessType
	}{
		{"slots as GUIDs", `{"doorPermanent":"` + g + `","doorTemporary":null,"floorPermanent":"","floorTemporary":"null"}`, AccessType{DoorPermanent: g}},
		{"slots as objects", `{"doorPermanent":{"uuid":"` + g + `","name":"Floor 1"},"floorTemporary":{"ID":"` + h + `"},"doorTemporary":{"uuid":null}}`, AccessType{DoorPermanent: g, FloorTemporary: h}},
		{"the same GUID twice in one object", `{"doorPermanent":{"uuid":"` + g + `","id":"` + g + `"}}`, AccessType{DoorPermanent: g}},
		{"other casing, once", `{"DoorPermanent":"` + g + `"}`, AccessType{DoorPermanent: g}},
		{"slots left out", `{"floorPermanent":"` + h + `"}`, AccessType{FloorPermanent: h}},
		{"null", `null`, AccessType{}},
		{"a PHP empty map", `[ ]`, AccessType{}},
		{"an empty object", `{}`, AccessType{}},
		{"empty values in a slot", `{"doorPermanent":[],"doorTemporary":{}}`, AccessType{}},
		{"other keys holding nothing", `{"doorPermanent":"` + g + `","updated_at":null,"extra":"","more":[]}`, AccessType{DoorPermanent: g}},

		{"a list of entries", `[{"type":"doorPermanent","uuid":"` + g + `"}]`, AccessType{Unreadable: "accessType is a list"}},
		{"text", `"doorPermanent=` + g + `"`, AccessType{Unreadable: "accessType is text"}},
		{"a number", `7`, AccessType{Unreadable: "accessType is a number"}},
		{"snake_case", `{"door_permanent":"` + g + `"}`, AccessType{Unreadable: "accessType holds door_permanent, which is none of doorPermanent, doorTemporary, floorPermanent, floorTemporary"}},
		{"an unknown slot", `{"doorPermanent":null,"doorSpecial":{"uuid":"` + g + `"}}`, AccessType{Unreadable: "accessType holds doorSpecial, which is none of doorPermanent, doorTemporary, floorPermanent, floorTemporary"}},
		{"two keys differing in case", `{"doorPermanent":"` + g + `","DOORPERMANENT":null}`, AccessType{DoorPermanent: g, Unreadable: "accessType holds both doorPermanent and DOORPERMANENT"}},
		{"a number in a slot", `{"doorPermanent":42}`, AccessType{Unreadable: "doorPermanent holds 42"}},
		{"a boolean in a slot", `{"doorTemporary":true}`, AccessType{Unreadable: "doorTemporary holds true"}},
		{"a list in a slot", `{"doorPermanent":["` + g + `"]}`, AccessType{Unreadable: `doorPermanent holds ["` + g + `"]`}},
		{"an object without GUID", `{"doorPermanent":{"name":"Floor 1"}}`, AccessType{Unreadable: "doorPermanent holds an object without uuid, id or guid"}},
		{"an object with a number for uuid", `{"doorPermanent":{"uuid":42}}`, AccessType{Unreadable: "doorPermanent holds an object whose uuid is a number"}},
		{"an object with two GUIDs", `{"doorPermanent":{"uuid":"` + g + `","guid":"` + h + `"}}`, AccessType{DoorPermanent: g, Unreadable: "doorPermanent holds an object with two GUIDs (" + g + " and " + h + ")"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Person
			require.NoError(t, json.Unmarshal([]byte(`{"uuid":"u","accessType":`+tt.accessType+`}`), &p))
			assert.Equal(t, tt.want, p.AccessType)
		})
	}
	var p Person
	require.NoError(t, json.Unmarshal([]byte(`{"uuid":"u"}`), &p))
	assert.Equal(t, "accessType is absent", p.AccessType.Unreadable)
	_, ok := p.Value("accessType.doorPermanent")
	assert.False(t, ok, "an unreadable slot has no value")
	b, _ := json.Marshal(p)
	assert.Contains(t, string(b), `"accessType":{"unreadable":"accessType is absent"}`)
}
