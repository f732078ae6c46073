package connector

import (
	"crypto/x509"
	"errors"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// Env is what a connector gets from the process around it.
type Env struct {
	Redactor  *secret.Redactor
	Log       zerolog.Logger
	UserAgent string
}

// New builds the connector an action runs on from the context's
// Configuration and DryRun. In a DryRun the client itself refuses writes.
func New(in *helloid.Context, env Env) (*Connector, error) {
	cfgObj, err := in.Configuration()
	if err != nil {
		return nil, err
	}
	// Learn the secret before anything can echo it, even when the rest of the
	// configuration is wrong.
	if v, ok := cfgObj.Get(config.KeyClientSecret); ok {
		if s, ok := object.Text(v); ok {
			env.Redactor.Add(s)
		}
	}
	cfg, err := config.Parse(cfgObj)
	if err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	dryRun, err := in.DryRun()
	if err != nil {
		return nil, err
	}
	var roots *x509.CertPool
	if cfg.CABundlePath != "" {
		if roots, err = ipassan.LoadCABundle(cfg.CABundlePath); err != nil {
			return nil, err
		}
	}
	client, err := ipassan.New(ipassan.Options{
		BaseURL: cfg.BaseURL, SiteID: cfg.SiteID, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RequestTimeout: cfg.RequestTimeout, Attempts: cfg.RetryCount + 1, Backoff: cfg.RetryBackoff,
		ReadOnly: dryRun, Logger: env.Log, Redactor: env.Redactor, RootCAs: roots, UserAgent: env.UserAgent,
	})
	if err != nil {
		return nil, err
	}
	return &Connector{Client: client, Config: cfg, DryRun: dryRun, Log: env.Log}, nil
}
