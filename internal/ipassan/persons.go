package ipassan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// ErrBadReference: an account reference that cannot be an IPassan uuid.
var ErrBadReference = errors.New("not a valid IPassan uuid")

func (c *Client) personsPath() string {
	return "/access/site/" + url.PathEscape(c.opts.SiteID) + "/person"
}

func (c *Client) personPath(uuid string) (string, error) {
	if !SafeID(uuid) {
		return "", fmt.Errorf("account reference %s is %w", textenc.Quote(uuid), ErrBadReference)
	}
	return c.personsPath() + "/" + url.PathEscape(uuid), nil
}

// GetPerson reads one person. An unknown uuid is ErrNotFound, whether IPassan
// answers 404 or an answer without a uuid (both are seen).
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
		return Person{}, e // an error answered with 200 is not "not found"
	}
	if noPerson(ans.body) {
		return Person{}, &Error{Kind: ErrNotFound, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: "the answer holds no person"}
	}
	p, err := decodePerson(ans.body)
	if err != nil {
		return Person{}, c.protocolError(http.MethodGet, path, ans, err)
	}
	if p.UUID == "" {
		return Person{}, &Error{Kind: ErrNotFound, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: "the answer holds no person"}
	}
	return p, nil
}

// CreatePerson creates a person from form fields and returns it as IPassan
// stored it.
func (c *Client) CreatePerson(ctx context.Context, form Form) (Person, error) {
	path := c.personsPath()
	ans, err := c.do(ctx, request{method: http.MethodPost, path: path, form: &form})
	if err != nil {
		return Person{}, err
	}
	p, err := decodePerson(ans.body)
	if err == nil && p.UUID == "" {
		err = errors.New("it holds no uuid")
	}
	if err != nil {
		return Person{}, c.protocolError(http.MethodPost, path, ans, err)
	}
	return p, nil
}

// UpdatePerson changes only the given fields. When IPassan answers with the
// person, it is returned with ok true.
func (c *Client) UpdatePerson(ctx context.Context, uuid string, form Form) (p Person, ok bool, err error) {
	path, err := c.personPath(uuid)
	if err != nil {
		return Person{}, false, err
	}
	ans, err := c.do(ctx, request{method: http.MethodPut, path: path, form: &form})
	if err != nil {
		return Person{}, false, err
	}
	p, err = decodePerson(ans.body)
	return p, err == nil && p.UUID != "", nil
}

// DeletePerson deletes a person. The answer's body is not used.
func (c *Client) DeletePerson(ctx context.Context, uuid string) error {
	path, err := c.personPath(uuid)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: path})
	return err
}

func (c *Client) protocolError(method, path string, ans answer, err error) *Error {
	body := c.opts.Redactor.Redact(string(ans.body)) // before cutting: a cut secret would escape the redactor
	return &Error{Kind: ErrProtocol, Method: method, Path: APIPrefix + path, Status: ans.status,
		Message: fmt.Sprintf("the answer is not a person (%v): %s", err, clip(truncate([]byte(body), 120)))}
}

// noPerson reports an answer that holds no person at all: nothing, null, an
// empty list (what a PHP back end writes for an empty map), {} or {"data": null}.
func noPerson(body []byte) bool {
	b := bytes.TrimSpace(body)
	switch string(b) {
	case "", "null", "[]", "{}":
		return true
	}
	var wrapped map[string]json.RawMessage
	if json.Unmarshal(b, &wrapped) == nil && len(wrapped) == 1 {
		if raw, ok := wrapped["data"]; ok {
			return isNull(raw) || string(bytes.TrimSpace(raw)) == "[]"
		}
	}
	return false
}

// errorIn recognises an error answered with a 2xx status, as some PHP back
// ends do: an object holding error or error_description. Reading it as an
// empty page or "no such person" would create a duplicate, or keep a
// leaver's access.
func (c *Client) errorIn(method, path string, status int, body []byte) *Error {
	var shaped map[string]json.RawMessage
	if json.Unmarshal(body, &shaped) != nil {
		return nil
	}
	_, hasError := shaped["error"]
	_, hasDescription := shaped["error_description"]
	if !hasError && !hasDescription {
		return nil
	}
	e := errorFromAnswer(method, APIPrefix+path, http.StatusBadRequest, nil, []byte(c.opts.Redactor.Redact(string(body))))
	e.Status = status
	if e.Kind != ErrAccessDenied {
		e.Kind = ErrProtocol
		e.Message = "an error answered as success: " + e.Message
	}
	return e
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// decodePerson reads a person given bare or wrapped as {"data": {…}}.
func decodePerson(body []byte) (Person, error) {
	var p Person
	if err := decodeJSON(body, &p); err != nil {
		return Person{}, err
	}
	if p.UUID == "" {
		if raw, ok := p.Extra["data"]; ok && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			var inner Person
			if err := decodeJSON(raw, &inner); err == nil {
				return inner, nil
			}
		}
	}
	return p, nil
}

// decodeJSON decodes UTF-8 JSON whatever charset the answer claimed.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("empty answer")
	}
	return json.Unmarshal(body, v)
}

// PageInfo describes one page of a list.
type PageInfo struct {
	Rows int    // rows in this page
	Next string // next_cursor as text; "" at the end
}

// ListPersons reads one page of the site's persons starting at cursor ("" is
// the start), handing each person to fn as soon as it is decoded, so a page is
// never held in memory. fn returns false to stop early.
func (c *Client) ListPersons(ctx context.Context, cursor string, limit int, fn func(Person) bool) (PageInfo, error) {
	return listPage(ctx, c, c.personsPath(), cursor, limit, fn)
}

