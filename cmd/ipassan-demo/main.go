// Command ipassan-demo runs the whole account lifecycle for two persons, the
// way HelloID would: it starts ipassan-fake on loopback, maps each HelloID
// person through fieldMapping.json, pipes the context into ipassan-connector
// for uniqueness → create → enable → update-permission (after a profile was
// removed by hand) → import-subpermissions → update (a job change) → disable
// → delete, and prints each action's audit log; then a new hire whose mail a
// colleague holds, and the dynamic permission. It exits 1 when any action
// fails or answers other than a HelloID user would expect, so CI notices.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fakeproc"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/secret"
)

// The demo's IPassan, as testdata/fake/seed.json defines it.
const (
	demoSite     = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	demoClient   = "demo-client"
	demoSecret   = "demo-secret-not-for-production"
	correlateOn  = "number"
	personIDPath = "Person.ExternalId"

	// Femke de Vries, a colleague already in the demo IPassan.
	colleagueUUID = "c0a80101-0000-4000-8000-000000000001"
	colleagueMail = "femke.devries@zorggroep-demo.nl"
	// The one permission of the dynamic permission set (the contract's).
	dynamicPermission = "ipassan-door-profile"
)

// scenario is one person's story.
type scenario struct {
	source   string // the HR system that filled the HelloID person
	file     string // under testdata/persons
	newTitle string // the job change
}

var scenarios = []scenario{
	{"AFAS Profit", "afas-zoe-dhondt.json", "Teamleider Servicedesk"},
	{"Visma Raet Youforce", "raet-ijsbrand-van-t-hof.json", "Senior Verpleegkundige"},
}

func main() {
	bin := flag.String("bin", "bin", "folder holding ipassan-connector and ipassan-fake")
	testdata := flag.String("testdata", "testdata", "the repository's testdata folder")
	flag.Parse()
	if err := run(*bin, *testdata, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(bin, testdata string, w io.Writer) error {
	root, err := filepath.Abs(filepath.Join(testdata, ".."))
	if err != nil {
		return err
	}
	mapping, err := fieldmapping.Load(filepath.Join(root, "fieldMapping.json"))
	if err != nil {
		return err
	}
	fake, err := fakeproc.Start(bin, filepath.Join(testdata, "fake", "seed.json"))
	if err != nil {
		return err
	}
	defer fake.Stop()

	d := &demo{w: w, connector: filepath.Join(bin, "ipassan-connector"), fakeURL: fake.URL, mapping: mapping,
		configuration: map[string]any{
			"clientId": demoClient, "clientSecret": demoSecret, "baseUrl": fake.URL, "siteId": demoSite,
			"accessProfileMappingPath": filepath.Join(root, "testdata", "AccessProfile.csv"),
		}}
	fmt.Fprintf(w, "ipassan-fake is serving a demo IPassan at %s\n", fake.URL)
	for _, s := range scenarios {
		d.story(s, filepath.Join(testdata, "persons", s.file))
	}
	d.newHireWithATakenMail(filepath.Join(testdata, "persons", scenarios[0].file))
	d.dynamicPermission()
	stats, _ := d.stats()
	fmt.Fprintf(w, "\n%d actions, %d failed; IPassan received %d requests, %d of them writes.\n",
		d.actions, d.failures, stats.Total, stats.Writes)
	if d.failures > 0 {
		return fmt.Errorf("%d of %d actions failed or answered other than expected", d.failures, d.actions)
	}
	return nil
}

type demo struct {
	w             io.Writer
	connector     string
	fakeURL       string
	mapping       *fieldmapping.Mapping
	configuration map[string]any
	actions       int
	failures      int
}

// story runs one person through the lifecycle.
func (d *demo) story(s scenario, file string) {
	personContext, err := contextbuild.LoadPerson(file) // {Person, Manager}
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "\n%s: cannot read %s: %v\n", s.source, file, err)
		return
	}
	d.lifecycle(s, personContext)
}

