package fieldmapping

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"golang.org/x/text/unicode/norm"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// maxCallStack bounds recursion: without it goja lets a runaway recursion eat
// memory until the time limit strikes.
const maxCallStack = 10000

// maxArrayLength bounds exporting an Array result: `new Array(1e9)` costs the
// script nothing, and the time limit cannot stop a Go loop over it.
const maxArrayLength = 100000

var errStopped = errors.New("time limit")

// propertyEscape finds \p{…} and \P{…}, which goja's regular expressions
// read as the plain letters "p{…}" instead of a Unicode class.
var propertyEscape = regexp.MustCompile(`\\[pP]\{`)

// compile parses a Complex mapping once, reporting syntax errors by line the
// way the HelloID portal's editor shows them.
func compile(name, src string) (*goja.Program, error) {
	if loc := propertyEscape.FindStringIndex(src); loc != nil {
		return nil, fmt.Errorf("Unicode property escapes (\\p{…}) in regular expressions are not supported: goja would silently match the letters \"p{…}\" (at line %d); use deleteDiacriticalMarks or a range such as [\\u0300-\\u036f]",
			1+strings.Count(src[:loc[0]], "\n"))
	}
	ast, err := parser.ParseFile(nil, name, src, 0)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, fmt.Errorf("SyntaxError: %s at line %d, column %d", list[0].Message, list[0].Position.Line, list[0].Position.Column)
		}
		return nil, fmt.Errorf("SyntaxError: %v", err)
	}
	p, err := goja.CompileAST(ast, false)
	if err != nil {
		var syn *goja.CompilerSyntaxError
		if errors.As(err, &syn) && syn.File != nil {
			return nil, fmt.Errorf("SyntaxError: %s at line %d", syn.Message, syn.File.Position(syn.Offset).Line)
		}
		return nil, err
	}
	return p, nil
}

// runComplex runs a compiled mapping in a fresh runtime, so that one field's
// top-level let/const cannot collide with another's, and returns the value of
// its last expression as one of package object's values.
func runComplex(p *goja.Program, personContext *object.Object, typ string, timeout time.Duration) (result any, err error) {
	vm := goja.New()
	vm.SetMaxCallStackSize(maxCallStack)
	if err := setGlobals(vm, personContext); err != nil {
		return nil, err
	}
	// The timer also covers exporting the result, which can run script code
	// (getters, proxies); an interrupt or throw there arrives as a panic.
	timer := time.AfterFunc(timeout, func() { vm.Interrupt(errStopped) })
	defer timer.Stop()
	defer func() {
		switch r := recover().(type) {
		case nil:
		case *goja.InterruptedError, *goja.Exception, *goja.StackOverflowError:
			result, err = nil, explainJS(r.(error), timeout)
		default:
			panic(r)
		}
	}()
	v, err := vm.RunProgram(p)
	if err != nil {
		return nil, explainJS(err, timeout)
	}
	if obj, ok := v.(*goja.Object); ok && typ != typeArray {
		return nil, fmt.Errorf("got %s; a %s field needs text, a number or a boolean", describe(obj), typ)
	}
	return fromJS(v, object.MaxDepth)
}

func setGlobals(vm *goja.Runtime, personContext *object.Object) error {
	person, _ := personContext.Get("Person")
	manager, _ := personContext.Get("Manager")
	personJS, managerJS := toJS(vm, person), toJS(vm, manager)
	// HelloID compatibility (see accounts.go): a missing Accounts, or a
	// missing system in it, reads as an empty object.
	withLenientAccounts(vm, personJS)
	withLenientAccounts(vm, managerJS)
	globals := []struct {
		name  string
		value any
	}{
		{"Person", personJS},
		{"Manager", managerJS},
		{"Iteration", 0}, // HelloID counts up on uniqueness conflicts; a first try is 0
		{"deleteDiacriticalMarks", func(call goja.FunctionCall) goja.Value {
			text := call.Argument(0)
			if goja.IsUndefined(text) || goja.IsNull(text) {
				return vm.ToValue("")
			}
			return vm.ToValue(deleteDiacriticalMarks(text.String()))
		}},
	}
	for _, g := range globals {
		if err := vm.Set(g.name, g.value); err != nil {
			return fmt.Errorf("setting up %s: %w", g.name, err)
		}
	}
	return nil
}

