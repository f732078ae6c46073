package fieldmapping

import (
	"github.com/dop251/goja"
)

// HelloID compatibility: Person.Accounts.
//
// In HelloID every person carries Accounts, an object with an entry per target
// system holding the fields that system shares with others, e.g.
// Person.Accounts.MicrosoftActiveDirectory.mail. Mappings written in the
// HelloID portal read such entries without checking that they exist; the
// public IPassan connector's own mail mapping does
// `typeof Person.Accounts.MicrosoftActiveDirectory.mail`. A person exported
// from HelloID's connector template, or written by hand for a test, has no
// Accounts, and that mapping would throw a TypeError here although it works in
// HelloID.
//
// So scripts get an Accounts on which a missing system reads as an empty
// object: the mapping sees "this person has no account there yet", which is
// what HelloID shows it for a person without one. Only Accounts and the
// systems directly inside it are lenient; reading a missing field of a system
// gives undefined as usual, and every other missing property of the person
// still throws, so a genuinely broken script still fails naming its field.

// accountsKey is the person property HelloID fills with the target systems.
const accountsKey = "Accounts"

// withLenientAccounts replaces person.Accounts (Person's or Manager's) with
// lenientAccounts. A person that is not an object (null: no person was given)
// is left alone, so that scripts reading it still fail as they would.
func withLenientAccounts(vm *goja.Runtime, person goja.Value) {
	obj, ok := person.(*goja.Object)
	if !ok || obj.ClassName() == "Array" {
		return
	}
	current := obj.Get(accountsKey)
	switch target := current.(type) {
	case *goja.Object:
		if target.ClassName() == "Array" {
			return // not HelloID's shape; leave the script to deal with it
		}
		// Same key, same place in Object.keys(Person): only its reads change.
		_ = obj.DefineDataProperty(accountsKey, lenientAccounts(vm, target), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	default:
		if current != nil && !goja.IsUndefined(current) && !goja.IsNull(current) {
			return // text or a number: not HelloID's shape either
		}
		// Added as a non-enumerable property: Object.keys(Person) and
		// JSON.stringify(Person) show the person exactly as it was given.
		_ = obj.DefineDataProperty(accountsKey, lenientAccounts(vm, vm.NewObject()), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// lenientAccounts wraps an Accounts object so that reading a system it does not
// hold gives an empty object, the same one on every read (so a script that
// stores something in it reads it back). The systems are not added to the
// object: Object.keys and the `in` operator still say which systems HelloID
// sent.
func lenientAccounts(vm *goja.Runtime, accounts *goja.Object) *goja.Object {
	missing := map[string]*goja.Object{}
	proxy := vm.NewProxy(accounts, &goja.ProxyTrapConfig{
		Get: func(target *goja.Object, property string, receiver goja.Value) goja.Value {
			// Get walks the prototype chain, so toString, hasOwnProperty and
			// friends keep working; nil means the property exists nowhere.
			if v := target.Get(property); v != nil {
				return v
			}
			empty, ok := missing[property]
			if !ok {
				empty = vm.NewObject()
				missing[property] = empty
			}
			return empty
		},
	})
	return vm.ToValue(proxy).(*goja.Object)
}
