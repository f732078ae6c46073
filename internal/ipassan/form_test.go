package ipassan

import (
	"errors"
	"net/url"
	"strings"
)

// ParseForm reads a body written by Encode (or any form-encoded body), in
// the order written: what the tests check a server receives. The client
// itself never reads a form.
func ParseForm(body string) (Form, error) {
	var f Form
	if body == "" {
		return f, nil
	}
	for _, pair := range strings.Split(body, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return Form{}, errors.New("bad form key encoding")
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return Form{}, errors.New("bad form value encoding")
		}
		f.fields = append(f.fields, formField{key, value})
	}
	return f, nil
}
