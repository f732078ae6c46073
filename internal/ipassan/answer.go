package ipassan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// What a 2xx answer about one person means is decided here, so that a
// proxy's page, an error dressed as success or another person's record is
// never read as "gone" or as the person asked for: each would keep a
// leaver's access, or change someone else's.

// GetPerson reads one person. It is ErrNotFound only when IPassan says so:
// a 404 in IPassan's shape (errorFromAnswer), or a 2xx holding no person at
// all (see emptyAnswer). An error answered as success, a record without a
// uuid or anything else that is not a person is an ErrProtocol naming what
// came back; a person with another uuid than the one asked for (compared
// without regard to case) is ErrWrongPerson.
func (c *Client) GetPerson(ctx context.Context, uuid string) (Person, error) {
	path, err := c.personPath(uuid)
	if err != nil {
		return Person{}, err
	}
	ans, err := c.do(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return Person{}, err
	}
	if e := c.errorIn(http.MethodGet, path, ans.status, ans.body); e != nil {
		return Person{}, e
	}
	if emptyAnswer(ans.body) {
		return Person{}, &Error{Kind: ErrNotFound, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: "the answer holds no person"}
	}
	p, err := decodePerson(ans.body)
	if err == nil && strings.TrimSpace(p.UUID) == "" {
		err = errors.New("it holds no uuid")
	}
	if err != nil {
		return Person{}, c.protocolError(http.MethodGet, path, ans, err)
	}
	if !sameUUID(strings.TrimSpace(p.UUID), uuid) {
		return Person{}, &Error{Kind: ErrWrongPerson, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: fmt.Sprintf("asked for person %s, the answer is about person %s", uuid, c.opts.Redactor.Redact(clip(p.UUID)))}
	}
	return p, nil
}

// CreatePerson creates a person from form fields and returns it as IPassan
// stored it. A 2xx holding an error, or anything but a person with a uuid,
// is an ErrProtocol (Ambiguous: the person may exist all the same).
func (c *Client) CreatePerson(ctx context.Context, form Form) (Person, error) {
	path := c.personsPath()
	ans, err := c.do(ctx, request{method: http.MethodPost, path: path, form: &form})
	if err != nil {
		return Person{}, err
	}
	if e := c.errorIn(http.MethodPost, path, ans.status, ans.body); e != nil {
		return Person{}, e
	}
	p, err := decodePerson(ans.body)
	if err == nil && strings.TrimSpace(p.UUID) == "" {
		err = errors.New("it holds no uuid")
	}
	if err != nil {
		return Person{}, c.protocolError(http.MethodPost, path, ans, err)
	}
	return p, nil
}

// UpdatePerson changes only the given fields. A 2xx holding an error is a
// failure. When IPassan answers with the person, it is returned with ok
// true; any other answer (none, a message, another uuid) leaves ok false,
// and the caller reads the person back to know what happened.
func (c *Client) UpdatePerson(ctx context.Context, uuid string, form Form) (p Person, ok bool, err error) {
	path, err := c.personPath(uuid)
	if err != nil {
		return Person{}, false, err
	}
	ans, err := c.do(ctx, request{method: http.MethodPut, path: path, form: &form})
	if err != nil {
		return Person{}, false, err
	}
	if e := c.errorIn(http.MethodPut, path, ans.status, ans.body); e != nil {
		return Person{}, false, e
	}
	p, err = decodePerson(ans.body)
	if err != nil || !sameUUID(strings.TrimSpace(p.UUID), uuid) {
		return Person{}, false, nil
	}
	return p, true, nil
}

// DeletePerson deletes a person. A 2xx holding an error is a failure; what
// else the answer says is not used (the caller reads back to confirm).
func (c *Client) DeletePerson(ctx context.Context, uuid string) error {
	path, err := c.personPath(uuid)
	if err != nil {
		return err
	}
	ans, err := c.do(ctx, request{method: http.MethodDelete, path: path})
	if err != nil {
		return err
	}
	if e := c.errorIn(http.MethodDelete, path, ans.status, ans.body); e != nil {
		return e
	}
	return nil
}

// protocolError: a 2xx that is not what was asked for, named by its status
// and first words (masked before they are cut).
func (c *Client) protocolError(method, path string, ans answer, err error) *Error {
	body := []byte(c.opts.Redactor.Redact(string(ans.body)))
	return &Error{Kind: ErrProtocol, Method: method, Path: APIPrefix + path, Status: ans.status,
		Message: fmt.Sprintf("the answer is not a person (%s): %s", c.opts.Redactor.Redact(clip(err.Error())), describe(nil, body))}
}

// emptyAnswer reports a 2xx that holds no person at all, in one of the
// shapes the contract lists: nothing, "", null, an empty list (what a PHP
// back end writes for an empty map), {}, or {"data": null}. These are the
// only 2xx answers read as "no such person"; anything else must be a person
// (so {"data": []}, {"data": {}} or {"Data": null} is an answer not
// understood, never "already gone").
func emptyAnswer(body []byte) bool {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return true
	}
	v, err := object.Decode(b)
	if err != nil {
		return false
	}
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case *object.Object:
		if t.Len() == 1 && t.Spelling("data") == "data" {
			data, _ := t.Get("data")
			return data == nil
		}
		return t.Len() == 0
	}
	return false
}

// errorIn recognises an error answered with a 2xx status, as some PHP back
// ends do: an object holding error, error_description, or success false
// (false, "false", 0). Reading it as an empty page, "no such person" or a
// write done would create a duplicate, keep a leaver's access or report a
// change that never happened.
func (c *Client) errorIn(method, path string, status int, body []byte) *Error {
	o, err := object.DecodeObject(body)
	if err != nil {
		return nil
	}
	failed := o.Has("error") || o.Has("error_description")
	if v, ok := o.Get("success"); ok {
		if success, known := object.Bool(v); known && !success && v != nil && v != "" {
			failed = true
		}
	}
	if !failed {
		return nil
	}
	e := errorFromAnswer(method, APIPrefix+path, http.StatusBadRequest, nil, []byte(c.opts.Redactor.Redact(string(body))))
	e.Status = status
	if e.Kind != ErrAccessDenied {
		e.Kind = ErrProtocol
		e.Message = "an error answered as success: " + e.Message
	}
	e.Message = c.opts.Redactor.Redact(e.Message)
	return e
}
