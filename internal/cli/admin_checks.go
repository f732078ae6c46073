package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/accessprofile"
	"github.com/ipassan-connector/ipassan-connector/internal/actions"
	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/contextbuild"
	"github.com/ipassan-connector/ipassan-connector/internal/fieldmapping"
	"github.com/ipassan-connector/ipassan-connector/internal/ipassan"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/siteindex"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// checkStatus is the outcome of one check of `validate`.
type checkStatus string

const (
	checkPass checkStatus = "pass"
	checkWarn checkStatus = "warn" // allowed at go-live, but look at it
	checkFail checkStatus = "fail"
	checkSkip checkStatus = "skip" // not run: something it needs failed
)

// checkResult is one line of `validate`.
type checkResult struct {
	Check   string      `json:"check"`
	Status  checkStatus `json:"status"`
	Message string      `json:"message"`
}

// Check names, in the order they run.
const (
	checkConfiguration = "configuration"
	checkConnectorPath = "connectorPath"
	checkHTTPS         = "https"
	checkCredentials   = "credentials"
	checkSite          = "site"
	checkSiteIndex     = "site index"
	checkMappingTable  = "mapping table"
	checkProfiles      = "profiles"
	checkFieldMapping  = "field mapping"
	checkLookupKey     = "lookup key"
)

// validator runs the go-live checks of one configuration. Each check that
// others depend on records whether it passed; a check whose prerequisite
// failed is listed as skipped, so the admin sees what was not looked at.
type validator struct {
	session      *adminSession
	cfg          *object.Object
	persons      []string // sample person files
	fieldMapping string   // fieldMapping.json, with persons

	goos string // runtime.GOOS: where validate runs decides how a missing file counts

	conn    *connector.Connector
	table   *accessprofile.Table
	results []checkResult
}

func (v *validator) add(check string, status checkStatus, format string, args ...any) {
	v.results = append(v.results, checkResult{Check: check, Status: status, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) skip(reason string, checks ...string) {
	for _, c := range checks {
		v.add(c, checkSkip, "not checked: %s", reason)
	}
}

// failures counts the failed checks.
func (v *validator) failures() int {
	n := 0
	for _, r := range v.results {
		if r.Status == checkFail {
			n++
		}
	}
	return n
}

// run runs every check.
func (v *validator) run(ctx context.Context) {
	if !v.configuration() {
		v.skip("the configuration has errors", checkCredentials, checkSite, checkMappingTable, checkProfiles)
		return
	}
	v.connectorPath()
	v.https()
	siteOK := false
	if v.credentials(ctx) {
		siteOK = v.site(ctx)
		if siteOK {
			v.siteIndex(ctx)
		}
	} else {
		v.skip("no token", checkSite)
	}
	tableOK := v.mappingTable()
	switch {
	case !siteOK:
		v.skip("the site cannot be read", checkProfiles)
	case !tableOK:
		v.skip("no mapping table", checkProfiles)
	default:
		v.profilesInUse(ctx)
	}
	if v.fieldMapping != "" {
		v.samplePersons()
	}
}

// configuration: the keys are there and well-formed, one line per problem.
func (v *validator) configuration() bool {
	if _, err := config.Parse(v.cfg); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			if strings.Contains(line, config.KeyClientSecret) {
				line += v.session.hint // where the secret goes, when it is missing
			}
			v.add(checkConfiguration, checkFail, "%s", line)
		}
		return false
	}
	conn, err := v.session.connect(v.cfg, true)
	if err != nil {
		v.add(checkConfiguration, checkFail, "%s", err)
		return false
	}
	v.conn = conn
	v.add(checkConfiguration, checkPass, "clientId, clientSecret, baseUrl and siteId are set and well-formed")
	return true
}

// agentOS is the operating system HelloID's on-premises agent runs on.
const agentOS = "windows"

