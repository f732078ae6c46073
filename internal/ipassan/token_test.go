package ipassan

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expiresIn string // as it stands in the answer; "" when absent
		want      time.Duration
	}{
		{"3600", time.Hour - tokenExpiryMargin},
		{`"3600"`, time.Hour - tokenExpiryMargin},
		{"86400", 24*time.Hour - tokenExpiryMargin},
		{"7200.5", 2*time.Hour + 500*time.Millisecond - tokenExpiryMargin},
		{"600", 10*time.Minute - tokenExpiryMargin},
		// Too short to serve an action: a few minutes, a 401 if it really expires.
		{"60", fewMinutes},
		{"1", fewMinutes},
		// Unusable: a few minutes.
		{"", fewMinutes},
		{"null", fewMinutes},
		{"0", fewMinutes},
		{"-5", fewMinutes},
		{`"soon"`, fewMinutes},
		{`""`, fewMinutes},
		{"true", fewMinutes},
		{"{}", fewMinutes},
		{`"NaN"`, fewMinutes},
		{`"Infinity"`, fewMinutes},
		{"1733875200000", fewMinutes}, // milliseconds since the epoch
		{"1733875200", fewMinutes},    // a date in seconds since the epoch
		{"604800", fewMinutes},        // a week: more than a day is not believed
		{"9223372036854775807", fewMinutes},
		{"1e400", fewMinutes}, // overflows a float
		{"99999999999999999999999999999999", fewMinutes},
	}
	for _, tt := range tests {
		var raw json.RawMessage
		if tt.expiresIn != "" {
			raw = json.RawMessage(tt.expiresIn)
		}
		assert.Equal(t, tt.want, tokenLifetime(raw), "expires_in %s", tt.expiresIn)
	}
}

// TestOneTokenPerAction: an action of many requests, spread over a while,
// fetches exactly one token whatever expires_in says, unless IPassan answers
// 401; then it logs in once more.
func TestOneTokenPerAction(t *testing.T) {
	t.Parallel()
	const calls = 21
	for _, expiresIn := range []string{"", `,"expires_in":null`, `,"expires_in":0`, `,"expires_in":-1`, `,"expires_in":1`,
		`,"expires_in":"soon"`, `,"expires_in":1733875200000`, `,"expires_in":1e400`, `,"expires_in":99999999999999999999`,
		`,"expires_in":3600`} {
		for _, unauthorizedAt := range []int{0, 7} { // the call IPassan answers 401 (0: none)
			t.Run(fmt.Sprintf("%s 401 at %d", expiresIn, unauthorizedAt), func(t *testing.T) {
				t.Parallel()
				var tokens, gets atomic.Int64
				srv := newCountingServer(t, false, func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == APIPrefix+tokenPath {
						n := tokens.Add(1)
						_, _ = fmt.Fprintf(w, `{"access_token":"tok-%d"%s}`, n, expiresIn)
						return
					}
					if gets.Add(1) == int64(unauthorizedAt) {
						w.WriteHeader(http.StatusUnauthorized)
						_, _ = io.WriteString(w, `{"error":"invalid_token"}`)
						return
					}
					_, _ = io.WriteString(w, `{"uuid":"p-1"}`)
				})
				c := newPolicyClient(t, srv.URL, nil, Options{})
				// The action takes its time: ten seconds pass between calls.
				var mu sync.Mutex
				now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
				c.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
				for range calls {
					_, err := c.GetPerson(context.Background(), "p-1")
					require.NoError(t, err)
					mu.Lock()
					now = now.Add(10 * time.Second)
					mu.Unlock()
				}
				want := int64(1)
				if unauthorizedAt > 0 {
					want = 2
				}
				assert.Equal(t, want, tokens.Load(), "tokens fetched")
			})
		}
	}
}