// explainJS words goja's errors for an admin: the script's own message and
// the line it failed on, without goja's internal program counters.
func explainJS(err error, timeout time.Duration) error {
	var stopped *goja.InterruptedError
	var overflow *goja.StackOverflowError
	var thrown *goja.Exception
	switch {
	case errors.As(err, &stopped):
		return fmt.Errorf("stopped after %v (endless loop?)", timeout)
	case errors.As(err, &overflow):
		return fmt.Errorf("RangeError: recursion deeper than %d calls%s", maxCallStack, atLine(overflow.Stack()))
	case errors.As(err, &thrown):
		msg := "threw a value"
		if v := thrown.Value(); v != nil {
			msg = v.String()
			// An Error's text starts with its kind ("TypeError: …"); anything
			// else thrown would read like a plain message.
			if obj, ok := v.(*goja.Object); !ok || obj.ClassName() != "Error" {
				msg = "threw " + msg
			}
		}
		return fmt.Errorf("%s%s", msg, atLine(thrown.Stack()))
	}
	return err
}

// atLine names the innermost line of the script in a stack; frames of
// built-in functions have none.
func atLine(stack []goja.StackFrame) string {
	for _, f := range stack {
		if line := f.Position().Line; line > 0 {
			return fmt.Sprintf(" at line %d", line)
		}
	}
	return ""
}

func describe(obj *goja.Object) string {
	if _, ok := goja.AssertFunction(obj); ok {
		return "a function"
	}
	if obj.ClassName() == "Array" {
		return "an array"
	}
	return "an object"
}

// toJS builds native JavaScript values rather than letting goja wrap Go maps:
// native objects keep the person's key order (Object.keys, for…in) and behave
// exactly like the objects HelloID's engine gives scripts. Property names keep
// their case, as in HelloID's JavaScript.
func toJS(vm *goja.Runtime, v any) goja.Value {
	switch t := v.(type) {
	case nil:
		return goja.Null()
	case *object.Object:
		o := vm.NewObject()
		t.Each(func(k string, e any) {
			// DefineDataProperty, unlike Set, takes "__proto__" as a plain key.
			_ = o.DefineDataProperty(k, toJS(vm, e), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		})
		return o
	case []any:
		items := make([]any, len(t))
		for i, e := range t {
			items[i] = toJS(vm, e)
		}
		return vm.NewArray(items...)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return vm.ToValue(i)
		}
		f, _ := t.Float64()
		return vm.ToValue(f)
	}
	return vm.ToValue(v)
}

// fromJS turns a script's value into package object's values. Numbers are
// written as JavaScript's String() would (0.1+0.2 is "0.30000000000000004");
// NaN and Infinity, which JSON has no number for, become that text. depth
// stops circular structures.
func fromJS(v goja.Value, depth int) (any, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	if _, ok := v.(*goja.Symbol); ok {
		return nil, errors.New("got a symbol, which has no text form")
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		switch p := v.Export().(type) {
		case string, bool:
			return p, nil
		case int64:
			return json.Number(strconv.FormatInt(p, 10)), nil
		case float64:
			if math.IsNaN(p) || math.IsInf(p, 0) {
				return v.String(), nil
			}
			return json.Number(v.String()), nil
		case *big.Int:
			return json.Number(p.String()), nil
		}
		return v.String(), nil
	}
	if depth <= 0 {
		return nil, fmt.Errorf("the result nests deeper than %d levels (circular?)", object.MaxDepth)
	}
	switch describe(obj) {
	case "a function":
		return nil, errors.New("got a function; did the script forget to call it?")
	case "an array":
		n := obj.Get("length").ToInteger()
		if n > maxArrayLength {
			return nil, fmt.Errorf("got an array of %d elements; at most %d can be sent", n, maxArrayLength)
		}
		out := make([]any, 0, n)
		for i := int64(0); i < n; i++ {
			e, err := fromJS(obj.Get(strconv.FormatInt(i, 10)), depth-1)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	out := object.New()
	for _, k := range obj.Keys() {
		e, err := fromJS(obj.Get(k), depth-1)
		if err != nil {
			return nil, err
		}
		out.Set(k, e)
	}
	return out, nil
}

// deleteDiacriticalMarks is HelloID's helper for building account names:
// "Zoë" → "Zoe", "Ĳsbrand" → "IJsbrand". NFKD splits letters from their marks
// (and ligatures such as Ĳ into their letters); the table covers letters that
// carry their stroke or ligature in the letter itself.
func deleteDiacriticalMarks(text string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(text) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if s, ok := undecomposed[r]; ok {
			b.WriteString(s)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var undecomposed = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE",
	'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D",
	'ð': "d", 'Ð': "D", 'þ': "th", 'Þ': "Th", 'ı': "i", 'ħ': "h", 'Ħ': "H",
}
