package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// plan must say what the actions do: for a table of accounts and HR persons,
// plan's verdict for the person equals what the actions HelloID would run
// report in a DryRun, decision by decision.
func TestPlanAgreesWithTheActionsInDryRun(t *testing.T) {
	t.Parallel()
	mapping, err := fieldmapping.Load(repotest.Path("fieldMapping.json"))
	require.NoError(t, err)

	profiles := map[string]string{"none": "", "Floor.1": floor1, "Alle deuren": allDoors}
	titles := []string{"Medewerker Servicedesk", "Teamleider", "Kok", ""}
	for _, mode := range []string{"lifecycle", "permissions"} {
		for _, have := range []string{"none", "Floor.1", "Alle deuren"} {
			for _, title := range titles {
				for _, inConditions := range []bool{true, false} {
					for _, mail := range []string{"zoe.dhondt@example.org", "zoe@example.org"} {
						name := fmt.Sprintf("%s/has %s/title %q/in conditions %v/mail %s", mode, have, title, inConditions, mail)
						t.Run(name, func(t *testing.T) {
							t.Parallel()
							account := employee(profiles[have])
							account.AccessType.DoorTemporary, account.AccessType.FloorPermanent = nil, nil
							hr := hrPerson("1001", "Zoë", "d'Hondt", mail, title, inConditions)
							e := newEnv(t, fake.Options{}, account)
							config := e.configuration(m{"accessProfileSource": mode})

							planned := planVerdict(t, e, config, mapping, hr)
							done := dryRunVerdict(t, e, config, mapping, hr, profiles[have], mode, inConditions)
							assert.Equal(t, done, planned, "plan and the actions disagree")
							assert.Zero(t, e.fake.Writes())
						})
					}
				}
			}
		}
	}
}

// planVerdict is the sorted list of plan steps for one person, errors
// reduced to "error".
func planVerdict(t *testing.T, e *env, config m, mapping *fieldmapping.Mapping, hr *object.Object) []string {
	t.Helper()
	raw, _ := json.Marshal(m{"actionContext": m{"Configuration": config}})
	in, err := helloid.Decode(raw)
	require.NoError(t, err)
	conn, err := connector.New(in, connector.Env{Redactor: secret.NewRedactor(), Log: zerolog.Nop()})
	require.NoError(t, err)
	res, err := conn.Plan(context.Background(), []*object.Object{hr}, connector.PlanOptions{Mapping: mapping})
	require.NoError(t, err)
	require.Len(t, res.Entries, 1)
	var steps []string
	for _, s := range res.Entries[0].Steps {
		switch s.Action {
		case connector.StepCorrelate, connector.StepNoChange:
		default:
			steps = append(steps, s.Action)
		}
	}
	sort.Strings(steps)
	return steps
}

// dryRunVerdict runs in DryRun the actions HelloID's enforcement would run for
// the person and turns their audit logs into plan steps: update always;
// disable when the person is not entitled (in either mode: a leaver loses the
// door profile at once); for an entitled person, in permissions mode the
// dynamic permission, with the profile in the slot as what HelloID granted,
// and in lifecycle mode enable when the account has no door profile yet.
func dryRunVerdict(t *testing.T, e *env, config m, mapping *fieldmapping.Mapping, hr *object.Object, current, mode string, entitled bool) []string {
	t.Helper()
	var steps []string
	run := func(action, mapFor string, extra m) *helloid.Output {
		ac := m{"Configuration": config, "DryRun": true, "References": m{"Account": "emp-1"}}
		if mapFor != "" {
			data, err := mapping.Map(mapFor, hr, fieldmapping.Options{})
			require.NoError(t, err)
			ac["Data"] = data
		}
		for k, v := range extra {
			ac[k] = v
		}
		var pc m
		require.NoError(t, json.Unmarshal(mustJSON(t, hr), &pc))
		return e.runWithPerson(action, ac, pc)
	}
	audit := func(out *helloid.Output) string {
		var lines []string
		for _, l := range out.AuditLogs {
			lines = append(lines, l.Message)
		}
		return strings.Join(lines, "\n")
	}

	update := run("update", "Update", nil)
	switch {
	case !update.Success:
		steps = append(steps, connector.StepError)
	default:
		log := audit(update)
		if strings.Contains(log, "accessType[doorPermanent]") {
			steps = append(steps, connector.StepMove)
		}
		if strings.Contains(log, "mail \"") {
			steps = append(steps, connector.StepUpdate)
		}
	}
	switch {
	case !entitled:
		if strings.Contains(audit(run("disable", "", nil)), "DryRun: would disable") {
			steps = append(steps, connector.StepDisable)
		}
	case mode == "permissions":
		ac := m{"Operation": "grant", "CurrentPermissions": []m{}}
		if current != "" {
			ac["CurrentPermissions"] = []m{{"DisplayName": "", "Reference": m{"Id": current}}}
		}
		out := run("subpermissions", "", ac)
		log := audit(out)
		switch {
		case !out.Success:
			steps = append(steps, connector.StepError)
		case strings.Contains(log, "DryRun: would grant"):
			steps = append(steps, connector.StepGrant)
		case strings.Contains(log, "DryRun: would revoke"):
			steps = append(steps, connector.StepRevoke)
		}
	case current == "":
		out := run("enable", "Enable", nil)
		switch {
		case !out.Success:
			steps = append(steps, connector.StepError)
		case strings.Contains(audit(out), "DryRun: would enable"):
			steps = append(steps, connector.StepEnable)
		}
	}
	sort.Strings(steps)
	return steps
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
