package fieldmapping

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestComplexFailuresNameTheField(t *testing.T) {
	tests := []struct {
		name, typ, src, want string
	}{
		{"ReferenceError", "Text", "const a = 1;\nlet b = 2;\nx + a", `field "mail" (Complex): ReferenceError: x is not defined at line 3`},
		{"throw Error", "Text", "function f() {\n  throw new Error('no mail for ' + Person.Name.GivenName);\n}\nf()", `field "mail" (Complex): Error: no mail for Zoë at line 2`},
		{"throw text", "Text", "throw 'bad person'", `field "mail" (Complex): threw bad person at line 1`},
		{"missing method", "Text", "'x'.isWellFormed()", `field "mail" (Complex): TypeError: Object has no member 'isWellFormed' at line 1`},
		{"recursion", "Text", "function f() { return f() }\nf()", `field "mail" (Complex): RangeError: recursion deeper than 10000 calls at line 1`},
		{"object for Text", "Text", "({mail: 'x'})", `field "mail" (Complex): got an object; a Text field needs text, a number or a boolean`},
		{"array for Text", "Text", "['x']", `field "mail" (Complex): got an array; a Text field needs text, a number or a boolean`},
		{"object for Boolean", "Boolean", "new Boolean(true)", `field "mail" (Complex): got an object; a Boolean field needs text, a number or a boolean`},
		{"function", "Text", "function getEmail() { return 'x' }\ngetEmail", `field "mail" (Complex): got a function; a Text field needs text, a number or a boolean`},
		{"arrow function", "Text", "() => 'x'", `field "mail" (Complex): got a function; a Text field needs text, a number or a boolean`},
		{"symbol", "Text", "Symbol('x')", `field "mail" (Complex): got a symbol, which has no text form`},
		{"function in Array", "Array", "['a', () => 1]", `field "mail" (Complex): got a function; did the script forget to call it?`},
		{"circular Array", "Array", "const a = []; a.push(a); a", `field "mail" (Complex): the result nests deeper than 100 levels (circular?)`},
		{"huge Array", "Array", "new Array(1e9)", `field "mail" (Complex): got an array of 1000000000 elements; at most 100000 can be sent`},
		{"getter throws", "Array", "[{get a() { throw new TypeError('nope') }}]", `field "mail" (Complex): TypeError: nope at line 1`},
	}
	ctx := mustDecode(t, zoeContext)
	// None of these loops: a generous limit, so 10,000 calls deep under the
	// race detector on a busy machine still ends in the RangeError.
	generous := Options{Timeout: 20 * time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, mf{name: "mail", typ: tt.typ, mode: "Complex", value: tt.src})
			data, err := m.Map("Create", ctx, generous)
			assert.Nil(t, data)
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestEndlessScriptsStopInTime(t *testing.T) {
	tests := []struct {
		name, typ, src string
		timeout        time.Duration
		want           string
	}{
		{"while(true)", "Text", "let i = 0;\nwhile(true){ i++ }", 0, `field "mail" (Complex): stopped after 500ms (endless loop?)`},
		{"catch cannot swallow it", "Text", "for(;;) { try { while(true){} } catch (e) {} }", 50 * time.Millisecond, `field "mail" (Complex): stopped after 50ms (endless loop?)`},
		{"getter run while exporting", "Array", "[{get a() { while(true){} }}]", 50 * time.Millisecond, `field "mail" (Complex): stopped after 50ms (endless loop?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, mf{name: "mail", typ: tt.typ, mode: "Complex", value: tt.src})
			start := time.Now()
			_, err := m.Map("Create", nil, Options{Timeout: tt.timeout})
			elapsed := time.Since(start)
			assert.EqualError(t, err, tt.want)
			assert.Less(t, elapsed, 3*time.Second, "stopped, not left running (room for a busy machine)")
		})
	}
}

// What goja accepts of the syntax real mappings use; this documents the
// engine as much as it tests it.
func TestJavaScriptSupport(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"const, let, arrow, template", "const f = (a, b = 'x') => `${a}-${b}`;\nlet r = f(1);\nr", "1-x"},
		{"padStart", "String(42).padStart(6, '0')", "000042"},
		{"normalize NFD + range", "'Zoë Ĳsbrand'.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '')", "Zoe Ĳsbrand"},
		{"normalize NFKD", "'Ĳ'.normalize('NFKD')", "IJ"},
		{"optional chaining", "Person?.Name?.Missing?.x ?? 'none'", "none"},
		{"optional call", "Person.Name.nope?.() ?? 'no call'", "no call"},
		{"nullish assignment", "let a = null; a ??= 'set'; a", "set"},
		{"object destructuring", "const { GivenName: g, Title = 'n/a' } = Person.Name; `${g} ${Title}`", "Zoë n/a"},
		{"array destructuring and spread", "const [first, ...rest] = Person.Contracts; `${first.Sequence}+${rest.length}`", "1+1"},
		{"object spread", "const o = {...Person.Name, FamilyName: 'X'}; o.FamilyName + o.GivenName", "XZoë"},
		{"array methods", "Person.Contracts.filter(c => c.Sequence > 1).map(c => c.Title.Name).find(Boolean)", "Stagiair"},
		{"findLast, at, flat, includes", "`${[[1],[2,3]].flat().findLast(x => x < 3)} ${[1,2].at(-1)} ${[1].includes(1)}`", "2 2 true"},
		{"replaceAll", "'van der Berg'.replaceAll(' ', '')", "vanderBerg"},
		{"Object.entries", "Object.entries(Person.Name).length", "5"},
		{"regexp named groups and lookbehind", "'2021-01-31'.match(/(?<y>\\d{4})/).groups.y + /(?<=a)b/.test('ab')", "2021true"},
		{"class with private field", "class A { #p = 'priv'; get p() { return this.#p } }; new A().p", "priv"},
		{"generators", "function* g() { yield 1; yield 2 }; [...g()].join()", "1,2"},
		{"catch without binding", "try { null.x } catch { 'caught' }", "caught"},
		{"Date with 7 fraction digits", "new Date('2021-01-01T23:09:08.2863496').getFullYear()", "2021"},
		{"toLowerCase of accented", "'ÉLODIE'.toLowerCase()", "élodie"},
		{"exponent, separators", "2 ** 10 + 1_000", "2024"},
		{"last expression after function", "function getEmail() {\r\n  return 'a@b';\r\n}\r\ngetEmail()", "a@b"},
		{"if statement completion value", "let r;\nif (Person.IsActive) { 'yes' } else { 'no' }", "yes"},
		// Refused or missing in goja:
		{"no Intl", "typeof Intl", "undefined"},
		{"no Object.groupBy", "typeof Object.groupBy", "undefined"},
		{"no String.prototype.isWellFormed", "typeof ''.isWellFormed", "undefined"},
	}
	ctx := mustDecode(t, zoeContext)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, mf{name: "f", mode: "Complex", value: tt.src})
			data, err := m.Map("Create", ctx, Options{})
			require.NoError(t, err)
			got, _ := data.Get("f")
			assert.Equal(t, tt.want, got)
		})
	}

	// The RegExp v flag does not compile in goja.
	_, err := Parse(mappingJSON(t, mf{name: "f", mode: "Complex", value: "\n/[a-z]/v.test('a')"}))
	assert.EqualError(t, err, `field "f" (Complex): SyntaxError: Invalid flags supplied to RegExp constructor 'v' at line 2`)
}

func TestDeleteDiacriticalMarks(t *testing.T) {
	for in, want := range map[string]string{
		"Zoë":              "Zoe",
		"Ĳsbrand":          "IJsbrand",
		"ĳs":               "ijs",
		"café":             "cafe",
		"Straße":           "Strasse",
		"Ærø Bæk":          "AEro Baek",
		"Øster":            "Oster",
		"Łukasz Wałęsa":    "Lukasz Walesa",
		"François Çelik":   "Francois Celik",
		"Đorđe":            "Dorde",
		"Œuvre":            "OEuvre",
		"Ångström Müller":  "Angstrom Muller",
		"d'Hondt-Van Dijk": "d'Hondt-Van Dijk",
		"":                 "",
	} {
		assert.Equal(t, want, deleteDiacriticalMarks(in), in)
	}

	m := mustParse(t,
		mf{name: "a", mode: "Complex", value: "deleteDiacriticalMarks('Zoë')"},
		mf{name: "b", mode: "Complex", value: "deleteDiacriticalMarks(undefined)"},
		mf{name: "c", mode: "Complex", value: "deleteDiacriticalMarks(null)"},
		mf{name: "d", mode: "Complex", value: "deleteDiacriticalMarks(42)"},
	)
	data, err := m.Map("Create", nil, Options{})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"Zoe","b":"","c":"","d":"42"}`, marshal(t, data))
}
