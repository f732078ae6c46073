// Package contextbuild builds the context HelloID would hand an action from
// HelloID's own files: the configuration form (or a flat configuration), the
// field mapping and a person. Admins use it to run one action by hand, and
// tests to drive the real actions, without a HelloID tenant and without
// writing a context by hand. What it builds goes through exactly the same code
// as a context read from standard input.
package contextbuild

import (
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Correlation defaults, as this connector's README tells admins to set them
// in HelloID.
const (
	DefaultPersonField      = "Person.ExternalId"
	DefaultCorrelationField = "number"
)

// Options describe one action's context.
type Options struct {
	// Configuration becomes actionContext.Configuration (see LoadConfiguration).
	Configuration *object.Object
	// MapFor is the fieldMapping action Data is evaluated for: Create, Update,
	// Enable, Disable or Delete (any casing). With "" or no FieldMapping the
	// context has no Data, as for grant and revoke.
	MapFor       string
	FieldMapping *fieldmapping.Mapping
	// PersonContext is {Person, Manager} (see LoadPerson); nil for none.
	PersonContext *object.Object
	// AccountReference becomes References.Account; "" sends null, as HelloID
	// does before an account exists.
	AccountReference string
	DryRun           bool
	// Correlate turns correlation on; CorrelationField is the IPassan field
	// compared with the person's ExternalId ("" means DefaultCorrelationField).
	Correlate        bool
	CorrelationField string
	// Permission becomes References.Permission as the permissions action
	// identifies it, {Reference: <profile GUID>}; "" leaves it out.
	Permission string
	// Operation and CurrentPermissions are a dynamic permission's (the
	// profile GUIDs HelloID granted so far); "" and nil leave them out.
	Operation          string
	CurrentPermissions []string
	// ImportFields are the account fields an import returns; nil leaves
	// them out.
	ImportFields []string
	// UniqueFieldNames are the Data fields a uniqueness check checks; nil
	// leaves them out, unless Uniqueness takes them from FieldMapping.
	UniqueFieldNames []string
	// Uniqueness says the action is HelloID's uniqueness check: without
	// UniqueFieldNames, the context gets FieldMapping's UniqueFieldNames,
	// as HelloID sends them; when the field mapping lists none either, they
	// are left out and the connector checks its default field (mail).
	Uniqueness bool
}

// Build returns the context for opts. Callers may add what their action needs
// besides (References.Permission for grant and revoke, say) to the result's
// Action before running it.
func Build(opts Options) (*helloid.Context, error) {
	if opts.Configuration == nil {
		return nil, fmt.Errorf("no configuration to build the context from")
	}
	ac := object.New()
	ac.Set("Configuration", opts.Configuration.Clone())

	if opts.MapFor != "" && opts.FieldMapping != nil {
		data, err := opts.FieldMapping.Map(opts.MapFor, opts.PersonContext, fieldmapping.Options{})
		if err != nil {
			return nil, fmt.Errorf("mapping the person for %s: %w", opts.MapFor, err)
		}
		ac.Set("Data", data)
	}

	refs := object.New()
	refs.Set("Account", textOrNull(strings.TrimSpace(opts.AccountReference)))
	refs.Set("ManagerAccount", nil)
	if p := strings.TrimSpace(opts.Permission); p != "" {
		perm := object.New()
		perm.Set("Reference", p)
		refs.Set("Permission", perm)
	}
	ac.Set("References", refs)
	if opts.Operation != "" {
		ac.Set("Operation", opts.Operation)
	}
	if opts.CurrentPermissions != nil {
		ac.Set("CurrentPermissions", currentPermissions(opts.CurrentPermissions))
	}
	if opts.ImportFields != nil {
		ac.Set("ImportFields", texts(opts.ImportFields))
	}
	if unique := uniqueFieldNames(opts); unique != nil {
		ac.Set("UniqueFieldNames", texts(unique))
	}
	ac.Set("DryRun", opts.DryRun)

	corr, err := correlation(opts)
	if err != nil {
		return nil, err
	}
	ac.Set("CorrelationConfiguration", corr)
	return &helloid.Context{Action: ac, Person: opts.PersonContext}, nil
}

// uniqueFieldNames are the fields a uniqueness check gets: those given, else
// the field mapping's; nil for none.
func uniqueFieldNames(opts Options) []string {
	if opts.UniqueFieldNames != nil || !opts.Uniqueness || opts.FieldMapping == nil {
		return opts.UniqueFieldNames
	}
	if fromFile := opts.FieldMapping.UniqueFieldNames(); len(fromFile) > 0 {
		return fromFile
	}
	return nil
}

// correlation is CorrelationConfiguration as HelloID sends it: the person's
// ExternalId compared with an IPassan field.
func correlation(opts Options) (*object.Object, error) {
	field := strings.TrimSpace(opts.CorrelationField)
	if field == "" {
		field = DefaultCorrelationField
	}
	value := ""
	if v, ok := opts.PersonContext.Path(DefaultPersonField); ok {
		text, isText := object.Text(v)
		if !isText && opts.Correlate {
			return nil, fmt.Errorf("%s must be text to correlate on, got %s", DefaultPersonField, object.Kind(v))
		}
		value = strings.TrimSpace(text)
	}
	c := object.New()
	c.Set("Enabled", opts.Correlate)
	c.Set("PersonField", DefaultPersonField)
	c.Set("PersonFieldValue", value)
	c.Set("AccountField", field)
	c.Set("AccountFieldValue", value)
	return c, nil
}

// currentPermissions is CurrentPermissions as HelloID sends it:
// [{DisplayName, Reference: {Id}}].
func currentPermissions(ids []string) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		ref := object.New()
		ref.Set("Id", strings.TrimSpace(id))
		p := object.New()
		p.Set("DisplayName", strings.TrimSpace(id))
		p.Set("Reference", ref)
		out = append(out, p)
	}
	return out
}

func texts(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

func textOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