// connectorPath checks the file HelloID's wrappers start. On Windows validate
// is usually run on the agent itself, so a missing file fails; elsewhere the
// path is one of the agents' and can only be warned about.
func (v *validator) connectorPath() {
	p := v.conn.Config.ConnectorPath
	if p == "" {
		v.add(checkConnectorPath, checkWarn, "%s is empty: HelloID's wrappers need the path of ipassan-connector on the agent", config.KeyConnectorPath)
		return
	}
	where := config.KeyConnectorPath + " " + contextbuild.QuotePath(p)
	info, err := os.Stat(p)
	if err != nil {
		v.notHere(checkConnectorPath, where, err, "HelloID's wrappers cannot start the connector on this agent", checkWarn, "")
		return
	}
	switch {
	case info.IsDir():
		v.add(checkConnectorPath, checkFail, "%s is a folder: name the program itself (ipassan-connector.exe in that folder)", where)
	case !info.Mode().IsRegular():
		v.add(checkConnectorPath, checkFail, "%s is not a regular file: name the program ipassan-connector.exe itself", where)
	case !filepath.IsAbs(p):
		v.add(checkConnectorPath, checkWarn, "%s exists here but is not a full path: the agent does not start it from this folder, so write the full path", where)
	default:
		v.add(checkConnectorPath, checkPass, "%s exists: HelloID's wrappers run it", where)
	}
}

// notHere reports a file of the configuration that cannot be found or read on
// this machine: a failure on Windows, where validate runs on the agent;
// elsewhere, where the path is the agents', what elsewhere says (a warning,
// or a failure for a file nothing can be checked without), with hint added.
func (v *validator) notHere(check, where string, err error, consequence string, elsewhere checkStatus, hint string) {
	missing := errors.Is(err, fs.ErrNotExist)
	switch {
	case v.goos == agentOS && missing:
		v.add(check, checkFail, "%s does not exist on this machine: %s", where, consequence)
	case v.goos == agentOS:
		v.add(check, checkFail, "%s cannot be read on this machine (%s): %s", where, statReason(err), consequence)
	case missing:
		v.add(check, elsewhere, "%s could not be found on this machine (%s); it must exist on every agent of the pool%s", where, v.goos, hint)
	default:
		v.add(check, elsewhere, "%s could not be read on this machine (%s: %s); it must exist on every agent of the pool%s", where, v.goos, statReason(err), hint)
	}
}

// statReason is the reason a file could not be looked at, without the path
// the message names already.
func statReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (v *validator) https() {
	u := v.conn.Config.BaseURL
	if u.Scheme == "https" {
		v.add(checkHTTPS, checkPass, "%s uses https", u)
		return
	}
	v.add(checkHTTPS, checkWarn, "%s is plain http, which is allowed only for a loopback test server such as ipassan-fake", u)
}

func (v *validator) credentials(ctx context.Context) bool {
	if err := v.conn.Client.Authenticate(ctx); err != nil {
		v.add(checkCredentials, checkFail, "%s", connector.Explain(err))
		return false
	}
	v.add(checkCredentials, checkPass, "IPassan issued a token to API client %s", textenc.Quote(v.conn.Config.ClientID))
	return true
}

// site reads one page, proving the site exists and the client may read it.
func (v *validator) site(ctx context.Context) bool {
	rows := 0
	info, err := v.conn.Client.ListPersons(ctx, "", v.conn.Config.PageSize, func(ipassan.Person) bool { rows++; return true })
	if err != nil {
		v.add(checkSite, checkFail, "%s", connector.Explain(err))
		return false
	}
	more := ""
	if info.Next != "" {
		more = ", more follow"
	}
	v.add(checkSite, checkPass, "site %s answers: its first page holds %s%s", v.conn.Config.SiteID, plural(rows, "person", "persons"), more)
	return true
}

