package contextbuild

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

func TestParsePersonForms(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"a HelloID person", `{"ExternalId":"1","Name":{"NickName":"Zoë"}}`,
			`{"Person":{"ExternalId":"1","Name":{"NickName":"Zoë"}},"Manager":null}`},
		{"{Person, Manager}", `{"person":{"ExternalId":"1"},"Manager":{"ExternalId":"2"}}`,
			`{"Person":{"ExternalId":"1"},"Manager":{"ExternalId":"2"}}`},
		{"{Person} without a manager", `{"Person":{"ExternalId":"1"}}`, `{"Person":{"ExternalId":"1"},"Manager":null}`},
		{"a whole context", `{"actionContext":{},"personContext":{"Person":{"ExternalId":"1"},"Manager":null}}`,
			`{"Person":{"ExternalId":"1"},"Manager":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc, err := ParsePerson([]byte(tt.raw))
			require.NoError(t, err)
			assert.Equal(t, tt.want, marshal(t, pc))
		})
	}

	for raw, want := range map[string]string{
		`{"Person":"Zoë"}`:      "Person must be an object, got text",
		`[]`:                    "expected a JSON object, got an array",
		`{"personContext":[1]}`: "personContext must be an object, got an array",
	} {
		_, err := ParsePerson([]byte(raw))
		assert.EqualError(t, err, want, raw)
	}
	_, err := LoadPerson("no-such-person.json")
	assert.EqualError(t, err, `person file "no-such-person.json" does not exist`)
}

func demoPerson(t *testing.T) *object.Object {
	t.Helper()
	pc, err := LoadPerson(repotest.Path("testdata", "fixtures", "helloid-template", "demoPerson.json"))
	require.NoError(t, err)
	return pc
}

func TestBuild(t *testing.T) {
	mapping, err := fieldmapping.Load(repotest.Path("testdata", "fixtures", "powershell-connector", "fieldMapping.json"))
	require.NoError(t, err)
	cfg := object.New()
	cfg.Set("clientID", "helloid")

	const person = `"Data":{"lastname":"Bos","firstname":"Cásey","phone":"(9578) 089976","mail":"","number":"123456789","type":"2","other":"Custom Comment"`
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"create with correlation", Options{MapFor: "Create", Correlate: true},
			`{"Configuration":{"clientID":"helloid"},` + person + `},` +
				`"References":{"Account":null,"ManagerAccount":null},"DryRun":false,` +
				`"CorrelationConfiguration":{"Enabled":true,"PersonField":"Person.ExternalId","PersonFieldValue":"123456789","AccountField":"number","AccountFieldValue":"123456789"}}`},
		{"update in a preview", Options{MapFor: "update", AccountReference: " emp-1 ", DryRun: true},
			`{"Configuration":{"clientID":"helloid"},` + person + `,"_extension":{"accessProfileLookupKey":"Central Web Engineer"}},` +
				`"References":{"Account":"emp-1","ManagerAccount":null},"DryRun":true,` +
				`"CorrelationConfiguration":{"Enabled":false,"PersonField":"Person.ExternalId","PersonFieldValue":"123456789","AccountField":"number","AccountFieldValue":"123456789"}}`},
		{"enable correlating on mail", Options{MapFor: "Enable", AccountReference: "emp-1", CorrelationField: "mail"},
			`{"Configuration":{"clientID":"helloid"},"Data":{"_extension":{"accessProfileLookupKey":"Central Web Engineer"}},` +
				`"References":{"Account":"emp-1","ManagerAccount":null},"DryRun":false,` +
				`"CorrelationConfiguration":{"Enabled":false,"PersonField":"Person.ExternalId","PersonFieldValue":"123456789","AccountField":"mail","AccountFieldValue":"123456789"}}`},
		{"no action to map for: no Data", Options{AccountReference: "emp-1"},
			`{"Configuration":{"clientID":"helloid"},"References":{"Account":"emp-1","ManagerAccount":null},"DryRun":false,` +
				`"CorrelationConfiguration":{"Enabled":false,"PersonField":"Person.ExternalId","PersonFieldValue":"123456789","AccountField":"number","AccountFieldValue":"123456789"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Configuration, opts.PersonContext = cfg, demoPerson(t)
			if opts.MapFor != "" {
				opts.FieldMapping = mapping
			}
			in, err := Build(opts)
			require.NoError(t, err)
			assert.Equal(t, tt.want, marshal(t, in.Action))
			assert.Same(t, opts.PersonContext, in.Person)

			// What was built reads exactly as the same context read from
			// standard input would.
			doc := object.New()
			doc.Set("actionContext", in.Action)
			doc.Set("personContext", in.Person)
			decoded, err := helloid.Decode([]byte(marshal(t, doc)))
			require.NoError(t, err)
			assert.Equal(t, marshal(t, in.Action), marshal(t, decoded.Action))
			assert.Equal(t, marshal(t, in.Person), marshal(t, decoded.Person))
			corr, err := in.Correlation()
			require.NoError(t, err)
			assert.Equal(t, opts.Correlate, corr.Enabled)
			dry, err := in.DryRun()
			require.NoError(t, err)
			assert.Equal(t, opts.DryRun, dry)
		})
	}
}

func TestBuildFailures(t *testing.T) {
	broken, err := fieldmapping.Parse([]byte(`{"MappingFields":[{"Name":"mail","MappingActions":[{"MapForActions":["Create"],"MappingMode":"Complex","Value":"\"Person.Contact.Business.Email.toLowerCase()\""}]}]}`))
	require.NoError(t, err)
	cfg := object.New()
	odd, err := ParsePerson([]byte(`{"ExternalId":{"Id":1}}`))
	require.NoError(t, err)
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no configuration", Options{}, "no configuration to build the context from"},
		{"a mapping that throws names the field", Options{Configuration: cfg, MapFor: "Create", FieldMapping: broken, PersonContext: odd},
			`mapping the person for Create: field "mail" (Complex): TypeError: Cannot read property 'Business' of undefined at line 1`},
		{"an unknown action", Options{Configuration: cfg, MapFor: "Archive", FieldMapping: broken},
			`mapping the person for Archive: unknown action "Archive" (want Create, Update, Enable, Disable or Delete)`},
		{"an ExternalId that is no text, when correlating", Options{Configuration: cfg, PersonContext: odd, Correlate: true},
			"Person.ExternalId must be text to correlate on, got an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.opts)
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestQuotePathKeepsWindowsPaths(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `"C:\HelloID\ipassan-connector\configuration.json"`, QuotePath(`C:\HelloID\ipassan-connector\configuration.json`))
	assert.Equal(t, `"testdata/admin/person.json"`, QuotePath("testdata/admin/person.json"))
	assert.Equal(t, `"a\"b\n"`, QuotePath("a\"b\n"), "a quote or a control character is escaped")
	_, err := LoadPerson(`C:\nowhere\person.json`)
	assert.EqualError(t, err, `person file "C:\nowhere\person.json" does not exist`)
}

func TestIsGUID(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"c0a80101-0000-4000-8000-000000000001":    true,
		" C0A80101-0000-4000-8000-00000000ABCD ":  true,
		"1002":                                    false,
		"c0a80101-0000-4000-8000-00000000000":     false,
		"c0a80101000040008000000000000001":        false,
		"../c0a80101-0000-4000-8000-000000000001": false,
	} {
		assert.Equal(t, want, IsGUID(s), s)
	}
}
