package ipassan

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestErrorFromAnswer(t *testing.T) {
	tests := []struct {
		status  int
		header  string
		body    string
		kind    error
		message string
	}{
		{404, "", `{"error":{"message":"Person not found"}}`, ErrNotFound, "Person not found"},
		{404, "", ``, ErrNotFound, "Not Found"},
		{410, "", `{"error":"gone"}`, ErrNotFound, "gone"},
		{404, "", `<html><h1>Not Found</h1></html>`, ErrProtocol, `a 404 that is not IPassan's, so nothing is concluded about the person: no content type, "Not Found"`},
		{404, "", `{"message":"no route"}`, ErrProtocol, `a 404 that is not IPassan's, so nothing is concluded about the person: no content type, "{\"message\":\"no route\"}"`},
		{401, "", `{"error":"invalid_client","error_description":"Client authentication failed."}`, ErrAuth, "Client authentication failed."},
		{403, "", `{"error":{"message":"Access Denied"}}`, ErrAccessDenied, "Access Denied"},
		{400, "", `{"error":{"message":"Access Denied"}}`, ErrAccessDenied, "Access Denied"},
		{400, "", `{"error":{"message":"type must be 1, 2 or 3"}}`, ErrValidation, "type must be 1, 2 or 3"},
		{422, "", `plain words`, ErrValidation, "plain words"},
		{429, "7", ``, ErrRateLimited, "Too Many Requests"},
		{503, "", `<html>down</html>`, ErrTransient, "<html>down</html>"},
		{502, "", ``, ErrTransient, "Bad Gateway"},
		{504, "", ``, ErrTransient, "Gateway Timeout"},
		{500, "", `{"error":{"message":""}}`, ErrServer, `{"error":{"message":""}}`},
		{302, "", ``, ErrProtocol, "Found"},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		e := errorFromAnswer("GET", "/api/v1/x", tt.status, h, []byte(tt.body))
		assert.True(t, errors.Is(e, tt.kind), "%d %s: got %v", tt.status, tt.body, e.Kind)
		assert.Equal(t, tt.message, e.Message, "%d %s", tt.status, tt.body)
		if tt.header != "" {
			assert.Equal(t, 7*time.Second, e.RetryAfter)
		}
	}
}

func TestMessageOrder(t *testing.T) {
	assert.Equal(t, "desc", messageFrom([]byte(`{"error_description":"desc","error":{"message":"nested"}}`)))
	assert.Equal(t, "nested", messageFrom([]byte(`{"error":{"message":"nested"}}`)))
	assert.Equal(t, "top", messageFrom([]byte(`{"message":"top"}`)))
	assert.Equal(t, "invalid_token", messageFrom([]byte(`{"error":"invalid_token","message":"later"}`)))
	assert.Equal(t, "later", messageFrom([]byte(`{"error":{"code":3},"message":"later"}`)))
	assert.Equal(t, `{"error":{"message":""}}`, messageFrom([]byte(`{"error":{"message":""}}`)))
	assert.Equal(t, "a b c", messageFrom([]byte("a\n\tb\x00  c")))
	long := messageFrom([]byte(strings.Repeat("é", 1000)))
	assert.Equal(t, maxMessage+1, len([]rune(long)), "clipped with an ellipsis")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, 3*time.Second, parseRetryAfter("3", now))
	assert.Equal(t, 10*time.Second, parseRetryAfter(now.Add(10*time.Second).Format(http.TimeFormat), now))
	assert.Zero(t, parseRetryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
	assert.Zero(t, parseRetryAfter("-1", now))
	assert.Zero(t, parseRetryAfter("soon", now))
	assert.Zero(t, parseRetryAfter("", now))
}

func TestErrorText(t *testing.T) {
	e := &Error{Kind: ErrNotFound, Method: "GET", Path: "/api/v1/p", Status: 404, Message: "Person not found"}
	assert.Equal(t, "IPassan GET /api/v1/p: not found (HTTP 404): Person not found", e.Error())
	e = &Error{Kind: ErrTransient, Method: "PUT", Path: "/api/v1/p", Message: "connection reset"}
	assert.Equal(t, "IPassan PUT /api/v1/p: temporarily unavailable: connection reset", e.Error())
}
