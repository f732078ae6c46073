// Package actions is the one list of what ipassan-connector does for HelloID.
// Per action it holds the command name, the HelloID script that runs it, the
// audit Action of its log lines, what it reads from the context, its help,
// how an admin builds its context by hand from HelloID's files, what it
// prints, and the connector function that runs it.
//
// The command line, the wrappers' test, the context builder and validate all
// read from here. Adding an action is one entry below, its connector
// function, its wrapper and its tests; nothing else.
package actions

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/connector"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
)

// Action is one thing HelloID (or an admin) asks the binary to do.
type Action struct {
	// Name is the command: ipassan-connector <Name>.
	Name string
	// Script is the wrapper under helloid/ that HelloID runs for it, named as
	// HelloID names the script slot.
	Script string
	// Audit is HelloID's audit Action of the action's log lines, also of the
	// one line that says why it could not run at all.
	Audit string
	// Reads is what the action reads from the context (the CLI contract's
	// "reads" column).
	Reads []string

	// Short, Long and Example are the command's own help; the command line
	// adds what all actions share (input, output, building by hand).
	Short, Long, Example string

	// Build says how an admin builds the action's context by hand, from
	// --config and HelloID's other files.
	Build Build
	// LookupKey says how the action uses Data._extension.accessProfileLookupKey,
	// which validate checks for sample persons: Required when the action fails
	// without a mapped key, Optional when it leaves access alone without one.
	LookupKey Need
	// Flags are the flags only this action takes.
	Flags []Flag

	// Exactly one of Run and Import is set. Run answers with one
	// outputContext; Import streams JSON Lines through emit and returns how
	// many it wrote.
	Run    func(c *connector.Connector, ctx context.Context, in *helloid.Context) *helloid.Output
	Import func(c *connector.Connector, ctx context.Context, in *helloid.Context, emit func(any) error) (int, error)
	// Deadline picks the action's deadline from the configuration and
	// whether it runs as HelloID's preview (DryRun, or --preview); 0 means
	// none. nil means actionTimeoutSeconds.
	Deadline func(cfg config.Config, preview bool) time.Duration
}

// JSONLines reports whether the action prints JSON Lines instead of one
// outputContext.
func (a Action) JSONLines() bool { return a.Import != nil }

// Timeout is the action's deadline under cfg, in a preview or not; 0 is none.
func (a Action) Timeout(cfg config.Config, preview bool) time.Duration {
	if a.Deadline != nil {
		return a.Deadline(cfg, preview)
	}
	return cfg.ActionTimeout
}

// Need says whether an action needs a part of its context.
type Need uint8

const (
	// Unused: the action does not read it; the flag that gives it is not offered.
	Unused Need = iota
	// Accepted: taken, for scripts written for HelloID's whole context, but
	// not offered in the help: the action does not read it.
	Accepted
	// Optional: offered, not required.
	Optional
	// Required: building the context by hand without it is a usage error.
	Required
)

// Build is how an action's context is built from HelloID's own files, what
// HelloID itself would put there.
type Build struct {
	// MapFor is the fieldMapping.json action (MapForActions) HelloID maps
	// the action's Data for; "" when HelloID sends it no Data.
	MapFor string
	// Data comes from --field-mapping, evaluated for MapFor against --person;
	// Unused where the action does not read the Data HelloID sends it.
	Data Need
	// Person is personContext, from --person. Data needs it too.
	Person Need
	// Account is References.Account, from --account-ref.
	Account Need
	// Permission is References.Permission, from --permission.
	Permission Need
	// Correlation is CorrelationConfiguration: --correlate or --no-correlate,
	// --correlation-field.
	Correlation bool
	// SubPermissions are Operation (--operation) and CurrentPermissions
	// (--current-permission), a dynamic permission's.
	SubPermissions bool
	// ImportFields are ImportFields, from --import-field.
	ImportFields bool
	// UniqueFields are UniqueFieldNames, from --unique-field.
	UniqueFields bool
	// MissingIsSuccess is HelloID's rule that an account that does not exist
	// is success for this action (nothing left to do). Run by hand it fails
	// unless --allow-missing: a mistyped reference must not look done.
	MissingIsSuccess bool
}

// Flag is a flag only some actions take. The command line registers it; once
// the context is read and the connector built, before the deadline is set,
// Apply makes a given flag felt. Apply does no input or output.
type Flag struct {
	Name  string
	Usage string
	Kind  FlagKind
	// Apply receives the flag's value as text ("true" for a switch).
	Apply func(value string, c *connector.Connector, in *helloid.Context) error
	// Limit, instead of Apply, makes the flag (a Number) the most JSON lines
	// the action prints: then it stops, successfully.
	Limit bool
}

// FlagKind is the type of a Flag's value.
type FlagKind uint8