// siteIndex says what this machine's site index holds (see siteindex), as
// found before validate reads the site itself: whether the next correlating
// create on this machine may be spared the whole-site read, and if not, why.
// An index is a saving, never a requirement, so this check never fails.
func (v *validator) siteIndex(ctx context.Context) {
	info, err := v.conn.SiteIndexInfo(ctx, ipassan.FieldNumber)
	maxAge := v.conn.Config.SiteIndexMaxAge
	switch {
	case errors.Is(err, siteindex.ErrOff):
		v.add(checkSiteIndex, checkPass, "%s is 0: the site index is off, so every correlating create reads the whole site", config.KeySiteIndexMaxAge)
	case errors.Is(err, siteindex.ErrMissing):
		v.add(checkSiteIndex, checkPass, "none on this machine yet: the next whole-site read (a correlating create, find, plan, or this validate) builds it in %s",
			contextbuild.QuotePath(filepath.Dir(info.Path)))
	case errors.Is(err, siteindex.ErrStale):
		v.add(checkSiteIndex, checkPass, "older than %s (%s): the next whole-site read renews it", config.KeySiteIndexMaxAge, maxAge)
	case err != nil:
		v.add(checkSiteIndex, checkWarn, "%s; the next whole-site read replaces it", err)
	default:
		age := time.Since(info.Built).Round(time.Second)
		v.add(checkSiteIndex, checkPass, "%s on this machine, built %s ago from a read of the site: correlating creates use it for another %s",
			plural(info.Persons, "person", "persons"), age, (maxAge - age).Round(time.Second))
	}
}

// mappingTable checks the access-profile mapping table: the file named by
// accessProfileMappingPath (or the text of accessProfileMapping) exists and
// is well-formed. Every message names the key and the path.
func (v *validator) mappingTable() bool {
	why := "enable"
	if v.conn.Config.AccessProfileSource == config.Permissions {
		why = "the permissions action"
	}
	path := v.conn.Config.MappingPath
	source := config.KeyMapping
	if path != "" {
		source = config.KeyMappingPath + " " + contextbuild.QuotePath(path)
		if !v.mappingFile(source, path) {
			return false
		}
	}
	t, err := v.conn.Mapping(why)
	if err != nil {
		if path != "" {
			v.add(checkMappingTable, checkFail, "%s: %s", source, withoutPath(err))
		} else {
			v.add(checkMappingTable, checkFail, "%s", err)
		}
		return false
	}
	v.table = t
	if path != "" && !filepath.IsAbs(path) {
		v.add(checkMappingTable, checkWarn, "%s is not a full path: the agent does not read it from this folder, so write the full path", source)
	}
	if t.Windows1252 {
		v.add(checkMappingTable, checkWarn, "%s is not UTF-8 and was read as Windows-1252 (what Excel saves): check the names with diacritics, or save it as UTF-8", source)
	}
	v.add(checkMappingTable, checkPass, "%s: %s, %s", source, plural(len(t.Rows()), "row", "rows"), plural(len(t.Profiles()), "access profile", "access profiles"))
	return true
}

// mappingFile checks that the mapping table's file is there. A table that is
// not there cannot be checked, so unlike connectorPath it fails on any
// system; elsewhere than on the agent the message says how to check a copy.
func (v *validator) mappingFile(source, path string) bool {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		v.notHere(checkMappingTable, source, err, "the actions that map or name access profiles would fail on this agent",
			checkFail, ". To check a copy of the table here: --set "+config.KeyMappingPath+"=FILE")
	case info.IsDir():
		v.add(checkMappingTable, checkFail, "%s is a folder: name the CSV file itself", source)
	default:
		return true
	}
	return false
}

// withoutPath is the reason a mapping file was refused, without the file's
// path: the message names it already, with its key.
func withoutPath(err error) string {
	inner := errors.Unwrap(err)
	if inner == nil {
		return err.Error()
	}
	var pe *fs.PathError
	if errors.As(inner, &pe) {
		return "cannot be read: " + pe.Err.Error()
	}
	return inner.Error()
}

