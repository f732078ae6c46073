package connector

import (
	"context"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
)

// Create creates the IPassan person for a HelloID person, or takes over the
// one existing person that correlates with it.
func (c *Connector) Create(ctx context.Context, in *helloid.Context) *helloid.Output {
	data, err := in.Data()
	if err == nil && data == nil {
		err = fmt.Errorf("actionContext.Data is missing: there is nothing to create the account from")
	}
	if err != nil {
		return helloid.Failure(helloid.CreateAccount, err.Error())
	}
	fields, err := c.accountFields(data)
	if err != nil {
		return helloid.Failure(helloid.CreateAccount, err.Error())
	}
	corr, err := in.Correlation()
	if err != nil {
		return helloid.Failure(helloid.CorrelateAccount, err.Error())
	}
	out := &helloid.Output{AccountCorrelated: new(bool)}

	if corr.Enabled {
		existing, done := c.correlate(ctx, corr, out)
		if done {
			return out
		}
		if existing != nil {
			ref := existing.UUID
			out.Success = true
			out.AccountReference = &ref
			*out.AccountCorrelated = true
			out.Data = accountData(*existing, fields, nil)
			out.Log(helloid.CorrelateAccount, fmt.Sprintf("Correlated to IPassan person %s on %s = %q; nothing was changed",
				describePerson(*existing), corr.AccountField, corr.PersonFieldValue), false)
			return out
		}
	}

	var form ipassan.Form
	sent := map[string]string{}
	for _, f := range fields {
		if f.Value == "" {
			continue // nothing to set on a new person
		}
		form.Set(f.Name, f.Value)
		sent[f.Name] = f.Value
	}
	name := strings.TrimSpace(sent[ipassan.FieldFirstname] + " " + sent[ipassan.FieldLastname])
	if c.DryRun {
		out.Success = true
		out.Data = mappedData(fields)
		out.Log(helloid.CreateAccount, fmt.Sprintf("%screate IPassan person %q with %s", dryRunNote, name, fieldNames(fields)), false)
		return out
	}
	p, err := c.Client.CreatePerson(ctx, form)
	if err != nil {
		return failWith(out, helloid.CreateAccount, fmt.Sprintf("Could not create IPassan person %q: %s", name, explain(err)))
	}
	ref := p.UUID
	out.Success = true
	out.AccountReference = &ref
	out.Data = accountData(p, fields, sent)
	out.Log(helloid.CreateAccount, fmt.Sprintf("Created IPassan person %s", describePerson(p)), false)
	return out
}

// maxListed bounds how many uuids a message lists.
const maxListed = 5

// correlate looks for the persons whose AccountField equals the correlation
// value. It returns the one person to take over, or nil to create; done
// means the outcome is already written (a failure).
func (c *Connector) correlate(ctx context.Context, corr helloid.Correlation, out *helloid.Output) (*ipassan.Person, bool) {
	fail := func(msg string) (*ipassan.Person, bool) {
		failWith(out, helloid.CorrelateAccount, msg)
		return nil, true
	}
	switch {
	case corr.AccountField == "":
		return fail("CorrelationConfiguration.AccountField is empty: correlation is enabled but names no IPassan field; nothing was sent")
	case corr.PersonFieldValue == "":
		return fail(fmt.Sprintf("The correlation value (%s) is empty: cannot look for an existing IPassan person on %s; nothing was sent",
			orDefault(corr.PersonField, "CorrelationConfiguration.PersonFieldValue"), corr.AccountField))
	}
	found, err := c.findPersons(ctx, corr.AccountField, corr.PersonFieldValue)
	if err != nil {
		return fail(fmt.Sprintf("Could not look for an IPassan person with %s = %q: %s", corr.AccountField, corr.PersonFieldValue, explain(err)))
	}
	switch len(found) {
	case 0:
		return nil, false
	case 1:
		return &found[0], false
	}
	ids := make([]string, 0, maxListed)
	for _, p := range found[:min(len(found), maxListed)] {
		ids = append(ids, p.UUID)
	}
	more := ""
	if len(found) > maxListed {
		more = ", …"
	}
	return fail(fmt.Sprintf("Found %d IPassan persons with %s = %q (%s%s): cannot tell which one to take over; nothing was sent",
		len(found), corr.AccountField, corr.PersonFieldValue, strings.Join(ids, ", "), more))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// failWith marks an output failed with one error line and returns it.
func failWith(out *helloid.Output, action, msg string) *helloid.Output {
	out.Fail(action, msg)
	return out
}
