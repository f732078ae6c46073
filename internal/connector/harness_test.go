package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

const (
	siteID       = "0d6c6f1e-5b0a-4f43-9d0e-4c1f6a2b7e01"
	clientID     = "helloid"
	clientSecret = "Sup3r&Secret=+%Zoë"

	// Profiles that exist in the fake IPassan.
	floor1   = "51ee893c-bb6e-4a65-b852-f79d09e242b1"
	floor2   = "8b32bb39-5e9f-459b-8bf1-a864c35b3f79"
	allDoors = "759e0521-32a2-43d2-b0d7-585001743b64"
	// Mapped in the table but unknown to IPassan.
	ghost = "00000000-dead-4bee-8f00-000000000000"
)

const mappingCSV = "HelloIDLookupKey;AccessProfileName;AccessProfileId\r\n" +
	"Medewerker Servicedesk;Floor.1;" + floor1 + "\r\n" +
	"Teamleider;Alle deuren;" + allDoors + "\r\n" +
	"Consultant;Floor.2;" + floor2 + "\r\n" +
	"Spookfunctie;Ghost;" + ghost + "\r\n"

type m = map[string]any

// env is one fake IPassan and the configuration pointing at it.
type env struct {
	t        *testing.T
	fake     *fake.Server
	url      string
	logs     lockedBuffer
	deadline time.Duration              // of each action; 0 for none
	lockDir  string                     // where creates take their machine-wide lock
	indexDir string                     // where its site index lives
	tune     func(*connector.Connector) // adjusts each connector before it runs
}

func newEnv(t *testing.T, opts fake.Options, persons ...fake.Person) *env {
	t.Helper()
	return newEnvBehind(t, opts, nil, persons...)
}

// newEnvBehind is newEnv with the fake behind a handler of the test's own
// (wrap), for behaviours a server shows in time, such as a write it finishes
// after the client gave up.
func newEnvBehind(t *testing.T, opts fake.Options, wrap func(http.Handler) http.Handler, persons ...fake.Person) *env {
	t.Helper()
	f := fake.New(fake.Seed{
		Clients:        []fake.Credential{{ClientID: clientID, ClientSecret: clientSecret}},
		AccessProfiles: []fake.Profile{{UUID: floor1, Name: "Floor.1"}, {UUID: floor2, Name: "Floor.2"}, {UUID: allDoors, Name: "All"}},
		Bases: []fake.BaseSeed{{UUID: "base-1", Name: "hq", Sites: []fake.SiteSeed{
			{UUID: siteID, Name: "Main", Persons: persons},
		}}},
	}, opts)
	var h http.Handler = f
	if wrap != nil {
		h = wrap(f)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, fake: f, url: srv.URL, lockDir: t.TempDir(), indexDir: t.TempDir()}
}

func (e *env) configuration(extra m) m {
	c := m{
		"clientId": clientID, "clientSecret": clientSecret, "baseUrl": e.url, "siteId": siteID,
		"accessProfileMapping": mappingCSV, "retryBackoffMilliseconds": 5,
		// Each fake its own site index: tests must not meet each other's.
		"siteIndexPath": e.indexDir,
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// run runs an action with an actionContext; Configuration is filled in
// unless given.
func (e *env) run(action string, actionContext m) *helloid.Output {
	e.t.Helper()
	return e.runWithPerson(action, actionContext, m{"Person": m{"ExternalId": "1001"}})
}

// runWithPerson runs an action with a personContext of its own.
func (e *env) runWithPerson(action string, actionContext, personContext m) *helloid.Output {
	e.t.Helper()
	if _, ok := actionContext["Configuration"]; !ok {
		actionContext["Configuration"] = e.configuration(nil)
	}
	raw, err := json.Marshal(m{"actionContext": actionContext, "personContext": personContext})
	require.NoError(e.t, err)
	in, err := helloid.Decode(raw)
	require.NoError(e.t, err)
	red := secret.NewRedactor()
	conn, err := connector.New(in, connector.Env{Redactor: red, Log: zerolog.New(red.Writer(&e.logs)).Level(zerolog.DebugLevel)})
	require.NoError(e.t, err)
	conn.LockDir = e.lockDir
	if e.tune != nil {
		e.tune(conn)
	}
	ctx := context.Background()
	if e.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.deadline)
		defer cancel()
	}
	run, ok := actions[action]
	require.True(e.t, ok, "no action %q in the test harness", action)
	out := run(conn, ctx, in)
	require.NotNil(e.t, out)
	return out
}

// actions are the outputContext actions by command name, as the tests call them.
var actions = map[string]func(*connector.Connector, context.Context, *helloid.Context) *helloid.Output{
	"create": (*connector.Connector).Create, "update": (*connector.Connector).Update,
	"enable": (*connector.Connector).Enable, "disable": (*connector.Connector).Disable,
	"delete": (*connector.Connector).Delete, "permissions": (*connector.Connector).Permissions,
	"grant": (*connector.Connector).Grant, "revoke": (*connector.Connector).Revoke,
	"subpermissions": (*connector.Connector).SubPermissions, "update-permission": (*connector.Connector).UpdatePermission,
	"dynamic-permission": (*connector.Connector).DynamicPermission, "uniqueness": (*connector.Connector).Uniqueness,
}

func (e *env) person(uuid string) (fake.Person, bool) { return e.fake.Person(siteID, uuid) }

func ptr(s string) *string { return &s }

// lockedBuffer collects the logs of actions that may run at the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
