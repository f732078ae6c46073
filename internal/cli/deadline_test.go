package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

func TestSlowServerEndsBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	f, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos"})
	f.AddFault(fake.Fault{Route: fake.RouteGet, Delay: 10 * time.Second})
	ctx := contextJSON(t, url, m{"References": m{"Account": "emp-1"}, "Configuration": m{"actionTimeoutSeconds": "2"}})
	start := time.Now()
	r := run(t, ctx, "disable")
	took := time.Since(start)
	assert.Equal(t, 1, r.code)
	assert.Less(t, took, 2*time.Second, "answered before the deadline")
	assert.Greater(t, took, time.Second, "used the time it had")
	msg := output(t, r).AuditLogs[0].Message
	assert.Contains(t, msg, "GET /api/v1/access/site/"+siteID+"/person/emp-1", "names what it waited for")
	assert.Contains(t, msg, "no answer before the action's deadline")
	assert.Zero(t, f.Writes())
}

// blocked is standard input that never delivers.
type blocked struct{}

func (blocked) Read([]byte) (int, error) { select {} }

func TestStalledInputEndsWithAnAnswer(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	del, _ := actions.Lookup("delete")
	start := time.Now()
	code := runAction(context.Background(), del, runHooks{}, testGlobals(time.Second), IOStreams{In: blocked{}, Out: &out, ErrOut: &errOut})
	assert.Equal(t, 1, code)
	assert.Less(t, time.Since(start), 5*time.Second, "input that never comes does not hold the answer back")
	o := output(t, result{stdout: out.String()})
	assert.Contains(t, o.AuditLogs[0].Message, "did not finish within its deadline of 1s; it was reading the context")
}

func TestWorkThatIgnoresTheDeadlineIsCutOff(t *testing.T) {
	t.Parallel()
	_, url := startFake(t)
	stuck := actions.Action{Name: "stuck", Audit: helloid.UpdateAccount,
		Run: func(*connector.Connector, context.Context, *helloid.Context) *helloid.Output { select {} }}
	var out, errOut bytes.Buffer
	g := testGlobals(time.Minute)
	io := IOStreams{In: strings.NewReader(contextJSON(t, url, m{"Configuration": m{"actionTimeoutSeconds": 1}})), Out: &out, ErrOut: &errOut}
	start := time.Now()
	code := runAction(context.Background(), stuck, runHooks{}, g, io)
	assert.Equal(t, 1, code)
	// The default here is a minute: well under it shows the configured second
	// won, with room for a machine busy with other tests.
	assert.Less(t, time.Since(start), 10*time.Second, "the configured deadline replaced the default")
	o := output(t, result{stdout: out.String()})
	require.Len(t, o.AuditLogs, 1)
	assert.Equal(t, helloid.UpdateAccount, o.AuditLogs[0].Action)
	assert.Contains(t, o.AuditLogs[0].Message, "did not finish within its deadline of 1s")
	assert.Contains(t, o.AuditLogs[0].Message, "it was working")
}
