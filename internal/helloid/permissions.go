package helloid

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/object"
)

// PermissionReference returns the permission HelloID passes back to grant and
// revoke in References.Permission: what the permissions action printed as
// Identification ({Reference: "…"}), an object with an Id, or the text itself.
func (c *Context) PermissionReference() (string, error) {
	refs, err := optionalObject(c.Action, "References")
	if err != nil {
		return "", fmt.Errorf("actionContext.%w", err)
	}
	v, _ := refs.Get("Permission")
	id, err := referenceID(v)
	if err != nil {
		return "", fmt.Errorf("actionContext.References.Permission %w", err)
	}
	if id == "" {
		return "", errors.New("actionContext.References.Permission is empty: no access profile to grant or revoke")
	}
	return id, nil
}

// referenceID reads {Reference: x}, {Id: x} or x.
func referenceID(v any) (string, error) {
	if o, ok := v.(*object.Object); ok {
		for _, key := range []string{"Reference", "Id"} {
			if inner, ok := o.Get(key); ok {
				return referenceID(inner)
			}
		}
		return "", errors.New("has neither Reference nor Id")
	}
	s, ok := object.Text(v)
	if !ok {
		return "", fmt.Errorf("must be a profile GUID, got %s", object.Kind(v))
	}
	return strings.TrimSpace(s), nil
}

// PermissionDisplayName is the name HelloID shows for the permission.
func (c *Context) PermissionDisplayName() string {
	v, _ := c.Action.Get("PermissionDisplayName")
	s, _ := object.Text(v)
	return strings.TrimSpace(s)
}

// Operations of a dynamic permission.
const (
	OperationGrant  = "grant"
	OperationUpdate = "update"
	OperationRevoke = "revoke"
)

// Operation is the dynamic permission's operation: grant, update or revoke.
func (c *Context) Operation() (string, error) {
	v, _ := c.Action.Get("Operation")
	s, ok := object.Text(v)
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case ok && (s == OperationGrant || s == OperationUpdate || s == OperationRevoke):
		return s, nil
	case ok && s == "":
		return "", errors.New("actionContext.Operation is missing: expected grant, update or revoke")
	}
	return "", fmt.Errorf("actionContext.Operation must be grant, update or revoke, got %s", quote(v))
}

// CurrentPermissions lists the sub-permissions HelloID has granted so far.
func (c *Context) CurrentPermissions() ([]SubPermission, error) {
	v, _ := c.Action.Get("CurrentPermissions")
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		if o, isObj := v.(*object.Object); isObj {
			list = []any{o} // PowerShell turns a one-element list into the element
		} else {
			return nil, fmt.Errorf("actionContext.CurrentPermissions must be a list, got %s", object.Kind(v))
		}
	}
	out := make([]SubPermission, 0, len(list))
	for i, item := range list {
		o, ok := item.(*object.Object)
		if !ok {
			return nil, fmt.Errorf("actionContext.CurrentPermissions[%d] must be an object, got %s", i, object.Kind(item))
		}
		ref, _ := o.Get("Reference")
		id, err := referenceID(ref)
		if err != nil || id == "" {
			return nil, fmt.Errorf("actionContext.CurrentPermissions[%d].Reference has no Id", i)
		}
		name, _ := o.Get("DisplayName")
		text, _ := object.Text(name)
		out = append(out, SubPermission{DisplayName: text, Reference: SubReference{ID: id}})
	}
	return out, nil
}

// ImportFields lists the mapped fields an import returns; nil when HelloID
// sent none.
func (c *Context) ImportFields() ([]string, error) {
	v, _ := c.Action.Get("ImportFields")
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		if s, isText := v.(string); isText {
			list = []any{s}
		} else {
			return nil, fmt.Errorf("actionContext.ImportFields must be a list of field names, got %s", object.Kind(v))
		}
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("actionContext.ImportFields[%d] must be a field name, got %s", i, object.Kind(item))
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out, nil
}