// Base is a base of the admin tree.
type Base struct {
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	DisplayName string `json:"displayname"`
}

// Site is a site within a base.
type Site struct {
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// Bases iterates over the bases the client may see.
func (c *Client) Bases(ctx context.Context) iter.Seq2[Base, error] {
	return all[Base](ctx, c, "/admin/base", 50)
}

// Sites iterates over the sites of a base.
func (c *Client) Sites(ctx context.Context, baseUUID string) iter.Seq2[Site, error] {
	if !SafeID(baseUUID) {
		return func(yield func(Site, error) bool) {
			yield(Site{}, fmt.Errorf("base %s is %w", textenc.Quote(baseUUID), ErrBadReference))
		}
	}
	return all[Site](ctx, c, "/admin/base/"+url.PathEscape(baseUUID)+"/site", 50)
}

// all iterates over every row of a paged list.
func all[T any](ctx context.Context, c *Client, path string, limit int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		seen := map[string]bool{}
		cursor := ""
		for {
			stopped := false
			info, err := listPage(ctx, c, path, cursor, limit, func(row T) bool {
				stopped = !yield(row, nil)
				return !stopped
			})
			if stopped {
				return
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if info.Next == "" || info.Rows == 0 {
				return
			}
			if seen[info.Next] || !advances(cursor, info.Next) {
				var zero T
				yield(zero, &Error{Kind: ErrProtocol, Method: http.MethodGet, Path: APIPrefix + path,
					Message: fmt.Sprintf("next_cursor %q does not move forward; stopping rather than reading forever", info.Next)})
				return
			}
			seen[info.Next] = true
			cursor = info.Next
		}
	}
}

// advances reports whether a numeric cursor moves past the current one; opaque
// cursors are trusted (the seen set still stops a loop).
func advances(current, next string) bool {
	n, errN := strconv.Atoi(next)
	if errN != nil {
		return true
	}
	cur, errC := strconv.Atoi(current)
	if current == "" {
		cur, errC = 0, nil
	}
	return errC != nil || n > cur
}

// listPage fetches one page and streams its rows to fn.
func listPage[T any](ctx context.Context, c *Client, path, cursor string, limit int, fn func(T) bool) (PageInfo, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	if cursor == "" {
		cursor = "0"
	}
	q.Set("offset", cursor)
	ans, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q, stream: true})
	if err != nil {
		return PageInfo{}, err
	}
	defer ans.stream.Close()
	// A page is bounded, so it is read whole and validated once.
	body, err := io.ReadAll(io.LimitReader(ans.stream, maxBody+1))
	if err == nil && len(body) > maxBody {
		err = fmt.Errorf("the page is larger than %d MiB", maxBody>>20)
	}
	if err != nil {
		if ctx.Err() != nil {
			return PageInfo{}, c.transportError(ctx, http.MethodGet, APIPrefix+path, err)
		}
		return PageInfo{}, &Error{Kind: ErrProtocol, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: "the page cannot be read: " + clip(err.Error())}
	}
	if e := c.errorIn(http.MethodGet, path, ans.status, body); e != nil {
		return PageInfo{}, e
	}
	info, err := decodePage(body, fn)
	if err != nil {
		return info, &Error{Kind: ErrProtocol, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: "the page cannot be read: " + clip(c.opts.Redactor.Redact(err.Error()))}
	}
	return info, nil
}

// decodePage reads {"data": [...], "next_cursor": …}: validated once, its
// rows decoded one by one and handed to fn; nothing of the page is kept but
// what fn keeps. A page without "data" is an error, not an empty site: taking
// it for one would create a duplicate person.
func decodePage[T any](body []byte, fn func(T) bool) (PageInfo, error) {
	var info PageInfo
	if !json.Valid(body) {
		return info, fmt.Errorf("the answer is not valid JSON: %s", truncate(body, 80))
	}
	var fail error
	stopped, hasData := false, false
	err := eachMember(body, func(key, raw []byte) {
		if fail != nil || stopped {
			return
		}
		switch strings.ToLower(string(key)) {
		case "data":
			if hasData {
				fail = errors.New("the answer holds data twice")
				return
			}
			hasData = true
			stopped, fail = decodeRows(raw, &info, fn)
		case "next_cursor":
			info.Next, fail = cursorText(raw)
		}
	})
	switch {
	case err != nil:
		return info, errors.New("the answer is not a JSON object")
	case fail == nil && !stopped && !hasData:
		return info, errors.New("the answer holds no data list")
	}
	return info, fail
}

// cursorText reads next_cursor: a number, text, or null at the end.
func cursorText(raw []byte) (string, error) {
	switch {
	case isNull(raw):
		return "", nil
	case raw[0] == '"':
		return strings.TrimSpace(jsonString(raw)), nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return string(raw), nil
	}
	return "", fmt.Errorf("next_cursor is %s", raw)
}

func decodeRows[T any](raw []byte, info *PageInfo, fn func(T) bool) (stop bool, err error) {
	if isNull(raw) {
		return false, nil // "data": null, an empty page
	}
	if raw[0] != '[' {
		return false, errors.New("data is not a list")
	}
	err = eachElement(raw, func(item []byte) bool {
		var row T
		// The page was validated as a whole: a type that decodes itself
		// (Person) is spared encoding/json's second pass over it.
		var derr error
		if u, ok := any(&row).(json.Unmarshaler); ok {
			derr = u.UnmarshalJSON(item)
		} else {
			derr = json.Unmarshal(item, &row)
		}
		if derr != nil {
			err = derr
			return false
		}
		info.Rows++
		if !fn(row) {
			stop = true
			return false
		}
		return true
	})
	return stop, err
}
