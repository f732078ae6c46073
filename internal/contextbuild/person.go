package contextbuild

import (
	"fmt"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// LoadPerson reads a person file and returns the personContext
// {Person, Manager} an action receives.
func LoadPerson(path string) (*object.Object, error) {
	raw, err := readFile("person", path)
	if err != nil {
		return nil, err
	}
	pc, err := ParsePerson(raw)
	if err != nil {
		return nil, fmt.Errorf("person file %s: %w", QuotePath(path), err)
	}
	return pc, nil
}

// ParsePerson accepts the forms a person is kept in: a HelloID person (as in
// HelloID's connector template, demoPerson.json), or {Person, Manager} (what
// HelloID passes as personContext). The result is always {Person, Manager},
// Manager null when the file has none.
func ParsePerson(raw []byte) (*object.Object, error) {
	text, err := textenc.ToUTF8(raw)
	if err != nil {
		return nil, err
	}
	doc, err := object.DecodeObject(text)
	if err != nil {
		return nil, err
	}
	return PersonContextOf(doc)
}

// PersonContextOf is ParsePerson for a person already decoded.
func PersonContextOf(doc *object.Object) (*object.Object, error) {
	if inner, ok := doc.Get("personContext"); ok {
		// A whole context, or its personContext saved on its own.
		if doc, ok = inner.(*object.Object); !ok {
			return nil, fmt.Errorf("personContext must be an object, got %s", object.Kind(inner))
		}
	}
	pc := object.New()
	if person, ok := doc.Get("Person"); ok {
		if _, isObject := person.(*object.Object); !isObject {
			return nil, fmt.Errorf("Person must be an object, got %s", object.Kind(person))
		}
		manager, _ := doc.Get("Manager")
		pc.Set("Person", person)
		pc.Set("Manager", manager)
		return pc, nil
	}
	pc.Set("Person", doc)
	pc.Set("Manager", nil)
	return pc, nil
}
