package fieldmapping

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

func demoPersonContext(t *testing.T) *object.Object {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/fixtures/helloid-template/demoPerson.json")
	require.NoError(t, err)
	person, err := object.DecodeObject(raw)
	require.NoError(t, err)
	ctx := object.New()
	ctx.Set("Person", person)
	return ctx
}

// The real connector's mapping, against HelloID's demo person. HelloID's
// persons always carry Accounts; the demo file lacks it, which reads as a
// person without accounts in other systems (HelloID compatibility, see
// accounts.go).
func TestRealFieldMappingWithDemoPerson(t *testing.T) {
	m, err := Load("../../testdata/fixtures/powershell-connector/fieldMapping.json")
	require.NoError(t, err)

	withMail := demoPersonContext(t)
	withMail.Object("Person").Set("Accounts", mustDecode(t, `{"MicrosoftActiveDirectory":{"mail":"C.Bos@example.org"}}`))
	withoutMail := demoPersonContext(t)
	withoutMail.Object("Person").Set("Accounts", mustDecode(t, `{"MicrosoftActiveDirectory":{}}`))
	withoutAccounts := demoPersonContext(t) // as the template's file is
	withOtherSystem := demoPersonContext(t)
	withOtherSystem.Object("Person").Set("Accounts", mustDecode(t, `{"AzureActiveDirectory":{"mail":"c.bos@example.org"}}`))

	const common = `"lastname":"Bos","firstname":"Cásey","phone":"(9578) 089976","mail":"C.Bos@example.org","number":"123456789","type":"2","other":"Custom Comment"`
	const noMail = `"lastname":"Bos","firstname":"Cásey","phone":"(9578) 089976","mail":"","number":"123456789","type":"2","other":"Custom Comment"`
	const lookup = `"_extension":{"accessProfileLookupKey":"Central Web Engineer"}`
	tests := []struct {
		name, action string
		ctx          *object.Object
		want         string
	}{
		{"create", "Create", withMail, `{` + common + `}`},
		{"update", "Update", withMail, `{` + common + `,` + lookup + `}`},
		{"update without mail", "update", withoutMail, `{` + noMail + `,` + lookup + `}`},
		{"create without Accounts", "Create", withoutAccounts, `{` + noMail + `}`},
		{"update without Accounts", "Update", withoutAccounts, `{` + noMail + `,` + lookup + `}`},
		{"create with another system only", "Create", withOtherSystem, `{` + noMail + `}`},
		{"enable", "Enable", withMail, `{` + lookup + `}`},
		{"disable", "Disable", withMail, `{}`},
		{"delete", "Delete", withMail, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := m.Map(tt.action, tt.ctx, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, marshal(t, data))
		})
	}
}

const zoeContext = `{
	"Person": {
		"ExternalId": "4711",
		"IsActive": true,
		"Name": {"GivenName": "Zoë", "NickName": "Zoë", "FamilyNamePrefix": "van der", "FamilyName": "Berg", "Convention": "B"},
		"Contracts": [
			{"Sequence": 1, "Title": {"Name": "Medewerker Financiële administratie"}, "Department": {"DisplayName": "Financiën"}, "CostCenter": {"Code": 42}},
			{"Sequence": 2, "Title": {"Name": "Stagiair"}, "Department": {"DisplayName": "ICT"}, "CostCenter": {"Code": 7}}
		],
		"PrimaryContract": {"Title": {"Name": "Medewerker Financiële administratie"}, "CostCenter": {"Code": 42}},
		"Accounts": {}
	},
	"Manager": {"Name": {"GivenName": "Søren", "FamilyName": "Łukasiewicz"}}
}`

