// Package config turns HelloID's Configuration object into typed settings with
// safe defaults, and says exactly which key is wrong when one is.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// Configuration keys, spelled as the contract and configuration.json spell them.
const (
	KeyClientID             = "clientId"
	KeyClientSecret         = "clientSecret"
	KeyBaseURL              = "baseUrl"
	KeySiteID               = "siteId"
	KeyMappingPath          = "accessProfileMappingPath"
	KeyMapping              = "accessProfileMapping"
	KeyAccessProfileSource  = "accessProfileSource"
	KeyConnectorPath        = "connectorPath"
	KeyPageSize             = "pageSize"
	KeyConcurrency          = "concurrency"
	KeyActionTimeout        = "actionTimeoutSeconds"
	KeyRequestTimeout       = "requestTimeoutSeconds"
	KeyPermissionAccessType = "permissionAccessType"
	KeyRetryCount           = "retryCount"
	KeyRetryBackoff         = "retryBackoffMilliseconds"
	KeyCABundlePath         = "caBundlePath"
	KeyIncludeSiteProfiles  = "permissionsIncludeSiteProfiles"
	KeyContractLookupPath   = "contractLookupPath"
	KeyImportTimeout        = "importTimeoutSeconds"
	KeySiteIndexMaxAge      = "siteIndexMaxAgeSeconds"
	KeySiteIndexPath        = "siteIndexPath"
	KeyImportCorrelation    = "importCorrelationField"
)

// AccessProfileSource says who decides a person's door profile.
type AccessProfileSource string

const (
	// Lifecycle: enable and update set the profile from the mapping table.
	Lifecycle AccessProfileSource = "lifecycle"
	// Permissions: HelloID grants and revokes profiles as permissions.
	Permissions AccessProfileSource = "permissions"
)

// Defaults.
const (
	// DefaultPageSize: IPassan's largest page is not known, so a scan asks
	// for large pages and takes what comes (a server clamping at 100 works
	// as before; one refusing the limit is asked for 50). Against a server
	// that takes 500 a site of 100,000 is 201 requests instead of 2,002.
	DefaultPageSize = 500
	// DefaultConcurrency is the ceiling of the pages a scan keeps in flight;
	// the scan's window stays under it and backs off when IPassan answers
	// 429 or slows down. 16 reads 100,000 persons at 100 ms a request and 100
	// a page in about 7 s, well inside the deadline, while one action never
	// has more than 16 requests at IPassan.
	DefaultConcurrency   = 16
	DefaultActionTimeout = 25 * time.Second
	// MaxActionTimeout: HelloID's wrappers stop waiting for the binary at
	// 28 s, so an action allowed longer would be cut off without its answer.
	MaxActionTimeout      = 28 * time.Second
	DefaultRequestTimeout = ipassan.DefaultRequestTimeout
	DefaultRetryCount     = 3 // so a request is tried up to 4 times
	DefaultRetryBackoff   = 500 * time.Millisecond
	// DefaultImportTimeout stays under the 90 s HelloID gives an import preview.
	DefaultImportTimeout      = 85 * time.Second
	DefaultContractLookupPath = "Title.Name"
	// DefaultSiteIndexMaxAge bounds how old a site index an action may use
	// (its only blind spot, a second person given a value after the index was
	// built, lasts at most this long).
	DefaultSiteIndexMaxAge = 10 * time.Minute
	// DefaultImportCorrelationField is the field account import always puts
	// in Data: what HelloID correlates imported accounts on.
	DefaultImportCorrelationField = "number"
)

// Config is a validated configuration.
type Config struct {
	ClientID             string
	ClientSecret         secret.Secret
	BaseURL              *url.URL // scheme and host only, no trailing slash
	SiteID               string
	MappingPath          string
	MappingText          string
	AccessProfileSource  AccessProfileSource
	ConnectorPath        string
	PageSize             int
	Concurrency          int
	ActionTimeout        time.Duration
	RequestTimeout       time.Duration
	PermissionAccessType string
	RetryCount           int
	RetryBackoff         time.Duration
	CABundlePath         string
	IncludeSiteProfiles  bool          // permissions lists profiles seen on persons too
	ContractLookupPath   string        // where a contract holds its lookup key
	ImportTimeout        time.Duration // deadline of import and import-permissions
	// SiteIndexMaxAge is how old a site index may be to be used; 0 turns the
	// index off.
	SiteIndexMaxAge time.Duration
	// SiteIndexDir is where site indexes are kept; "" is the user's cache
	// directory.
	SiteIndexDir string
	// ImportCorrelationField is the field account import always puts in Data.
	ImportCorrelationField string
}

