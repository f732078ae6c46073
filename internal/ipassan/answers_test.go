package ipassan_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// oddServer answers every API call but the token with status and body: the
// shapes a real IPassan (a PHP back end) may use that the fake does not.
func oddServer(t *testing.T, status int, body string) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			_, _ = w.Write([]byte(`{"access_token":"tok-123456"}`))
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func TestOddAnswersForOnePerson(t *testing.T) {
	tests := []struct {
		name, body string
		kind       error
	}{
		{"an error with 200 is not 'not found'", `{"error":{"message":"Access Denied"}}`, ipassan.ErrAccessDenied},
		{"an OAuth error with 200", `{"error":"invalid_token","error_description":"expired"}`, ipassan.ErrProtocol},
		{"empty body", ``, ipassan.ErrNotFound},
		{"null", `null`, ipassan.ErrNotFound},
		{"a PHP empty map", `[]`, ipassan.ErrNotFound},
		{"an empty object", `{}`, ipassan.ErrNotFound},
		{"data null", `{"data":null}`, ipassan.ErrNotFound},
		{"no uuid", `{"firstname":"x"}`, ipassan.ErrNotFound},
		{"a list of persons", `[{"uuid":"x"}]`, ipassan.ErrProtocol},
	}
	h := newHarness(t, fake.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, tt.body)})
			_, err := c.GetPerson(context.Background(), "p-1")
			assert.ErrorIs(t, err, tt.kind)
		})
	}
}

func TestOddAnswersForAPage(t *testing.T) {
	h := newHarness(t, fake.Options{})
	for body, kind := range map[string]error{
		`{"error":{"message":"Access Denied"}}`: ipassan.ErrAccessDenied,
		`{"next_cursor":null}`:                  ipassan.ErrProtocol,
		`{"data":[],"data":[]}`:                 ipassan.ErrProtocol,
		`[]`:                                    ipassan.ErrProtocol,
	} {
		c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, body)})
		_, err := c.Scan(context.Background(), ipassan.ScanOptions{}, func(ipassan.Person) error { return nil })
		assert.ErrorIs(t, err, kind, body)
	}
	c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 200, `{"data":null,"next_cursor":null}`)})
	stats, err := c.Scan(context.Background(), ipassan.ScanOptions{}, func(ipassan.Person) error { return nil })
	require.NoError(t, err, "data null is an empty page")
	assert.Zero(t, stats.Persons)
}

// A secret echoed near where a message is cut must not survive in part.
func TestEchoedSecretIsMaskedBeforeTheMessageIsCut(t *testing.T) {
	const secretValue = "SuperSecretValue1234"
	body := `{"error":{"message":"` + strings.Repeat("x", 290) + ` secret ` + secretValue + `"}}`
	h := newHarness(t, fake.Options{})
	c := h.newClient(t, ipassan.Options{BaseURL: oddServer(t, 400, body), ClientSecret: secret.New(secretValue)})
	_, err := c.GetPerson(context.Background(), "p-1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Super")
	assert.NotContains(t, err.Error(), "Secr")
}