func TestMapFieldFixedComplexNone(t *testing.T) {
	m := mustParse(t,
		mf{name: "lastName", mode: "Field", value: "Person.Name.FamilyName"},
		mf{name: "firstName", mode: "Field", value: "person.NAME.givenname"}, // paths are case-insensitive
		mf{name: "mail", mode: "Complex", value: `
			const prefix = Person.Name.FamilyNamePrefix ? Person.Name.FamilyNamePrefix.replace(/ /g, '') : '';
			let local = ` + "`${Person.Name.NickName}.${prefix}${Person.Name.FamilyName}`" + `;
			local = deleteDiacriticalMarks(local).toLowerCase();
			` + "`${local}@example.org`"},
		mf{name: "employeeNumber", mode: "Complex", value: "const pad = (n, width = 8) => String(n).padStart(width, '0');\npad(Person.ExternalId)"},
		mf{name: "displayName", mode: "Complex", value: "const { NickName, FamilyNamePrefix, FamilyName } = Person.Name;\n[NickName, FamilyNamePrefix, FamilyName].filter(Boolean).join(' ')"},
		mf{name: "titles", typ: "Array", mode: "Complex", value: "Person.Contracts.map(c => c.Title.Name)"},
		mf{name: "contracts", typ: "Array", mode: "Field", value: "Person.Contracts"},
		mf{name: "costCenter", mode: "Field", value: "Person.PrimaryContract.CostCenter.Code"},
		mf{name: "active", typ: "Boolean", mode: "Field", value: "Person.IsActive"},
		mf{name: "managerName", mode: "Complex", value: "deleteDiacriticalMarks(`${Manager?.Name?.GivenName} ${Manager?.Name?.FamilyName}`)"},
		mf{name: "managerMail", mode: "Complex", value: "Manager?.Accounts?.MicrosoftActiveDirectory?.mail ?? null"},
		mf{name: "nickMissing", mode: "Field", value: "Person.Name.Nope"},
		mf{name: "type", mode: "Fixed", value: "2"},
		mf{name: "comment", mode: "None", value: ""},
		mf{name: "_extension.accessProfileLookupKey", mode: "Complex", value: `Person.PrimaryContract.Title.Name.normalize('NFD').replace(/[\u0300-\u036f]/g, '')`, actions: []string{"Update"}},
		mf{name: "_extension.iteration", mode: "Complex", value: "Iteration === 0 ? '' : String(Iteration)"},
		mf{name: "deleteOnly", mode: "Fixed", value: "gone", actions: []string{"Delete"}},
	)
	ctx := mustDecode(t, zoeContext)

	data, err := m.Map("Create", ctx, Options{})
	require.NoError(t, err)
	const contracts = `[{"Sequence":1,"Title":{"Name":"Medewerker Financiële administratie"},"Department":{"DisplayName":"Financiën"},"CostCenter":{"Code":42}},` +
		`{"Sequence":2,"Title":{"Name":"Stagiair"},"Department":{"DisplayName":"ICT"},"CostCenter":{"Code":7}}]`
	assert.Equal(t, `{"lastName":"Berg","firstName":"Zoë","mail":"zoe.vanderberg@example.org","employeeNumber":"00004711",`+
		`"displayName":"Zoë van der Berg","titles":["Medewerker Financiële administratie","Stagiair"],"contracts":`+contracts+`,`+
		`"costCenter":"42","active":"true","managerName":"Soren Lukasiewicz","managerMail":null,"nickMissing":null,"type":"2",`+
		`"_extension":{"iteration":""}}`, marshal(t, data))
	assert.False(t, data.Has("comment"), "None is not sent")
	assert.False(t, data.Has("deleteOnly"), "not mapped for Create")

	data, err = m.Map("Update", ctx, Options{})
	require.NoError(t, err)
	assert.Equal(t, `{"accessProfileLookupKey":"Medewerker Financiele administratie","iteration":""}`, marshal(t, data.Object("_extension")))

	data, err = m.Map("Delete", ctx, Options{})
	require.NoError(t, err)
	assert.Equal(t, `{"deleteOnly":"gone"}`, marshal(t, data))

	// No person at all: paths give null, scripts see Person as null (goja
	// words reading from null as "of undefined").
	data, err = m.Map("Create", nil, Options{})
	assert.Nil(t, data)
	assert.EqualError(t, err, `field "mail" (Complex): TypeError: Cannot read property 'Name' of undefined at line 2`)
}

func TestFirstEntryForTheActionWins(t *testing.T) {
	m, err := Parse([]byte(`{"MappingFields":[{"Name":"state","Type":"Text","MappingActions":[
		{"MapForActions":["Create"],"MappingMode":"Fixed","Value":"\"new\""},
		{"MapForActions":["Create","Update"],"MappingMode":"Fixed","Value":"\"old\""},
		{"MapForActions":["Disable"],"MappingMode":"None","Value":"\"\""}
	]}]}`))
	require.NoError(t, err)
	for action, want := range map[string]string{"Create": `{"state":"new"}`, "Update": `{"state":"old"}`, "Disable": `{}`, "Enable": `{}`} {
		data, err := m.Map(action, nil, Options{})
		require.NoError(t, err)
		assert.Equal(t, want, marshal(t, data), action)
	}
	_, err = m.Map("Archive", nil, Options{})
	assert.EqualError(t, err, `unknown action "Archive" (want Create, Update, Enable, Disable or Delete)`)
}

