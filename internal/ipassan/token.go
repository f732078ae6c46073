package ipassan

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// tokenPath is where client credentials buy a bearer token.
const tokenPath = "/token"

// Authenticate fetches a fresh token, proving the credentials work.
func (c *Client) Authenticate(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = ""
	_, err := c.tokenLocked(ctx)
	return err
}

func (c *Client) bearer(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenLocked(ctx)
}

func (c *Client) tokenLocked(ctx context.Context) (string, error) {
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	var form Form
	form.Set("grant_type", "client_credentials")
	form.Set("scope", "all")
	form.Set("client_id", c.opts.ClientID)
	form.Set("client_secret", c.opts.ClientSecret.Reveal())
	// Asking for a token twice is harmless, so the token request retries like a read.
	ans, err := c.exchange(ctx, request{method: http.MethodPost, path: tokenPath, form: &form}, "", true)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && (e.Kind == ErrValidation || e.Kind == ErrAccessDenied) {
			e.Kind = ErrAuth // the token endpoint answers bad credentials with 400
		}
		return "", err
	}
	var tok struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if err := decodeJSON(ans.body, &tok); err != nil || tok.AccessToken == "" {
		return "", &Error{Kind: ErrAuth, Method: http.MethodPost, Path: APIPrefix + tokenPath, Status: ans.status,
			Message: "the token answer holds no access_token"}
	}
	c.opts.Redactor.Add(tok.AccessToken)
	c.token, c.expires = tok.AccessToken, c.now().Add(tokenLifetime(tok.ExpiresIn))
	return c.token, nil
}

// Token lifetimes. expires_in is not confirmed for IPassan, and servers get it
// wrong (milliseconds, a date, text, a number past any integer). A token
// lasts at least fewMinutes, longer than any action (28 s, an import 85 s):
// one token serves a whole action whatever expires_in says, and a token that
// really expires sooner costs one 401 and one new login (do). A plausible
// longer expires_in is honoured, less a margin, for long admin runs.
const (
	fewMinutes         = 5 * time.Minute
	maxTokenLifetime   = 24 * time.Hour // above this expires_in is absurd
	tokenExpiryMargin  = 30 * time.Second
	maxExpiresInSecond = float64(maxTokenLifetime / time.Second)
)

// tokenLifetime reads expires_in (seconds, as a number or as text) into how
// long the client uses the token.
func tokenLifetime(raw json.RawMessage) time.Duration {
	text := strings.TrimSpace(string(raw))
	if unquoted, err := strconv.Unquote(text); err == nil {
		text = strings.TrimSpace(unquoted)
	}
	seconds, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(seconds) || seconds <= 0 || seconds > maxExpiresInSecond {
		return fewMinutes // missing, null, text, zero, negative, absurd or overflowing
	}
	return max(time.Duration(seconds*float64(time.Second))-tokenExpiryMargin, fewMinutes)
}
