package ipassan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
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

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// decodePerson reads a person given bare or wrapped as {"data": {…}}.
func decodePerson(body []byte) (Person, error) {
	var p Person
	if err := p.UnmarshalJSON(body); err != nil {
		return Person{}, err
	}
	if p.UUID == "" && len(p.Extra) == 1 {
		if raw, ok := p.raw("data"); ok && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
			var inner Person
			if err := inner.UnmarshalJSON(raw); err != nil {
				return Person{}, fmt.Errorf("data: %w", err)
			}
			return inner, nil
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
// the start), handing each person to fn as soon as it is read; fn returns
// false to stop early. A row that is not a person with a uuid fails the page,
// after the rows before it reached fn: use Scan for a whole, checked read.
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

// all iterates over every row of a paged list, with Scan's guarantees: it
// goes on past empty pages until next_cursor is null, every row has a uuid,
// a uuid comes once, and a list that shifts while it is read is read again
// (one page at a time: these lists are short).
func all[T Base | Site](ctx context.Context, c *Client, path string, limit int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		stopped := errors.New("stopped")
		s := &scanner[T]{c: c, path: path, opts: ScanOptions{PageSize: limit},
			id: func(item T) string { return any(item).(listRow).rowID() },
			fn: func(item T) error {
				if !yield(item, nil) {
					return stopped
				}
				return nil
			}}
		if err := s.read(ctx, false); err != nil && !errors.Is(err, stopped) {
			var zero T
			yield(zero, err)
		}
	}
}

// listRow is what the admin lists hold: bases and sites each have a uuid.
type listRow interface{ rowID() string }

func (b Base) rowID() string { return b.UUID }
func (s Site) rowID() string { return s.UUID }

// listPage fetches one page and streams its rows to fn.
func listPage[T any](ctx context.Context, c *Client, path, cursor string, limit int, fn func(T) bool) (PageInfo, error) {
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
	if cursor == "" {
		cursor = "0"
	}
	q.Set("offset", cursor)
	// The page arrives whole (bounded by maxBody) and is read in one pass.
	ans, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q})
	if err != nil {
		return PageInfo{}, err
	}
	body := ans.body
	if e := c.errorIn(http.MethodGet, path, ans.status, body); e != nil {
		return PageInfo{}, e
	}
	info, err := decodePage(body, fn)
	if err != nil {
		return info, &Error{Kind: ErrProtocol, Method: http.MethodGet, Path: APIPrefix + path, Status: ans.status,
			Message: fmt.Sprintf("the page at offset %s cannot be read: %s", q.Get("offset"), clip(c.opts.Redactor.Redact(err.Error())))}
	}
	return info, nil
}

// errStopped ends a page early when its consumer has seen enough.
var errStopped = errors.New("stopped")

// decodePage reads {"data": [...], "next_cursor": …} in one pass with the
// project's one JSON reader, handing each row to fn as soon as it is read;
// nothing of the page is kept but what fn keeps. Every row must be an object
// with a uuid: a null, a number or a person without uuid fails the page,
// naming the row, rather than being skipped (a skipped person is a person a
// correlation does not find, and creates again). A page without "data" is
// an error too, not an empty site. When the page turns out broken after some
// rows, the caller has them already: Scan uses a page only once it is whole.
// It takes about a third of the time encoding/json takes to read the same
// page into plain structs (BenchmarkDecodePage against
// BenchmarkDecodePageEncodingJSON, CPU time, 2-CPU build machine).
func decodePage[T any](body []byte, fn func(T) bool) (PageInfo, error) {
	var info PageInfo
	r := object.NewReader(body)
	if t := r.Type(); t != object.TypeObject && t != object.TypeNone {
		return info, fmt.Errorf("the answer is %s, not a JSON object", t)
	}
	hasData, hasCursor := false, false
	err := r.Object(func(key []byte) error {
		switch {
		case bytes.EqualFold(key, []byte("data")):
			if hasData {
				return errors.New("the answer holds data twice")
			}
			hasData = true
			return readRows(r, &info, fn)
		case bytes.EqualFold(key, []byte("next_cursor")):
			if hasCursor {
				return errors.New("the answer holds next_cursor twice")
			}
			hasCursor = true
			var err error
			info.Next, err = readCursor(r)
			return err
		}
		return nil
	})
	switch {
	case errors.Is(err, errStopped):
		return info, nil
	case err == nil:
		err = r.End()
	}
	if err == nil && !hasData {
		err = errors.New("the answer holds no data list")
	}
	return info, err
}

// readCursor reads next_cursor: a number, text, or null at the end.
func readCursor(r *object.Reader) (string, error) {
	switch t := r.Type(); t {
	case object.TypeNull, object.TypeString, object.TypeNumber:
		s, _, err := r.Text()
		return strings.TrimSpace(s), err
	default:
		return "", r.Errorf("next_cursor is %s", t)
	}
}

func readRows[T any](r *object.Reader, info *PageInfo, fn func(T) bool) error {
	switch t := r.Type(); t {
	case object.TypeNull:
		return r.Skip() // "data": null, an empty page
	case object.TypeArray:
	default:
		return fmt.Errorf("data is %s, not a list", t)
	}
	read := rowReader[T]()
	return r.Array(func(i int) error {
		if t := r.Type(); t != object.TypeObject {
			return fmt.Errorf("row %d is %s, not an object", i+1, t)
		}
		item, id, err := read(r)
		if err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
		if strings.TrimSpace(id) == "" {
			return fmt.Errorf("row %d has no uuid", i+1)
		}
		info.Rows++
		if !fn(item) {
			return errStopped
		}
		return nil
	})
}

// rowReader reads one row of a list and its uuid: a person with its own
// decoder, anything else (bases, sites: a handful of rows) from its validated
// bytes with encoding/json.
func rowReader[T any]() func(*object.Reader) (T, string, error) {
	var zero T
	switch any(zero).(type) {
	case Person:
		return any(func(r *object.Reader) (Person, string, error) {
			var p Person
			err := p.read(r)
			return p, p.UUID, err
		}).(func(*object.Reader) (T, string, error))
	case Base:
		return any(readJSONRow(func(b Base) string { return b.UUID })).(func(*object.Reader) (T, string, error))
	case Site:
		return any(readJSONRow(func(s Site) string { return s.UUID })).(func(*object.Reader) (T, string, error))
	}
	panic(fmt.Sprintf("ipassan: no reader for rows of %T", zero)) // a programming error, found by any test of the list
}

func readJSONRow[T any](id func(T) string) func(*object.Reader) (T, string, error) {
	return func(r *object.Reader) (T, string, error) {
		var item T
		raw, err := r.Raw()
		if err == nil {
			err = json.Unmarshal(raw, &item)
		}
		return item, id(item), err
	}
}
