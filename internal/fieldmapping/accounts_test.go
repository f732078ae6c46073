package fieldmapping

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// HelloID compatibility: a missing Person.Accounts, or a missing system in
// it, reads as an empty object; nothing else about the person changes.
func TestAccountsReadLikeHelloIDs(t *testing.T) {
	const (
		noAccounts   = `{"Person":{"ExternalId":"1","Name":{"GivenName":"Zoë"}},"Manager":{"ExternalId":"2"}}`
		nullAccounts = `{"Person":{"ExternalId":"1","Accounts":null}}`
		withAD       = `{"Person":{"ExternalId":"1","Accounts":{"MicrosoftActiveDirectory":{"mail":"zoe@example.org"},"Other":null}}}`
	)
	tests := []struct {
		name, ctx, src, want string
	}{
		{"missing Accounts: a system reads as {}", noAccounts, "typeof Person.Accounts.MicrosoftActiveDirectory", "object"},
		{"missing Accounts: a field reads as undefined", noAccounts, "typeof Person.Accounts.MicrosoftActiveDirectory.mail", "undefined"},
		{"null Accounts counts as missing", nullAccounts, "typeof Person.Accounts.MicrosoftActiveDirectory.mail", "undefined"},
		{"the same empty object on every read", noAccounts, "Person.Accounts.X.a = 1; Person.Accounts.X.a", "1"},
		{"Object.keys(Person) is unchanged", noAccounts, "Object.keys(Person).join()", "ExternalId,Name"},
		{"JSON of the person is unchanged", noAccounts, "JSON.stringify(Person)", `{"ExternalId":"1","Name":{"GivenName":"Zoë"}}`},
		{"a missing system is not invented", noAccounts, "'X' in Person.Accounts", "false"},
		{"prototype methods still work", withAD, "Person.Accounts.hasOwnProperty('MicrosoftActiveDirectory')", "true"},
		{"a present system reads as sent", withAD, "Person.Accounts.MicrosoftActiveDirectory.mail", "zoe@example.org"},
		{"a system sent as null stays null", withAD, "String(Person.Accounts.Other)", "null"},
		{"present systems keep their keys", withAD, "Object.keys(Person.Accounts).join()", "MicrosoftActiveDirectory,Other"},
		{"a missing system next to present ones", withAD, "Person.Accounts.AzureAD.mail ?? 'none'", "none"},
		{"the manager too", noAccounts, "Manager.Accounts.MicrosoftActiveDirectory.mail ?? 'none'", "none"},
		{"the public connector's mail mapping", noAccounts,
			"function getEmail() {\r\n    let mail = '';\r\n        if (typeof Person.Accounts.MicrosoftActiveDirectory.mail !== 'undefined' && Person.Accounts.MicrosoftActiveDirectory.mail) {\r\n            mail = Person.Accounts.MicrosoftActiveDirectory.mail;\r\n        } return mail;\r\n    }\r\ngetEmail()", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, mf{name: "f", mode: "Complex", value: tt.src})
			data, err := m.Map("Create", mustDecode(t, tt.ctx), Options{})
			require.NoError(t, err)
			got, _ := data.Get("f")
			assert.Equal(t, tt.want, got)
		})
	}
}

// Leniency stops at Accounts and its systems: a script that is really broken
// still fails, naming its field.
func TestBrokenScriptsStillFailDespiteLenientAccounts(t *testing.T) {
	tests := []struct {
		name, ctx, src, want string
	}{
		{"a method on a missing field", `{"Person":{}}`, "Person.Accounts.MicrosoftActiveDirectory.mail.toLowerCase()",
			`field "mail" (Complex): TypeError: Cannot read property 'toLowerCase' of undefined or null at line 1`},
		{"another missing part of the person", `{"Person":{}}`, "Person.Contact.Business.Email",
			`field "mail" (Complex): TypeError: Cannot read property 'Business' of undefined at line 1`},
		{"no person at all", `{}`, "Person.Accounts.MicrosoftActiveDirectory",
			`field "mail" (Complex): TypeError: Cannot read property 'Accounts' of undefined at line 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, mf{name: "mail", mode: "Complex", value: tt.src})
			data, err := m.Map("Create", mustDecode(t, tt.ctx), Options{})
			assert.Nil(t, data)
			assert.EqualError(t, err, tt.want)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, "mail", fe.Field)
		})
	}
}