// Parse reads a Configuration object. Every problem is reported, each naming
// its key, so an admin fixes the form in one go.
func Parse(o *object.Object) (Config, error) {
	p := parser{o: o}
	c := Config{
		ClientID:               p.required(KeyClientID),
		ClientSecret:           secret.New(p.secret(KeyClientSecret)),
		SiteID:                 p.required(KeySiteID),
		MappingPath:            p.text(KeyMappingPath),
		MappingText:            p.untrimmed(KeyMapping),
		ConnectorPath:          p.text(KeyConnectorPath),
		PageSize:               p.integer(KeyPageSize, DefaultPageSize, 1, 1000),
		Concurrency:            p.integer(KeyConcurrency, DefaultConcurrency, 1, 64),
		ActionTimeout:          p.seconds(KeyActionTimeout, DefaultActionTimeout, 1, int(MaxActionTimeout/time.Second)),
		RequestTimeout:         p.seconds(KeyRequestTimeout, DefaultRequestTimeout, 1, 600),
		PermissionAccessType:   p.choice(KeyPermissionAccessType, ipassan.SlotDoorPermanent, ipassan.Slots[:]...),
		RetryCount:             p.integer(KeyRetryCount, DefaultRetryCount, 0, 10),
		RetryBackoff:           time.Duration(p.integer(KeyRetryBackoff, int(DefaultRetryBackoff/time.Millisecond), 1, 60000)) * time.Millisecond,
		CABundlePath:           p.text(KeyCABundlePath),
		IncludeSiteProfiles:    p.boolean(KeyIncludeSiteProfiles),
		ContractLookupPath:     orDefault(p.text(KeyContractLookupPath), DefaultContractLookupPath),
		ImportTimeout:          p.seconds(KeyImportTimeout, DefaultImportTimeout, 1, 3600),
		AccessProfileSource:    AccessProfileSource(p.choice(KeyAccessProfileSource, string(Lifecycle), string(Lifecycle), string(Permissions))),
		SiteIndexMaxAge:        p.seconds(KeySiteIndexMaxAge, DefaultSiteIndexMaxAge, 0, 24*60*60),
		SiteIndexDir:           p.text(KeySiteIndexPath),
		ImportCorrelationField: orDefault(p.text(KeyImportCorrelation), DefaultImportCorrelationField),
	}
	c.BaseURL = p.baseURL()
	if c.SiteID != "" && !ipassan.SafeID(c.SiteID) {
		p.fail("configuration key %s must be the site GUID, got %s", KeySiteID, textenc.Quote(c.SiteID))
	}
	if c.MappingPath != "" && strings.TrimSpace(c.MappingText) != "" {
		p.fail("configuration keys %s and %s are both set: keep only one", KeyMappingPath, KeyMapping)
	}
	return c, errors.Join(p.errs...)
}

type parser struct {
	o    *object.Object
	errs []error
}

func (p *parser) fail(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(format, args...))
}

// raw returns the value as text, untrimmed; "" when absent or null. ok is
// false when the value has no text form (an object or array), already reported.
func (p *parser) raw(key string) (string, bool) {
	v, present := p.o.Get(key)
	if !present {
		return "", true
	}
	s, ok := object.Text(v)
	if !ok {
		p.fail("configuration key %s must be text, got %s", key, object.Kind(v))
	}
	return s, ok
}

func (p *parser) untrimmed(key string) string {
	s, _ := p.raw(key)
	return s
}

func (p *parser) text(key string) string {
	s, _ := p.raw(key)
	return strings.TrimSpace(s)
}

func (p *parser) required(key string) string {
	s, ok := p.raw(key)
	s = strings.TrimSpace(s)
	if ok && s == "" {
		p.fail("configuration key %s is missing", key)
	}
	return s
}

// secret is like required but keeps the value exactly as typed.
func (p *parser) secret(key string) string {
	s, ok := p.raw(key)
	if ok && strings.TrimSpace(s) == "" {
		p.fail("configuration key %s is missing", key)
		return ""
	}
	return s
}

func (p *parser) integer(key string, def, min, max int) int {
	s := p.text(key)
	if s == "" {
		return def
	}
	n, ok := object.Int(s)
	if !ok || n < min || n > max {
		p.fail("configuration key %s must be a whole number from %d to %d%s, got %s", key, min, max, whyAtMost[key], textenc.Quote(s))
		return def
	}
	return n
}

// whyAtMost explains a maximum that is not obvious, in the message naming it.
var whyAtMost = map[string]string{
	KeyActionTimeout: " (HelloID's wrappers stop waiting for the connector after 28 seconds)",
}

func (p *parser) boolean(key string) bool {
	v, ok := p.o.Get(key)
	if !ok {
		return false
	}
	b, ok := object.Bool(v)
	if !ok {
		p.fail("configuration key %s must be true or false, got %s", key, object.Kind(v))
	}
	return b
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (p *parser) seconds(key string, def time.Duration, min, max int) time.Duration {
	n := p.integer(key, int(def/time.Second), min, max)
	return time.Duration(n) * time.Second
}

// choice matches a value case-insensitively against the allowed ones and
// returns the allowed spelling.
func (p *parser) choice(key, def string, allowed ...string) string {
	s := p.text(key)
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			return a
		}
	}
	p.fail("configuration key %s must be one of %s, got %s", key, strings.Join(allowed, ", "), textenc.Quote(s))
	return def
}

func (p *parser) baseURL() *url.URL {
	s := p.required(KeyBaseURL)
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case strings.Contains(s, "@"):
		// Never echo the value: it may hold a credential.
		p.fail("configuration key %s must not contain a user name or password; use %s and %s", KeyBaseURL, KeyClientID, KeyClientSecret)
		return nil
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.fail("configuration key %s must be an address such as https://ipassan.com, got %s", KeyBaseURL, textenc.Quote(s))
		return nil
	case u.Scheme == "http" && !ipassan.IsLoopback(u.Hostname()):
		p.fail("configuration key %s must use https (plain http is allowed only for a loopback host such as 127.0.0.1), got %s", KeyBaseURL, textenc.Quote(s))
		return nil
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		p.fail("configuration key %s must not have a query or fragment, got %s", KeyBaseURL, textenc.Quote(s))
		return nil
	}
	// The API lives under /api/v1; accept a base that already names it.
	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimSuffix(path, "/api/v1")
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: path}
}
