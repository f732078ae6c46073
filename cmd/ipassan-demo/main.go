// Command ipassan-demo runs the whole account lifecycle for two persons, the
// way HelloID would: it starts ipassan-fake on loopback, maps each HelloID
// person through fieldMapping.json, pipes the context into ipassan-connector
// for create → enable → update (a job change) → disable → delete, and prints
// each action's audit log. It exits 1 when any action fails, so CI notices.
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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/fakeproc"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// The demo's IPassan, as testdata/fake/seed.json defines it.
const (
	demoSite     = "3f2c7a10-9d4b-4e61-b7a2-5c8e0f1d2a34"
	demoClient   = "demo-client"
	demoSecret   = "demo-secret-not-for-production"
	correlateOn  = "number"
	personIDPath = "Person.ExternalId"
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
	stats, _ := d.stats()
	fmt.Fprintf(w, "\n%d actions, %d failed; IPassan received %d requests, %d of them writes.\n",
		d.actions, d.failures, stats.Total, stats.Writes)
	if d.failures > 0 {
		return fmt.Errorf("%d of %d actions failed", d.failures, d.actions)
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
	raw, err := os.ReadFile(file)
	if err == nil {
		var person *object.Object
		if person, err = object.DecodeObject(raw); err == nil {
			d.lifecycle(s, person)
			return
		}
	}
	d.failures++
	fmt.Fprintf(d.w, "\n%s: cannot read %s: %v\n", s.source, file, err)
}

func (d *demo) lifecycle(s scenario, person *object.Object) {
	title, _ := person.Path("PrimaryContract.Title.Name")
	id, _ := person.Path("ExternalId")
	name, _ := person.Path("DisplayName")
	fmt.Fprintf(d.w, "\n%s — %v (%v), %v\n", s.source, name, id, title)

	personContext := object.New()
	personContext.Set("Person", person)
	personContext.Set("Manager", nil)

	created := d.step("create", "", personContext, map[string]any{
		"CorrelationConfiguration": map[string]any{
			"Enabled": true, "PersonField": personIDPath, "PersonFieldValue": id,
			"AccountField": correlateOn, "AccountFieldValue": id,
		},
	})
	if created == nil || created.AccountReference == nil {
		return
	}
	ref := *created.AccountReference
	d.step("enable", ref, personContext, nil)

	fmt.Fprintf(d.w, "  (job change in HR: %v → %s)\n", title, s.newTitle)
	setTitle(person, s.newTitle)
	d.step("update", ref, personContext, nil)
	d.step("disable", ref, personContext, nil)
	d.step("delete", ref, personContext, nil)
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
// prints its audit log.
func (d *demo) step(action, ref string, personContext *object.Object, extra map[string]any) *helloid.Output {
	d.actions++
	data, err := d.mapping.Map(action, personContext, fieldmapping.Options{})
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  %-8s ✗ mapping failed: %v\n", action, err)
		return nil
	}
	ac := map[string]any{
		"Configuration": d.configuration, "Data": data, "DryRun": false,
		"References": map[string]any{"Account": nilIfEmpty(ref), "ManagerAccount": nil},
	}
	for k, v := range extra {
		ac[k] = v
	}
	input, err := object.Marshal(map[string]any{"actionContext": ac, "personContext": personContext})
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  %-8s ✗ %v\n", action, err)
		return nil
	}
	before, _ := d.stats()
	out, code, stderr, err := d.invoke(action, input)
	after, _ := d.stats()
	if err != nil {
		d.failures++
		fmt.Fprintf(d.w, "  %-8s ✗ %v\n%s", action, err, indent(stderr))
		return nil
	}
	mark := "✓"
	if !out.Success {
		mark = "✗"
		d.failures++
	}
	fmt.Fprintf(d.w, "  %-8s %s exit %d, %d requests\n", action, mark, code, after.Total-before.Total)
	for _, l := range out.AuditLogs {
		kind := "    "
		if l.IsError {
			kind = "  ! "
		}
		fmt.Fprintf(d.w, "  %s%-16s %s\n", kind, l.Action, l.Message)
	}
	return out
}

// invoke runs ipassan-connector with the context on standard input.
func (d *demo) invoke(action string, input []byte) (*helloid.Output, int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.connector, action, "--log-level", "warn")
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, -1, stderr.String(), err
	}
	var out helloid.Output
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, cmd.ProcessState.ExitCode(), stderr.String(), fmt.Errorf("the answer is not JSON: %q", stdout.String())
	}
	return &out, cmd.ProcessState.ExitCode(), stderr.String(), nil
}

type stats struct {
	Total  int `json:"total"`
	Writes int `json:"writes"`
}

func (d *demo) stats() (stats, error) {
	var s stats
	resp, err := http.Get(d.fakeURL + "/_fake/stats")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

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