// Kinds of flag values.
const (
	Switch FlagKind = iota
	Text
	Number
)

// The parts of a context an action may read (the contract's "reads" column).
const (
	ReadsData               = "Data"
	ReadsCorrelation        = "CorrelationConfiguration"
	ReadsAccount            = "References.Account"
	ReadsPermission         = "References.Permission"
	ReadsCurrentPermissions = "CurrentPermissions"
	ReadsOperation          = "Operation"
	ReadsPerson             = "personContext"
	ReadsImportFields       = "ImportFields"
	ReadsUniqueFieldNames   = "UniqueFieldNames"
	ReadsConfiguration      = "Configuration"
)

// lines adapts a connector import that emits typed lines.
func lines[T any](imp func(*connector.Connector, context.Context, *helloid.Context, func(T) error) (int, error)) func(*connector.Connector, context.Context, *helloid.Context, func(any) error) (int, error) {
	return func(c *connector.Connector, ctx context.Context, in *helloid.Context, emit func(any) error) (int, error) {
		return imp(c, ctx, in, func(line T) error { return emit(line) })
	}
}

// importDeadline: HelloID stops an import's preview after 90 s, so a preview
// stops at importTimeoutSeconds; a full import has no limit in HelloID, and
// none here (each request still has its own timeout and retries).
func importDeadline(c config.Config, preview bool) time.Duration {
	if preview {
		return c.ImportTimeout
	}
	return 0
}

// RetrieveTimeout is the deadline of the retrieve-permissions actions. HelloID
// gives retrieving permissions 15 minutes, not the 30 s of an action, and the
// wrappers wait 14.5 of them: reading a large, slow site for its profiles
// (--include-site-profiles) may take that long, and the binary still answers
// before its wrapper gives up.
const RetrieveTimeout = 14 * time.Minute

func retrieveDeadline(config.Config, bool) time.Duration { return RetrieveTimeout }

// preview is the imports' --preview: HelloID's $dryRun, which the wrappers
// pass on, made DryRun in the context.
var preview = Flag{
	Name: "preview", Kind: Switch,
	Usage: "HelloID's preview: stop at importTimeoutSeconds (default 85), within the 90 s HelloID gives a preview; without it an import has no deadline",
	Apply: func(value string, _ *connector.Connector, in *helloid.Context) error {
		if value == "true" {
			in.Action.Set("DryRun", true)
		}
		return nil
	},
}

// most is an import's limit on the lines it prints, as a preview asks.
func most(name, what string) Flag {
	return Flag{Name: name, Kind: Number, Limit: true, Usage: "print at most this many " + what + ", then stop (a preview shows only so many)"}
}

