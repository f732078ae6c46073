// Package connector holds the rules of every HelloID action: what to read,
// what to compare, what to write, and what to tell the HelloID user. Actions
// are plain functions over the IPassan client; the CLI only wires them.
package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/ipassan-connector/ipassan-connector/internal/accessprofile"
	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// Connector runs actions against one IPassan site.
type Connector struct {
	Client *ipassan.Client
	Config config.Config
	DryRun bool
	Log    zerolog.Logger
	// Progress, when set, hears how many persons each page of a site scan
	// brought (admin commands draw a progress bar with it).
	Progress func(persons int)

	// LockDir is where creates take their machine-wide lock per site and
	// correlation value; "" is machinelock.DefaultDir().
	LockDir string
	// MissingAccountFails makes an account that does not exist a failure for
	// disable, delete and revoke too. HelloID's rule is the opposite (nothing
	// left to do is success); an admin running an action by hand with a
	// mistyped reference must not be told that access is gone.
	MissingAccountFails bool

	mappingOnce sync.Once
	mapping     *accessprofile.Table
	mappingErr  error
}

// Action is one lifecycle or permission action as HelloID calls it.
type Action struct {
	Name  string // the command name: create, update, …
	Audit string // HelloID's audit Action for its log lines
	Run   func(c *Connector, ctx context.Context, in *helloid.Context) *helloid.Output
}

// Actions are the actions that answer with an outputContext, by command name.
var Actions = map[string]Action{
	"create":  {"create", helloid.CreateAccount, (*Connector).Create},
	"update":  {"update", helloid.UpdateAccount, (*Connector).Update},
	"enable":  {"enable", helloid.EnableAccount, (*Connector).Enable},
	"disable": {"disable", helloid.DisableAccount, (*Connector).Disable},
	"delete":  {"delete", helloid.DeleteAccount, (*Connector).Delete},

	"permissions":    {"permissions", helloid.GrantPermission, (*Connector).Permissions},
	"grant":          {"grant", helloid.GrantPermission, (*Connector).Grant},
	"revoke":         {"revoke", helloid.RevokePermission, (*Connector).Revoke},
	"subpermissions": {"subpermissions", helloid.UpdatePermission, (*Connector).SubPermissions},
}

// Mapping returns the access-profile mapping table, loading it on first use
// from accessProfileMappingPath or accessProfileMapping. why says which action
// needs it, for the message when neither is set.
func (c *Connector) Mapping(why string) (*accessprofile.Table, error) {
	c.mappingOnce.Do(func() {
		switch {
		case c.Config.MappingPath != "":
			c.mapping, c.mappingErr = accessprofile.Load(c.Config.MappingPath)
		case strings.TrimSpace(c.Config.MappingText) != "":
			c.mapping, c.mappingErr = accessprofile.Parse([]byte(c.Config.MappingText))
			if c.mappingErr != nil {
				c.mappingErr = fmt.Errorf("configuration key %s: %w", config.KeyMapping, c.mappingErr)
			}
		default:
			c.mappingErr = errNoMapping
		}
		if c.mapping != nil && c.mapping.Windows1252 {
			c.Log.Warn().Msg("the access-profile mapping table is not UTF-8; it was read as Windows-1252")
		}
	})
	if errors.Is(c.mappingErr, errNoMapping) {
		return nil, fmt.Errorf("configuration key %s is missing: %s needs the access-profile mapping table", config.KeyMappingPath, why)
	}
	return c.mapping, c.mappingErr
}

var errNoMapping = errors.New("no mapping table configured")

// profileLabel names a profile for audit lines: "Floor.1 (guid)" when the
// mapping table knows it, else the GUID. It never fails: naming is a courtesy.
func (c *Connector) profileLabel(id string) string {
	if id == "" {
		return "none"
	}
	if c.Config.MappingPath != "" || c.Config.MappingText != "" {
		if t, err := c.Mapping(""); err == nil {
			if p, ok := t.Profile(id); ok && p.Name != "" {
				return fmt.Sprintf("%s (%s)", p.Name, id)
			}
		}
	}
	return id
}

// Explain turns an error into one plain sentence for the HelloID user or the
// admin, adding what to check where the cause is usually the configuration.
func Explain(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	switch {
	case errors.Is(err, ipassan.ErrAuth):
		msg += " (check clientId and clientSecret)"
	case errors.Is(err, ipassan.ErrAccessDenied):
		msg += " (check siteId and the API client's rights on that site; 'ipassan-connector sites' lists the sites)"
	case errors.Is(err, ipassan.ErrTLS):
		msg += " (certificates are always verified; for a private CA set caBundlePath)"
	}
	return msg
}

// quote repeats a value in a message: escaped and cut short.
var quote = textenc.Quote

// dryRunNote marks what a preview would have done.
const dryRunNote = "DryRun: would "

// reference reads References.Account, which every action but create needs.
func reference(in *helloid.Context) (string, error) {
	ref, err := in.AccountReference()
	if err != nil {
		return "", err
	}
	switch {
	case ref == "":
		return "", errors.New("actionContext.References.Account is empty: no IPassan person to act on")
	case !ipassan.SafeID(ref):
		// Refused before it can reach a URL or a message.
		return "", fmt.Errorf("account reference %s is %w; nothing was sent", quote(ref), ipassan.ErrBadReference)
	}
	return ref, nil
}

// describePerson is "uuid (First Last)" for audit lines.
func describePerson(p ipassan.Person) string {
	if name := p.DisplayName(); name != "" {
		return fmt.Sprintf("%s (%s)", p.UUID, name)
	}
	return p.UUID
}