func TestTypes(t *testing.T) {
	ctx := mustDecode(t, `{"Person":{"Number":117,"Price":1.50,"Flag":false,"Null":null,"Name":{"A":"b"},"List":["x",1]}}`)
	tests := []struct {
		typ, mode, value string
		want             any
	}{
		{"Text", "Field", "Person.Number", "117"},
		{"Text", "Field", "Person.Price", "1.50"}, // as written in the person
		{"Text", "Field", "Person.Flag", "false"},
		{"Text", "Field", "Person.Null", nil},
		{"Text", "Fixed", "", ""},
		{"Text", "Complex", "1/3", "0.3333333333333333"},
		{"Text", "Complex", "0.1 + 0.2", "0.30000000000000004"},
		{"Text", "Complex", "1e21", "1e+21"},
		{"Text", "Complex", "-0", "0"},
		{"Text", "Complex", "0/0", "NaN"},
		{"Text", "Complex", "2n ** 70n", "1180591620717411303424"},
		{"Text", "Complex", "undefined", nil},
		{"Text", "Complex", "null", nil},
		{"Text", "Complex", "Person.Number + 1", "118"},
		{"Boolean", "Complex", "Person.Number > 100", "true"},
		{"Boolean", "Field", "Person.Flag", "false"},
		{"Boolean", "Fixed", "true", "true"},
		{"Boolean", "Complex", "null", nil},
		{"Array", "Field", "Person.List", []any{"x", json.Number("1")}},
		{"Array", "Field", "Person.Number", []any{json.Number("117")}},
		{"Array", "Field", "Person.Null", []any{}},
		{"Array", "Field", "Person.Missing", []any{}},
		{"Array", "Fixed", "x", []any{"x"}},
		{"Array", "Complex", "'one'", []any{"one"}},
		{"Array", "Complex", "undefined", []any{}},
		{"Array", "Complex", "[1, 'a', null, undefined, true, [2], 1/0]", []any{json.Number("1"), "a", nil, nil, true, []any{json.Number("2")}, "Infinity"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.mode+" "+tt.value, func(t *testing.T) {
			m := mustParse(t, mf{name: "f", typ: tt.typ, mode: tt.mode, value: tt.value})
			data, err := m.Map("Create", ctx, Options{})
			require.NoError(t, err)
			got, ok := data.Get("f")
			require.True(t, ok)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("Array of objects keeps their keys in order", func(t *testing.T) {
		m := mustParse(t, mf{name: "f", typ: "Array", mode: "Complex", value: "[{z: 1, a: {b: 'c'}}]"})
		data, err := m.Map("Create", ctx, Options{})
		require.NoError(t, err)
		assert.Equal(t, `{"f":[{"z":1,"a":{"b":"c"}}]}`, marshal(t, data))
	})
	t.Run("scripts see the person's keys in order", func(t *testing.T) {
		m := mustParse(t, mf{name: "f", mode: "Complex", value: "Object.keys(Person).join()"})
		data, err := m.Map("Create", ctx, Options{})
		require.NoError(t, err)
		assert.Equal(t, `{"f":"Number,Price,Flag,Null,Name,List"}`, marshal(t, data))
	})
}

func TestFieldValueOfTheWrongShape(t *testing.T) {
	ctx := mustDecode(t, `{"Person":{"Name":{"A":"b"},"List":["x"]}}`)
	tests := []struct {
		typ, value, want string
	}{
		{"Text", "Person.Name", `field "f" (Field): Person.Name: got an object; a Text field needs text, a number or a boolean`},
		{"Boolean", "Person.List", `field "f" (Field): Person.List: got an array; a Boolean field needs text, a number or a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			m := mustParse(t, mf{name: "f", typ: tt.typ, mode: "Field", value: tt.value})
			_, err := m.Map("Create", ctx, Options{})
			assert.EqualError(t, err, tt.want)
		})
	}
}