// all is every action, in the order the contract lists them.
var all = []Action{
	{
		Name: "create", Script: "create.ps1", Audit: helloid.CreateAccount,
		Reads: []string{ReadsData, ReadsCorrelation},
		Short: "Create the IPassan person, or correlate with an existing one",
		Long: `With correlation enabled, reads the whole site for persons whose AccountField equals the
correlation value: none found creates the person from Data (without _extension), one found
is taken over without any write (AccountCorrelated: true), several found fails.`,
		Build: Build{MapFor: "Create", Data: Required, Person: Required, Correlation: true},
		Run:   (*connector.Connector).Create,
	},
	{
		Name: "update", Script: "update.ps1", Audit: helloid.UpdateAccount,
		Reads: []string{ReadsAccount, ReadsData},
		Short: "Update the mapped fields that differ, and move the door profile on a job change",
		Long: `Reads the person, compares each mapped field as text and sends only what differs. In
lifecycle mode a person who has a door profile gets the one Data._extension.accessProfileLookupKey
maps to; a person without one is never given one (update does not enable).`,
		Build:     Build{MapFor: "Update", Data: Required, Person: Required, Account: Required},
		LookupKey: Optional,
		Run:       (*connector.Connector).Update,
	},
	{
		Name: "enable", Script: "enable.ps1", Audit: helloid.EnableAccount,
		Reads: []string{ReadsAccount, ReadsData},
		Short: "Give the person the door profile its lookup key maps to",
		Long: `Maps Data._extension.accessProfileLookupKey through the access-profile mapping table, sets the
doorPermanent slot and reads it back: IPassan silently ignores unknown profile GUIDs.`,
		Build:     Build{MapFor: "Enable", Data: Required, Person: Required, Account: Required},
		LookupKey: Required,
		Run:       (*connector.Connector).Enable,
	},
	{
		Name: "disable", Script: "disable.ps1", Audit: helloid.DisableAccount,
		Reads: []string{ReadsAccount},
		Short: "Remove the person's door profile (doorPermanent only)",
		Long: `Clears the doorPermanent slot and reads it back. The other slots are left alone. A person
that no longer exists counts as disabled.`,
		Build: Build{MapFor: "Disable", Data: Accepted, Person: Accepted, Account: Required, MissingIsSuccess: true},
		Run:   (*connector.Connector).Disable,
	},
	{
		Name: "delete", Script: "delete.ps1", Audit: helloid.DeleteAccount,
		Reads: []string{ReadsAccount},
		Short: "Delete the IPassan person",
		Long:  `Deletes the person. A person that no longer exists counts as deleted.`,
		Build: Build{MapFor: "Delete", Data: Accepted, Person: Accepted, Account: Required, MissingIsSuccess: true},
		Run:   (*connector.Connector).Delete,
	},
	{
		Name: "permissions", Script: "permissions.ps1", Audit: helloid.NoAction,
		Reads: []string{ReadsConfiguration},
		Short: "List the access profiles HelloID can grant",
		Long: `Lists each distinct profile of the access-profile mapping table once, in row order, as
Permissions [{DisplayName, Identification: {Reference: <profile GUID>}}]. With
--include-site-profiles (or permissionsIncludeSiteProfiles), also every profile GUID found on
the site's persons, named by its GUID.`,
		Flags: []Flag{{
			Name: "include-site-profiles", Kind: Switch, Usage: "also list the profile GUIDs found on the site's persons",
			Apply: func(value string, c *connector.Connector, _ *helloid.Context) error {
				c.Config.IncludeSiteProfiles = c.Config.IncludeSiteProfiles || value == "true"
				return nil
			},
		}},
		Run:      (*connector.Connector).Permissions,
		Deadline: retrieveDeadline,
	},
	{
		Name: "grant", Script: "grantPermission.ps1", Audit: helloid.GrantPermission,
		Reads: []string{ReadsAccount, ReadsPermission},
		Short: "Put the granted access profile in the permission slot",
		Long: `Writes References.Permission's profile GUID to the permission slot (permissionAccessType,
default doorPermanent), replacing any other profile there (the audit log names it), and reads it
back. An account that does not exist fails.`,
		Build: Build{Account: Required, Permission: Required},
		Run:   (*connector.Connector).Grant,
	},
	{
		Name: "update-permission", Script: "updatePermission.ps1", Audit: helloid.UpdatePermission,
		Reads: []string{ReadsAccount, ReadsPermission},
		Short: "HelloID's force-update of a permission: grant it again, idempotently",
		Long: `What grant does, under the audit Action UpdatePermission: a profile still in the permission
slot is left as it is (nothing is written), one removed by hand in IPassan is put back and read
back. An account that does not exist fails.`,
		Build: Build{Account: Required, Permission: Required},
		Run:   (*connector.Connector).UpdatePermission,
	},
	{
		Name: "revoke", Script: "revokePermission.ps1", Audit: helloid.RevokePermission,
		Reads: []string{ReadsAccount, ReadsPermission},
		Short: "Clear the permission slot if it still holds the revoked profile",
		Long: `Clears the permission slot only when it holds the revoked profile: when HelloID granted a
new profile before revoking the old one, the new one stays. An account that does not exist
counts as revoked.`,
		Build: Build{Account: Required, Permission: Required, MissingIsSuccess: true},
		Run:   (*connector.Connector).Revoke,
	},
	{
		Name: "dynamic-permission", Script: "dynamicPermission.ps1", Audit: helloid.NoAction,
		Reads: []string{ReadsConfiguration},
		Short: "List the dynamic permission set's one permission, whose sub-permissions are the access profiles",
		Long: fmt.Sprintf(`The retrieve-permissions script of a dynamic permission set (single permission script
with sub-permissions): lists one permission, %q with the reference %s. HelloID then
runs subpermissions for it, which picks the access profile from the person's contracts.
Reads nothing and sends nothing to IPassan.`, connector.DynamicPermissionName, connector.DynamicPermissionReference),
		Example:  `  ipassan-connector dynamic-permission --config configuration.json`,
		Run:      (*connector.Connector).DynamicPermission,
		Deadline: retrieveDeadline,
	},
	{
		Name: "subpermissions", Script: "subPermissions.ps1", Audit: helloid.UpdatePermission,
		Reads: []string{ReadsAccount, ReadsCurrentPermissions, ReadsOperation, ReadsPerson},
		Short: "Dynamic permission: the access profile follows the person's contracts",
		Long: `Maps each contract in conditions (all contracts in a DryRun) through the mapping table by
contractLookupPath (default Title.Name); when contracts map to different profiles, the one whose
row comes first wins. Grants, revokes or keeps against CurrentPermissions (Operation revoke
desires none) and prints the whole desired set as SubPermissions.`,
		Build: Build{Person: Required, Account: Required, SubPermissions: true},
		Run:   (*connector.Connector).SubPermissions,
	},
	{
		Name: "uniqueness", Script: "uniquenessCheck.ps1", Audit: helloid.NoAction,
		Reads: []string{ReadsData, ReadsAccount, ReadsUniqueFieldNames},
		Short: "Uniqueness check: which of Data's fields another IPassan person already holds",
		Long: `For each field to check (UniqueFieldNames, from fieldMapping.json; mail when none is named),
reads the site once and answers NonUniqueFields: the fields whose value another IPassan person
already holds, compared as text, trimmed and without regard to case. The account being
checked (References.Account) does not count. Nothing is written.`,
		Build: Build{MapFor: "Create", Data: Required, Person: Required, Account: Optional, UniqueFields: true},
		Run:   (*connector.Connector).Uniqueness,
	},
	{
		Name: "import", Script: "import.ps1",
		Reads: []string{ReadsImportFields},
		Short: "Entitlement import: every person of the site as a HelloID account, one JSON line each",
		Long: `Prints every person of the site as one JSON line, streamed while the pages arrive:
{AccountReference, DisplayName ("first last", else the uuid), UserName (mail, else the uuid),
Enabled (has a doorPermanent profile), Data (the ImportFields that are not _extension ones, plus
number)}. On failure the lines already printed stand, the reason goes to standard error and
the exit status is 1. A preview (--preview) stops at importTimeoutSeconds (default 85) and
prints at most --max-accounts lines; a full import runs until the site is read.`,
		Example: `  ipassan-connector import < context.json > accounts.jsonl
  ipassan-connector import --context context.json | wc -l`,
		Build:    Build{ImportFields: true},
		Flags:    []Flag{preview, most("max-accounts", "accounts")},
		Import:   lines((*connector.Connector).ImportAccounts),
		Deadline: importDeadline,
	},
	{
		Name: "import-permissions", Script: "importPermissions.ps1",
		Reads: []string{ReadsConfiguration},
		Short: "Entitlement import: who holds which access profile, one JSON line per batch",
		Long: fmt.Sprintf(`Reads the whole site and prints, per access profile in the permission slot
(permissionAccessType), {PermissionReference: {Reference}, DisplayName, Description,
AccountReferences} with at most %d references a line. The mapping table's profiles come first,
in row order; profiles the table does not know follow, named by GUID. A profile nobody holds is
not printed, as HelloID's template does. On failure the reason goes to standard error and the
exit status is 1.`, connector.MaxBatch),
		Example:  `  ipassan-connector import-permissions < context.json > permissions.jsonl`,
		Flags:    []Flag{preview, most("max-permissions", "permission lines")},
		Import:   lines((*connector.Connector).ImportPermissions),
		Deadline: importDeadline,
	},
	{
		Name: "import-subpermissions", Script: "importSubPermissions.ps1",
		Reads: []string{ReadsConfiguration},
		Short: "Entitlement import of the dynamic permission: who holds which access profile, one JSON line per batch",
		Long: fmt.Sprintf(`Reads the whole site and prints, per access profile in the permission slot, the dynamic
permission's own PermissionReference with {SubPermissionReference: {Id}, SubPermissionDisplayName,
AccountReferences}, at most %d references a line: the mapping table's profiles first, in row
order, then profiles the table does not know, named by GUID. A profile nobody holds is not
printed. On failure the reason goes to standard error and the exit status is 1.`, connector.MaxBatch),
		Example:  `  ipassan-connector import-subpermissions < context.json > subpermissions.jsonl`,
		Flags:    []Flag{preview, most("max-permissions", "sub-permission lines")},
		Import:   lines((*connector.Connector).ImportSubPermissions),
		Deadline: importDeadline,
	},
}

// All returns every action, in the contract's order.
func All() []Action { return slices.Clone(all) }

// Lookup returns the action a command name names.
func Lookup(name string) (Action, bool) {
	i := slices.IndexFunc(all, func(a Action) bool { return a.Name == name })
	if i < 0 {
		return Action{}, false
	}
	return all[i], true
}

// Mapped returns, per fieldMapping.json action (the values MapForActions
// knows), the first action HelloID maps Data for with it, in order.
func Mapped() []Action {
	var out []Action
	for _, a := range all {
		if a.Build.MapFor != "" && !slices.ContainsFunc(out, func(b Action) bool { return b.Build.MapFor == a.Build.MapFor }) {
			out = append(out, a)
		}
	}
	return out
}

// MappedFor returns the mapped action whose command name or MapFor equals
// name, without regard to case.
func MappedFor(name string) (Action, bool) {
	for _, a := range Mapped() {
		if strings.EqualFold(a.Name, name) || strings.EqualFold(a.Build.MapFor, name) {
			return a, true
		}
	}
	return Action{}, false
}
