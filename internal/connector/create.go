package connector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/machinelock"
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
		if msg := correlationProblem(corr, fields); msg != "" {
			return helloid.Failure(helloid.CorrelateAccount, msg)
		}
		if !c.DryRun {
			// From the search to the end of the POST, no other create of this
			// person on this machine may search: it would find nobody too.
			lock, err := c.lockCorrelation(ctx, corr)
			if err != nil {
				return helloid.Failure(helloid.CorrelateAccount, fmt.Sprintf("Could not look for an IPassan person with %s = %s: %s; nothing was sent",
					corr.AccountField, quote(corr.PersonFieldValue), err))
			}
			defer lock.Release()
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
		// HelloID's template shows a placeholder where a new account's
		// reference will be: there is none before the create.
		placeholder := PreviewAccountReference
		out.Success = true
		out.AccountReference = &placeholder
		out.Data = mappedData(fields)
		out.Log(helloid.CreateAccount, fmt.Sprintf("%screate IPassan person %s with %s", dryRunNote, quote(name), fieldNames(fields)), false)
		return out
	}
	p, found, err := c.createOnce(ctx, corr, form)
	if err != nil {
		return failWith(out, helloid.CreateAccount, fmt.Sprintf("Could not create IPassan person %s: %s", quote(name), err))
	}
	ref := p.UUID
	c.indexCreated(ctx, p, corr.AccountField)
	out.Success = true
	out.AccountReference = &ref
	out.Data = accountData(p, fields, sent)
	msg := fmt.Sprintf("Created IPassan person %s", describePerson(p))
	if found != "" {
		msg += "; " + found
	}
	out.Log(helloid.CreateAccount, msg, false)
	return out
}

// PreviewAccountReference is the AccountReference of a create in a preview
// that found no existing account, as HelloID's V2 template sets it.
const PreviewAccountReference = "Currently not available"

// createOnce sends the one create POST this action may send. The client sends
// it again only when it provably never reached IPassan (the connection could
// not be opened, or IPassan's own JSON-shaped 429 or 401; a 4xx in any other
// shape proves nothing). After any other failure the person may exist, or
// may still appear when IPassan finishes a write it went on with after the
// client gave up, so nothing is sent again: the site is searched for the
// correlation value, and exactly one match means the create happened (found
// says how it was found). None found fails with advice: HelloID's retry
// correlates with the person if it appears after all.
func (c *Connector) createOnce(ctx context.Context, corr helloid.Correlation, form ipassan.Form) (p ipassan.Person, found string, err error) {
	postCtx, cancel := searchLeft(ctx, corr.Enabled)
	p, err = c.Client.CreatePerson(postCtx, form)
	cancel()
	switch {
	case err == nil:
		return p, "", nil
	case !ipassan.Ambiguous(err):
		return p, "", fmt.Errorf("%s; IPassan refused it, so nothing was created", Explain(err))
	case !corr.Enabled:
		return p, "", fmt.Errorf("%s; the person may have been created, or may still appear, and without correlation there is no value to look it up by: check IPassan (ipassan-connector find) before this create runs again. Nothing more was sent", Explain(err))
	}
	c.Log.Warn().Err(err).Msg("the create's answer is unclear; looking the person up instead of sending it again")
	by := fmt.Sprintf("%s = %s", corr.AccountField, quote(corr.PersonFieldValue))
	persons, ferr := c.findPersons(ctx, corr.AccountField, corr.PersonFieldValue)
	switch {
	case ferr != nil:
		return p, "", fmt.Errorf("%s; looking the person up by %s afterwards failed too (%s). The person may exist or still appear; HelloID's retry will correlate it. Nothing more was sent", Explain(err), by, Explain(ferr))
	case len(persons) == 1:
		return persons[0], fmt.Sprintf("IPassan's answer to the create was unclear (%s), so the person was looked up and found by %s", kindOf(err), by), nil
	case len(persons) > 1:
		return p, "", fmt.Errorf("%s; afterwards %d persons have %s: check IPassan for a duplicate. Nothing more was sent", Explain(err), len(persons), by)
	}
	return p, "", fmt.Errorf("%s; no person with %s is there yet, but IPassan may still finish the create: HelloID's retry will correlate with the person if it appears. Nothing more was sent", Explain(err), by)
}

// searchLeft bounds the create POST to half the time the action has left
// when correlation is on, so that an unclear answer still leaves time to
// search for the person (the POST's own request timeout, 10 s by default,
// is shorter than that under the default 25 s deadline).
func searchLeft(ctx context.Context, correlating bool) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !correlating || !ok {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, time.Until(deadline)/2, errHalfForTheCreate)
}

// errHalfForTheCreate says why a create stopped waiting with time left.
var errHalfForTheCreate = errors.New("the create waited half the action's time, keeping the rest to look the person up")

// lockCorrelation takes the machine-wide lock of this site and correlation
// value (compared as correlation compares: trimmed, without regard to case).
func (c *Connector) lockCorrelation(ctx context.Context, corr helloid.Correlation) (*machinelock.Lock, error) {
	field, _ := ipassan.CanonicalField(corr.AccountField)
	return machinelock.Acquire(ctx, cmp.Or(c.LockDir, machinelock.DefaultDir()),
		strings.ToLower(c.Config.BaseURL.String()), strings.ToLower(c.Config.SiteID),
		strings.ToLower(field), strings.ToLower(strings.TrimSpace(corr.PersonFieldValue)))
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

// correlationProblem refuses, before anything is sent, a correlation that
// cannot work: no AccountField or value, or Data that would not write the
// correlation value to the new person. Such a person could never be found by
// correlation again, so every retry (and every unclear create) would make
// another one.
func correlationProblem(corr helloid.Correlation, fields []accountField) string {
	personField := cmp.Or(corr.PersonField, "CorrelationConfiguration.PersonFieldValue")
	switch {
	case corr.AccountField == "":
		return "CorrelationConfiguration.AccountField is empty: correlation is enabled but names no IPassan field; nothing was sent"
	case corr.PersonFieldValue == "":
		return fmt.Sprintf("The correlation value (%s) is empty: cannot look for an existing IPassan person on %s; nothing was sent",
			personField, corr.AccountField)
	}
	field, known := ipassan.CanonicalField(corr.AccountField)
	for _, f := range fields {
		if f.Name != field {
			continue
		}
		if !strings.EqualFold(strings.TrimSpace(f.Value), strings.TrimSpace(corr.PersonFieldValue)) {
			return fmt.Sprintf("Data.%s %s is not the correlation value %s (%s): the new person could never be found by correlation again, so every retry would create another; map the same value to both. Nothing was sent",
				f.Key, quote(f.Value), quote(corr.PersonFieldValue), personField)
		}
		return ""
	}
	unknown := ""
	if !known {
		unknown = fmt.Sprintf(" (and %s is not an IPassan person field: correlate on number or mail)", quote(corr.AccountField))
	}
	return fmt.Sprintf("Data has no %s, the correlation field (CorrelationConfiguration.AccountField)%s: a new person would not carry the correlation value %s and could never be found by correlation again; map %s in the field mapping. Nothing was sent",
		corr.AccountField, unknown, quote(corr.PersonFieldValue), corr.AccountField)
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

// failWith marks an output failed with one error line and returns it.
func failWith(out *helloid.Output, action, msg string) *helloid.Output {
	out.Fail(action, msg)
	return out
}