// profilesInUse warns about every mapped profile that no person of the site
// has in any slot. IPassan has no endpoint listing profiles and silently
// ignores a GUID it does not know, so a profile seen on a person is the only
// proof that it exists.
func (v *validator) profilesInUse(ctx context.Context) {
	var inUse map[string]int
	var scanned int
	err := v.session.readingSite(v.conn, func() (err error) {
		inUse, scanned, err = v.conn.ProfilesOnPersons(ctx)
		return err
	})
	if err != nil {
		v.add(checkProfiles, checkFail, "reading the site: %s", connector.Explain(err))
		return
	}

	profiles := v.table.Profiles()
	unused := 0
	for _, prof := range profiles {
		if inUse[strings.ToLower(prof.ID)] > 0 {
			continue
		}
		unused++
		v.add(checkProfiles, checkWarn, "%s (%s, line %d) is on none of the %s of the site: IPassan ignores a GUID it does not know, so make sure it exists",
			textenc.Quote(prof.Name), prof.ID, firstLine(v.table, prof.ID), plural(scanned, "person", "persons"))
	}
	if unused == 0 {
		v.add(checkProfiles, checkPass, "%s on persons of the site", allOf(len(profiles), "the mapped access profile is", "mapped access profiles are"))
	}
}

// firstLine is the line of the first row naming a profile.
func firstLine(t *accessprofile.Table, id string) int {
	for _, r := range t.Rows() {
		if strings.EqualFold(r.ProfileID, id) {
			return r.Line
		}
	}
	return 0
}

// samplePersons maps each sample person for every action, and checks that
// the lookup keys update and enable would get are in the mapping table.
func (v *validator) samplePersons() {
	mapping, err := fieldmapping.Load(v.fieldMapping)
	if err != nil {
		v.add(checkFieldMapping, checkFail, "%s", err)
		return
	}
	for _, file := range v.persons {
		person, err := contextbuild.LoadPerson(file)
		if err != nil {
			v.add(checkFieldMapping, checkFail, "%s", err)
			continue
		}
		v.samplePerson(mapping, filepath.Base(file), person)
	}
}

func (v *validator) samplePerson(mapping *fieldmapping.Mapping, name string, person *object.Object) {
	data := map[string]*object.Object{}
	failed := false
	var mapped []string
	for _, a := range actions.Mapped() {
		mapped = append(mapped, a.Build.MapFor)
		d, err := mapping.Map(a.Build.MapFor, person, fieldmapping.Options{})
		if err != nil {
			v.add(checkFieldMapping, checkFail, "%s, %s: %s", name, a.Build.MapFor, err)
			failed = true
			continue
		}
		data[a.Name] = d
	}
	if !failed {
		v.add(checkFieldMapping, checkPass, "%s maps %s for %s", filepath.Base(v.fieldMapping), name, andList(mapped))
	}
	if v.table == nil {
		v.skip("no mapping table", checkLookupKey)
		return
	}
	if v.conn.Config.AccessProfileSource == config.Permissions {
		v.add(checkLookupKey, checkPass, "%s is permissions: enable and update leave access alone, HelloID grants profiles", config.KeyAccessProfileSource)
		return
	}
	for _, a := range actions.Mapped() {
		if d, ok := data[a.Name]; ok && a.LookupKey != actions.Unused {
			v.lookupKey(a, name, d)
		}
	}
}

// lookupKey checks the lookup key an action would get: an action that
// requires one fails without it, one that uses it if there warns.
func (v *validator) lookupKey(a actions.Action, name string, data *object.Object) {
	action := a.Build.MapFor
	raw, _ := data.Path(connector.LookupKeyPath)
	key, _ := object.Text(raw)
	key = strings.TrimSpace(key)
	switch row, mapped := v.table.Lookup(key); {
	case key == "" && a.LookupKey == actions.Required:
		v.add(checkLookupKey, checkFail, "%s, %s: the field mapping gives no %s, and %s needs it to choose the door profile", name, action, connector.LookupKeyPath, a.Name)
	case key == "":
		v.add(checkLookupKey, checkWarn, "%s, %s: the field mapping gives no %s, so %s will leave access alone", name, action, connector.LookupKeyPath, a.Name)
	case !mapped:
		v.add(checkLookupKey, checkFail, "%s, %s: lookup key %s is not in the mapping table", name, action, textenc.Quote(key))
	default:
		v.add(checkLookupKey, checkPass, "%s, %s: lookup key %s maps to %s (%s, line %d)", name, action, textenc.Quote(key), textenc.Quote(row.ProfileName), row.ProfileID, row.Line)
	}
}