func (d *demo) lifecycle(s scenario, personContext *object.Object) {
	person := personContext.Object("Person")
	title, _ := person.Path("PrimaryContract.Title.Name")
	id, _ := person.Path("ExternalId")
	name, _ := person.Path("DisplayName")
	fmt.Fprintf(d.w, "\n%s — %v (%v), %v\n", s.source, name, id, title)

	// HelloID checks the unique fields before it creates the account.
	d.expectUnique(d.step("uniqueness", "Create", "", personContext, nil), []string{},
		"no other IPassan person has this mail")

	created := d.step("create", "Create", "", personContext, map[string]any{
		"CorrelationConfiguration": map[string]any{
			"Enabled": true, "PersonField": personIDPath, "PersonFieldValue": id,
			"AccountField": correlateOn, "AccountFieldValue": id,
		},
	})
	if created == nil || created.AccountReference == nil {
		return
	}
	ref := *created.AccountReference
	d.expectUnique(d.step("uniqueness", "Create", ref, personContext, nil), []string{},
		"the person's own account does not count against its mail")
	d.step("enable", "Enable", ref, personContext, nil)
	profile := d.doorProfile(ref)

	// Someone removes the door profile by hand in IPassan; HelloID's force
	// update of the permission puts it back.
	fmt.Fprintf(d.w, "  (by hand in IPassan: the door profile %s is removed)\n", profile)
	if err := d.clearByHand(ref); err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  ✗ could not clear it: %v\n", err)
	}
	d.step("update-permission", "", ref, personContext, map[string]any{
		"References": map[string]any{"Account": ref, "ManagerAccount": nil, "Permission": map[string]any{"Reference": profile}},
	})
	d.expect(profile != "" && d.doorProfile(ref) == profile, "the door profile removed by hand is back")
	d.importSubPermissions(ref, profile)

	fmt.Fprintf(d.w, "  (job change in HR: %v → %s)\n", title, s.newTitle)
	setTitle(person, s.newTitle)
	d.step("update", "Update", ref, personContext, nil)
	d.step("disable", "Disable", ref, personContext, nil)
	d.step("delete", "Delete", ref, personContext, nil)
}

// newHireWithATakenMail is a new hire whose HR record carries the mail of a
// colleague who already has an IPassan person: HelloID must not create the
// account with it.
func (d *demo) newHireWithATakenMail(file string) {
	personContext, err := contextbuild.LoadPerson(file)
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "\nA new hire: cannot read %s: %v\n", file, err)
		return
	}
	person := personContext.Object("Person")
	person.Set("ExternalId", "1004")
	person.Set("DisplayName", "Femke de Vries (second contract)")
	person.Object("Contact").Object("Business").Set("Email", colleagueMail)
	fmt.Fprintf(d.w, "\nA new hire whose mail a colleague already has (%s)\n", colleagueMail)
	d.expectUnique(d.step("uniqueness", "Create", "", personContext, nil), []string{"mail"},
		"HelloID is told the mail is taken, before any account is created")
	d.expectUnique(d.step("uniqueness", "Create", colleagueUUID, personContext, nil), []string{},
		"for the colleague's own account the same mail is no clash")
}

// dynamicPermission is the retrieve-permissions script of the dynamic
// permission set: one permission, whose sub-permissions are the profiles.
func (d *demo) dynamicPermission() {
	fmt.Fprintf(d.w, "\nThe dynamic permission set\n")
	out := d.step("dynamic-permission", "", "", nil, nil)
	ok := out != nil && out.Permissions != nil && len(*out.Permissions) == 1 &&
		(*out.Permissions)[0].Identification.Reference == dynamicPermission
	d.expect(ok, "one permission, reference %s", dynamicPermission)
}

