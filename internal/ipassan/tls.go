package ipassan

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// tlsConfig is TLS 1.2 or newer with certificates always verified; roots adds
// a private CA to the system's when given.
func tlsConfig(roots *x509.CertPool) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
}

// LoadCABundle reads a PEM file of extra certificate authorities and returns
// the system's roots plus those.
func LoadCABundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("the CA bundle %q (caBundlePath) does not exist", path)
		}
		return nil, fmt.Errorf("the CA bundle %q (caBundlePath) cannot be read: %w", path, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA bundle %q (caBundlePath) holds no PEM certificate", path)
	}
	return pool, nil
}

// ErrTLS: the TLS handshake failed (an untrusted certificate, a protocol
// version below 1.2).
var ErrTLS = errors.New("secure connection failed")

func isTLSFailure(err error) bool {
	var verify *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	var op *net.OpError
	// An alert from the server arrives as a net.OpError "remote error".
	return errors.As(err, &verify) || errors.As(err, &header) ||
		(errors.As(err, &op) && op.Op == "remote error" && strings.Contains(op.Err.Error(), "tls:"))
}
