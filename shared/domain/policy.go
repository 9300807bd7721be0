package domain

import (
	"fmt"
	"strings"
)

// Role names as they appear in the roles claim. All but org-admin carry a
// target after a colon: "site-admin:SITE", "dc-admin:CONNECTOR", "site-app:SITE".
const (
	RoleOrgAdmin  = "org-admin"
	RoleSiteAdmin = "site-admin"
	RoleDCAdmin   = "dc-admin"
	RoleSiteApp   = "site-app"
)

// Role is one parsed entry of the roles claim.
type Role struct {
	Name   string
	Target string
}

// ParseRole parses one roles-claim entry. Entries that are not exactly one of
// the known forms, with a target of id characters, are rejected, so a role
// with a space, a bracket or an unknown name grants nothing.
func ParseRole(s string) (Role, bool) {
	if s == RoleOrgAdmin {
		return Role{Name: RoleOrgAdmin}, true
	}
	name, target, ok := strings.Cut(s, ":")
	if !ok {
		return Role{}, false
	}
	switch name {
	case RoleSiteAdmin, RoleSiteApp:
		if !ValidSiteID(target) {
			return Role{}, false
		}
	case RoleDCAdmin:
		if !ValidID(PrefixConnector, target) {
			return Role{}, false
		}
	default:
		return Role{}, false
	}
	return Role{Name: name, Target: target}, true
}

// Principal is the authenticated caller.
type Principal struct {
	Subject string
	OrgID   string
	Roles   []Role
}

// Has reports whether p holds role name for target ("" for org-admin).
func (p Principal) Has(name, target string) bool {
	for _, r := range p.Roles {
		if r.Name == name && r.Target == target {
			return true
		}
	}
	return false
}

// Action is something a principal may do to a resource.
type Action string

// Actions checked by Authorize.
const (
	ManageSites      Action = "manage sites"
	ManageConnectors Action = "manage connectors"
	ViewConnector    Action = "view connector"
	UpdateVersion    Action = "update connector version"
	ListLinkRequests Action = "list link requests"
	CreateLink       Action = "create link"
	ViewLink         Action = "view link"
	ReviewLink       Action = "review link"
	RotateLink       Action = "rotate link"
	DeleteLink       Action = "delete link"
	RequestToken     Action = "request token"
	ListLinks        Action = "list links"
)

// Resource identifies what an action applies to. Kind and ID name it in a
// not-found message; SiteID and ConnectorID are set where they apply.
type Resource struct {
	Kind        string
	ID          string
	OrgID       string
	SiteID      string
	ConnectorID string
}

// Authorize returns nil if p may perform a on r. A resource of another
// organization is KindNotFound, exactly as a missing one, so ids cannot be
// probed. A role that does not cover the action is KindForbidden.
func Authorize(p Principal, a Action, r Resource) error {
	if p.OrgID != r.OrgID {
		return NotFound(r.Kind, r.ID)
	}
	if allowed(p, a, r) {
		return nil
	}
	return Errorf(KindForbidden, "%s is not allowed to %s", p.Subject, a)
}

func allowed(p Principal, a Action, r Resource) bool {
	org := p.Has(RoleOrgAdmin, "")
	siteAdmin := r.SiteID != "" && p.Has(RoleSiteAdmin, r.SiteID)
	dcAdmin := r.ConnectorID != "" && p.Has(RoleDCAdmin, r.ConnectorID)
	switch a {
	case ManageSites, ManageConnectors:
		return org
	case ViewConnector, UpdateVersion, ListLinkRequests:
		return org || dcAdmin
	case CreateLink, RotateLink, DeleteLink, ListLinks:
		return org || siteAdmin
	case ViewLink:
		return org || siteAdmin || dcAdmin
	case ReviewLink:
		return dcAdmin
	case RequestToken:
		return r.SiteID != "" && p.Has(RoleSiteApp, r.SiteID)
	default:
		panic(fmt.Sprintf("domain: unknown action %q", a))
	}
}