// importSubPermissions runs the sub-permission import and checks that the
// account is listed under its door profile, every line in the shape of
// HelloID's template.
func (d *demo) importSubPermissions(ref, profile string) {
	d.actions++
	lines, err := d.importLines("import-subpermissions")
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  %-21s ✗ %v\n", "import-subpermissions", err)
		return
	}
	fmt.Fprintf(d.w, "  %-21s ✓ %d lines\n", "import-subpermissions", len(lines))
	shaped, listed := true, false
	for _, l := range lines {
		accounts := "accounts"
		if len(l.AccountReferences) == 1 {
			accounts = "account"
		}
		fmt.Fprintf(d.w, "      %s: %s (%d %s)\n", l.SubPermissionReference.ID, l.SubPermissionDisplayName, len(l.AccountReferences), accounts)
		if l.PermissionReference.Reference != dynamicPermission || l.DisplayName == "" || l.Description == "" || l.SubPermissionReference.ID == "" ||
			l.SubPermissionDisplayName == "" || len(l.AccountReferences) == 0 || len(l.AccountReferences) > 500 {
			shaped = false
		}
		if strings.EqualFold(l.SubPermissionReference.ID, profile) && slices.Contains(l.AccountReferences, ref) {
			listed = true
		}
	}
	d.expect(shaped, "every line holds %s with one profile and its accounts, at most 500", dynamicPermission)
	d.expect(listed, "the account is listed under its door profile")
}

// setTitle is the job change: the primary contract and its entry in Contracts.
func setTitle(person *object.Object, title string) {
	primary := person.Object("PrimaryContract")
	primary.Object("Title").Set("Name", title)
	id, _ := primary.Get("ExternalId")
	contracts, _ := person.Get("Contracts")
	list, _ := contracts.([]any)
	for _, c := range list {
		if co, ok := c.(*object.Object); ok {
			if cid, _ := co.Get("ExternalId"); cid == id {
				co.Object("Title").Set("Name", title)
			}
		}
	}
}

// step runs one action through the binary, as a HelloID wrapper would, and
// prints its audit log. mapFor is the fieldMapping.json action Data is
// mapped for; "" sends no Data.
func (d *demo) step(action, mapFor, ref string, personContext *object.Object, extra map[string]any) *helloid.Output {
	d.actions++
	ac := map[string]any{
		"Configuration": d.configuration, "DryRun": false,
		"References": map[string]any{"Account": nilIfEmpty(ref), "ManagerAccount": nil},
	}
	if mapFor != "" {
		data, err := d.mapping.Map(mapFor, personContext, fieldmapping.Options{})
		if err != nil {
			d.failures++
			fmt.Fprintf(d.w, "  %-21s ✗ mapping failed: %v\n", action, err)
			return nil
		}
		ac["Data"] = data
	}
	if action == "uniqueness" {
		// As HelloID sends them: the field mapping's, when it lists any.
		if unique := d.mapping.UniqueFieldNames(); len(unique) > 0 {
			ac["UniqueFieldNames"] = unique
		}
	}
	for k, v := range extra {
		ac[k] = v
	}
	var pc any // null when the action has no person, as for permission scripts
	if personContext != nil {
		pc = personContext
	}
	input, err := object.Marshal(map[string]any{"actionContext": ac, "personContext": pc})
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  %-21s ✗ %v\n", action, err)
		return nil
	}
	before, _ := d.stats()
	out, code, stderr, err := d.invoke(action, input)
	after, _ := d.stats()
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  %-21s ✗ %v\n%s", action, err, indent(stderr))
		return nil
	}
	mark := "✓"
	if !out.Success {
		mark = "✗"
		d.failures++
	}
	fmt.Fprintf(d.w, "  %-21s %s exit %d, %d requests\n", action, mark, code, after.Total-before.Total)
	for _, l := range out.AuditLogs {
		kind := "    "
		if l.IsError {
			kind = "  ! "
		}
		fmt.Fprintf(d.w, "  %s%-16s %s\n", kind, l.Action, l.Message)
	}
	return out
}

// expect prints what the HelloID user can rely on after a step, and counts
// a failure when it does not hold.
func (d *demo) expect(ok bool, format string, args ...any) {
	mark := "✓"
	if !ok {
		mark = "✗"
		d.failures++
	}
	fmt.Fprintf(d.w, "      %s %s\n", mark, fmt.Sprintf(format, args...))
}

