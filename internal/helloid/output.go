package helloid

import (
	"io"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// Audit Action names HelloID knows.
const (
	CreateAccount    = "CreateAccount"
	CorrelateAccount = "CorrelateAccount"
	UpdateAccount    = "UpdateAccount"
	EnableAccount    = "EnableAccount"
	DisableAccount   = "DisableAccount"
	DeleteAccount    = "DeleteAccount"
	GrantPermission  = "GrantPermission"
	RevokePermission = "RevokePermission"
	UpdatePermission = "UpdatePermission"
	// NoAction is the empty Action of an audit line where none of HelloID's
	// values fits (listing permissions, a uniqueness check: HelloID shows no
	// audit log for those). The key is printed all the same, so every audit
	// line has the contract's {Action, Message, IsError}.
	NoAction = ""
)

// AuditLog is one line the HelloID user sees.
type AuditLog struct {
	Action  string `json:"Action"`
	Message string `json:"Message"`
	IsError bool   `json:"IsError"`
}

// Permission is one entry of the permissions action.
type Permission struct {
	DisplayName    string         `json:"DisplayName"`
	Identification Identification `json:"Identification"`
}

// Identification is how HelloID refers back to a permission in grant and revoke.
type Identification struct {
	Reference string `json:"Reference"`
}

// SubPermission is one entry of the desired set a dynamic permission prints.
type SubPermission struct {
	DisplayName string       `json:"DisplayName"`
	Reference   SubReference `json:"Reference"`
}

// SubReference identifies a sub-permission.
type SubReference struct {
	ID string `json:"Id"`
}

// Output is the outputContext, with HelloID's key casing. Keys that an action
// does not set are left out, except Success and AuditLogs, which are always there.
type Output struct {
	Success           bool             `json:"Success"`
	AccountReference  *string          `json:"AccountReference,omitempty"`
	AccountCorrelated *bool            `json:"AccountCorrelated,omitempty"`
	Data              *object.Object   `json:"Data,omitempty"`
	PreviousData      *object.Object   `json:"PreviousData,omitempty"`
	AuditLogs         []AuditLog       `json:"AuditLogs"`
	Permissions       *[]Permission    `json:"Permissions,omitempty"`
	SubPermissions    *[]SubPermission `json:"SubPermissions,omitempty"`
	// NonUniqueFields: the uniqueness check's answer, the Data fields whose
	// value another account already holds.
	NonUniqueFields *[]string `json:"NonUniqueFields,omitempty"`
}

// Log appends an audit line.
func (o *Output) Log(action, message string, isError bool) {
	o.AuditLogs = append(o.AuditLogs, AuditLog{Action: action, Message: message, IsError: isError})
}

// Fail marks the action failed with one error audit line.
func (o *Output) Fail(action, message string) {
	o.Success = false
	o.Log(action, message, true)
}

// Failure is the outputContext for an action that could not run at all.
func Failure(action, message string) *Output {
	o := &Output{}
	o.Fail(action, message)
	return o
}

// Redact passes every audit message through scrub (a secret.Redactor's
// Redact), before JSON encoding can hide a secret behind escapes.
func (o *Output) Redact(scrub func(string) string) {
	for i := range o.AuditLogs {
		o.AuditLogs[i].Message = scrub(o.AuditLogs[i].Message)
	}
}

// Write prints the outputContext as one JSON document and a newline.
func (o *Output) Write(w io.Writer) error {
	if o.AuditLogs == nil {
		o.AuditLogs = []AuditLog{}
	}
	b, err := object.Marshal(o)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
