// Package helloid is HelloID's side of the contract: it decodes the context an
// action receives and builds the outputContext it answers with.
package helloid

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// MaxContextBytes bounds what is read from standard input. A real context is a
// few kilobytes; a person with every contract rarely passes 100 KB. The
// contract refuses anything above 16 MB, counted as the contract writes it
// (16,000,000 bytes), so a context over 16 MB by any count is refused.
const MaxContextBytes = 16_000_000

// Context is what HelloID hands one action.
type Context struct {
	Action *object.Object // actionContext
	Person *object.Object // personContext; nil when HelloID sent none
}

// Read reads and decodes a context from r.
func Read(r io.Reader) (*Context, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxContextBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the context: %w", err)
	}
	if len(raw) > MaxContextBytes {
		return nil, fmt.Errorf("the context is larger than %d MB (%d bytes)", MaxContextBytes/1_000_000, MaxContextBytes)
	}
	return Decode(raw)
}

// Decode decodes {actionContext, personContext} from raw bytes in any of the
// encodings Windows PowerShell writes.
func Decode(raw []byte) (*Context, error) {
	text, err := textenc.ToUTF8(raw)
	if err != nil {
		return nil, fmt.Errorf("the context cannot be read: %w", err)
	}
	if len(bytes.TrimSpace(text)) == 0 { // bytes: a 16 MB context is not copied to look at it
		return nil, errors.New("the context is empty: expected {\"actionContext\": {…}, \"personContext\": {…}} as JSON")
	}
	root, err := object.DecodeObject(text)
	if err != nil {
		return nil, fmt.Errorf("the context is not valid JSON: %w", err)
	}
	c := &Context{}
	if c.Action, err = optionalObject(root, "actionContext"); err != nil {
		return nil, err
	}
	if c.Action == nil {
		return nil, errors.New("the context has no actionContext")
	}
	if c.Person, err = optionalObject(root, "personContext"); err != nil {
		return nil, err
	}
	return c, nil
}

func optionalObject(o *object.Object, key string) (*object.Object, error) {
	v, ok := o.Get(key)
	if !ok || v == nil {
		return nil, nil
	}
	obj, ok := v.(*object.Object)
	if !ok {
		return nil, fmt.Errorf("%s must be an object, got %s", key, object.Kind(v))
	}
	return obj, nil
}

// Configuration returns actionContext.Configuration.
func (c *Context) Configuration() (*object.Object, error) {
	cfg, err := optionalObject(c.Action, "Configuration")
	if err != nil {
		return nil, fmt.Errorf("actionContext.%w", err)
	}
	if cfg == nil {
		return nil, errors.New("actionContext.Configuration is missing")
	}
	return cfg, nil
}

// Data returns actionContext.Data, the mapped account fields. It is nil when
// HelloID sent none.
func (c *Context) Data() (*object.Object, error) {
	d, err := optionalObject(c.Action, "Data")
	if err != nil {
		return nil, fmt.Errorf("actionContext.%w", err)
	}
	return d, nil
}

// DryRun reports actionContext.DryRun. Anything but a recognisable boolean is an
// error: guessing wrong here would write during a preview.
func (c *Context) DryRun() (bool, error) {
	v, ok := c.Action.Get("DryRun")
	if !ok || v == nil {
		return false, nil
	}
	b, ok := object.Bool(v)
	if !ok {
		return false, fmt.Errorf("actionContext.DryRun must be true or false, got %s", quote(v))
	}
	return b, nil
}

// AccountReference returns actionContext.References.Account as text; "" when
// HelloID sent none.
func (c *Context) AccountReference() (string, error) {
	refs, err := optionalObject(c.Action, "References")
	if err != nil {
		return "", fmt.Errorf("actionContext.%w", err)
	}
	v, _ := refs.Get("Account")
	s, ok := object.Text(v)
	if !ok {
		return "", fmt.Errorf("actionContext.References.Account must be the IPassan uuid as text, got %s", object.Kind(v))
	}
	return strings.TrimSpace(s), nil
}

// Correlation is actionContext.CorrelationConfiguration.
type Correlation struct {
	Enabled          bool
	PersonField      string
	PersonFieldValue string
	AccountField     string
}

// Correlation returns actionContext.CorrelationConfiguration; the zero value
// (disabled) when HelloID sent none.
func (c *Context) Correlation() (Correlation, error) {
	cc, err := optionalObject(c.Action, "CorrelationConfiguration")
	if err != nil || cc == nil {
		if err != nil {
			err = fmt.Errorf("actionContext.%w", err)
		}
		return Correlation{}, err
	}
	var out Correlation
	if v, ok := cc.Get("Enabled"); ok && v != nil {
		if out.Enabled, ok = object.Bool(v); !ok {
			return Correlation{}, fmt.Errorf("CorrelationConfiguration.Enabled must be true or false, got %s", quote(v))
		}
	}
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"PersonField", &out.PersonField},
		{"PersonFieldValue", &out.PersonFieldValue},
		{"AccountField", &out.AccountField},
	} {
		v, _ := cc.Get(f.key)
		s, ok := object.Text(v)
		if !ok {
			return Correlation{}, fmt.Errorf("CorrelationConfiguration.%s must be text, got %s", f.key, object.Kind(v))
		}
		*f.dst = strings.TrimSpace(s)
	}
	return out, nil
}

// quote repeats a value HelloID sent in a message: escaped and cut short, so
// a 5 MB value never becomes a 5 MB audit line.
func quote(v any) string {
	if s, ok := object.Text(v); ok {
		return textenc.Quote(s)
	}
	return object.Kind(v)
}

// OriginReconciliation is actionContext.Origin when governance reconciliation
// started the action: there is no person data then, and Data may be missing.
const OriginReconciliation = "reconciliation"

// Reconciliation reports whether reconciliation started the action.
func (c *Context) Reconciliation() bool {
	v, _ := c.Action.Get("Origin")
	s, _ := object.Text(v)
	return strings.EqualFold(strings.TrimSpace(s), OriginReconciliation)
}
