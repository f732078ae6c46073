package ipassan_test

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestCertificatesAreVerified(t *testing.T) {
	h := newHarness(t, fake.Options{})
	srv := httptest.NewUnstartedServer(h.fake)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)

	// A certificate nobody vouches for: refused, and not retried.
	c := h.newClient(t, ipassan.Options{BaseURL: u})
	err := c.Authenticate(context.Background())
	require.ErrorIs(t, err, ipassan.ErrTLS)
	assert.Contains(t, err.Error(), "certificate")
	assert.EqualValues(t, 1, c.Requests())

	// The same server's CA in a bundle: trusted.
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	roots, err := ipassan.LoadCABundle(bundle)
	require.NoError(t, err)
	c = h.newClient(t, ipassan.Options{BaseURL: u, RootCAs: roots})
	require.NoError(t, c.Authenticate(context.Background()))

	_, err = ipassan.LoadCABundle(filepath.Join(t.TempDir(), "none.pem"))
	assert.ErrorContains(t, err, "does not exist")
	empty := filepath.Join(t.TempDir(), "empty.pem")
	require.NoError(t, os.WriteFile(empty, []byte("not a certificate"), 0o600))
	_, err = ipassan.LoadCABundle(empty)
	assert.ErrorContains(t, err, "holds no PEM certificate")
}

func TestOldTLSIsRefused(t *testing.T) {
	h := newHarness(t, fake.Options{})
	srv := httptest.NewUnstartedServer(h.fake)
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	roots, err := ipassan.LoadCABundle(bundle)
	require.NoError(t, err)
	c := h.newClient(t, ipassan.Options{BaseURL: u, RootCAs: roots})
	err = c.Authenticate(context.Background())
	require.ErrorIs(t, err, ipassan.ErrTLS)
	assert.Contains(t, err.Error(), "protocol version")
}

func TestRedirectsToAnotherHostAreRefused(t *testing.T) {
	h := newHarness(t, fake.Options{}, fake.Person{UUID: "p-1", Lastname: "Bos"})
	require.NoError(t, h.client.Authenticate(context.Background()))
	h.fake.AddFault(fake.Fault{Route: fake.RouteGet, Status: 302, Body: "{}", Times: 1})
	// The fake cannot set Location through a Fault; a 3xx without one is an
	// unexpected answer, never followed.
	_, err := h.client.GetPerson(context.Background(), "p-1")
	require.ErrorIs(t, err, ipassan.ErrProtocol)
	assert.Contains(t, err.Error(), "names no Location")

	evil := httptest.NewServer(h.fake)
	t.Cleanup(evil.Close)
	redirect := httptest.NewServer(redirectTo(evil.URL))
	t.Cleanup(redirect.Close)
	u, _ := url.Parse(redirect.URL)
	c := h.newClient(t, ipassan.Options{BaseURL: u})
	err = c.Authenticate(context.Background())
	require.ErrorIs(t, err, ipassan.ErrProtocol, "a redirect is not a verdict on the credentials")
	assert.Contains(t, err.Error(), "redirects to "+evil.URL+"/api/v1/token")
	assert.Equal(t, 1, h.fake.Count(fake.RouteToken), "the other host never saw the credentials")
}
