package connector

import (
	"context"
	"errors"
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
		if msg := correlationMismatch(corr, fields); msg != "" {
			return helloid.Failure(helloid.CorrelateAccount, msg)
		}
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
			out.Log(helloid.CorrelateAccount, fmt.Sprintf("Correlated to IPassan person %s on %s = %s; nothing was changed",
				describePerson(*existing), corr.AccountField, quote(corr.PersonFieldValue)), false)
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
		out.Log(helloid.CreateAccount, fmt.Sprintf("%screate IPassan person %s with %s", dryRunNote, quote(name), fieldNames(fields)), false)
		return out
	}
	p, confirmed, err := c.createOnce(ctx, corr, form)
	if err != nil {
		return failWith(out, helloid.CreateAccount, fmt.Sprintf("Could not create IPassan person %s: %s", quote(name), err))
	}
	ref := p.UUID
	out.Success = true
	out.AccountReference = &ref
	out.Data = accountData(p, fields, sent)
	msg := fmt.Sprintf("Created IPassan person %s", describePerson(p))
	if confirmed != "" {
		msg += "; " + confirmed
	}
	out.Log(helloid.CreateAccount, msg, false)
	return out
}

// createOnce sends the POST so that the person exists once, whatever happens
// to the answer. A create is never repeated blindly: after an ambiguous
// failure (timeout, dropped connection, 5xx, unreadable answer) the site is
// searched again for the correlation value, and only when nothing is found is
// the POST sent once more. confirmed explains a person found that way.
func (c *Connector) createOnce(ctx context.Context, corr helloid.Correlation, form ipassan.Form) (p ipassan.Person, confirmed string, err error) {
	p, err = c.Client.CreatePerson(ctx, form)
	for attempt := 1; err != nil && ipassan.Ambiguous(err); attempt++ {
		if !corr.Enabled {
			return p, "", fmt.Errorf("%s; the person may have been created, and without correlation there is no value to look it up by: check IPassan before this create runs again", Explain(err))
		}
		c.Log.Warn().Err(err).Msg("create answer lost; looking the person up before anything else is sent")
		found, ferr := c.findPersons(ctx, corr.AccountField, corr.PersonFieldValue)
		switch {
		case ferr != nil:
			return p, "", fmt.Errorf("%s; looking the person up afterwards failed too: %s", Explain(err), Explain(ferr))
		case len(found) == 1:
			return found[0], fmt.Sprintf("IPassan's answer was lost (%s); found the person by %s = %s", kindOf(err), corr.AccountField, quote(corr.PersonFieldValue)), nil
		case len(found) > 1:
			return p, "", fmt.Errorf("%s; afterwards %d persons have %s = %s: check IPassan for a duplicate", Explain(err), len(found), corr.AccountField, quote(corr.PersonFieldValue))
		case attempt == 2:
			return p, "", fmt.Errorf("%s, twice; no person with %s = %s exists, so nothing was created", Explain(err), corr.AccountField, quote(corr.PersonFieldValue))
		}
		p, err = c.Client.CreatePerson(ctx, form)
	}
	if err != nil {
		return p, "", errors.New(Explain(err))
	}
	return p, "", nil
}

// kindOf names an IPassan failure briefly: "temporarily unavailable".
func kindOf(err error) string {
	var e *ipassan.Error
	if errors.As(err, &e) {
		if e.Status > 0 {
			return fmt.Sprintf("%s, HTTP %d", e.Kind, e.Status)
		}
		return e.Kind.Error()
	}
	return err.Error()
}

// correlationMismatch refuses a create whose Data writes the correlation
// field with another value than the one correlation looks for: the person
// would never be found again, and every retry would create another one.
func correlationMismatch(corr helloid.Correlation, fields []accountField) string {
	if corr.PersonFieldValue == "" {
		return "" // reported by correlate, which sends nothing either
	}
	field, _ := ipassan.CanonicalField(corr.AccountField)
	for _, f := range fields {
		if f.Name == field && !strings.EqualFold(strings.TrimSpace(f.Value), strings.TrimSpace(corr.PersonFieldValue)) {
			return fmt.Sprintf("Data.%s %s is not the correlation value %s (%s): the new person could never be found by correlation again, so every retry would create another; map the same value to both. Nothing was sent",
				f.Key, quote(f.Value), quote(corr.PersonFieldValue), orDefault(corr.PersonField, "CorrelationConfiguration.PersonFieldValue"))
		}
	}
	return ""
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
		return fail(fmt.Sprintf("Could not look for an IPassan person with %s = %s: %s", corr.AccountField, quote(corr.PersonFieldValue), Explain(err)))
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
	return fail(fmt.Sprintf("Found %d IPassan persons with %s = %s (%s%s): cannot tell which one to take over; nothing was sent",
		len(found), corr.AccountField, quote(corr.PersonFieldValue), strings.Join(ids, ", "), more))
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