// expectUnique checks a uniqueness check's answer.
func (d *demo) expectUnique(out *helloid.Output, want []string, why string) {
	if out == nil {
		return // the step said why
	}
	var got []string
	if out.NonUniqueFields != nil {
		got = *out.NonUniqueFields
	}
	fmt.Fprintf(d.w, "      NonUniqueFields %s\n", jsonList(got))
	d.expect(out.NonUniqueFields != nil && slices.Equal(got, want), "%s", why)
}

func jsonList(list []string) string {
	b, _ := json.Marshal(append([]string{}, list...))
	return string(b)
}

// doorProfile is the person's door profile as IPassan holds it ("" for none
// or when it cannot be read).
func (d *demo) doorProfile(ref string) string {
	resp, err := http.Get(d.fakeURL + "/_fake/sites/" + demoSite + "/persons")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var persons []fake.Person
	if json.NewDecoder(resp.Body).Decode(&persons) != nil {
		return ""
	}
	for _, p := range persons {
		if strings.EqualFold(p.UUID, ref) {
			return p.AccessType.Slot(ipassan.SlotDoorPermanent)
		}
	}
	return ""
}

// clearByHand empties the person's door profile straight in IPassan, as
// someone in IPassan's own screens would, outside HelloID.
func (d *demo) clearByHand(ref string) error {
	base, err := url.Parse(d.fakeURL)
	if err != nil {
		return err
	}
	client, err := ipassan.New(ipassan.Options{BaseURL: base, SiteID: demoSite, ClientID: demoClient, ClientSecret: secret.New(demoSecret)})
	if err != nil {
		return err
	}
	var form ipassan.Form
	form.SetSlot(ipassan.SlotDoorPermanent, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err = client.UpdatePerson(ctx, ref, form)
	return err
}

// subPermissionLine is one line of import-subpermissions.
type subPermissionLine struct {
	PermissionReference      helloid.Identification
	DisplayName              string
	Description              string
	AccountReferences        []string
	SubPermissionReference   helloid.SubReference
	SubPermissionDisplayName string
}

// importLines runs an import action with a context holding only the
// Configuration, as the import wrappers do, and reads its JSON Lines.
func (d *demo) importLines(action string) ([]subPermissionLine, error) {
	input, err := object.Marshal(map[string]any{"actionContext": map[string]any{"Configuration": d.configuration, "DryRun": false}})
	if err != nil {
		return nil, err
	}
	stdout, code, stderr, err := d.exec(action, input)
	if err == nil && code != 0 {
		err = fmt.Errorf("exit status %d", code)
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr))
	}
	var lines []subPermissionLine
	dec := json.NewDecoder(bytes.NewReader(stdout))
	dec.DisallowUnknownFields()
	for dec.More() {
		var l subPermissionLine
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("a line is not in the template's shape: %v", err)
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// invoke runs ipassan-connector with the context on standard input.
func (d *demo) invoke(action string, input []byte) (*helloid.Output, int, string, error) {
	stdout, code, stderr, err := d.exec(action, input)
	if err != nil {
		return nil, code, stderr, err
	}
	var out helloid.Output
	if err := json.Unmarshal(stdout, &out); err != nil {
		return nil, code, stderr, fmt.Errorf("the answer is not JSON: %q", stdout)
	}
	return &out, code, stderr, nil
}

// exec runs ipassan-connector for action with input on standard input, as a
// wrapper does, and returns what it printed and its exit status (-1 when it
// could not be run).
func (d *demo) exec(action string, input []byte) (stdout []byte, code int, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.connector, action, "--log-level", "warn")
	cmd.Stdin = bytes.NewReader(input)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, -1, errOut.String(), err
	}
	return out.Bytes(), cmd.ProcessState.ExitCode(), errOut.String(), nil
}

func (d *demo) stats() (fakeproc.Stats, error) { return fakeproc.ReadStats(d.fakeURL) }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "      " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n      ") + "\n"
}
