package domain

import "testing"

func TestParseRole(t *testing.T) {
	conn := "con_01M91CAK26RXN2JPF2JM829WQM"
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"org-admin", true},
		{"site-admin:site-1", true},
		{"site-app:site-1", true},
		{"dc-admin:" + conn, true},
		{"dc-admin:site-1", false},
		{"org-admin:x", false},
		{"site-admin:", false},
		{"site-admin:a b", false},
		{"site-admin:[x]", false},
		{"[org-admin]", false},
		{"ORG-ADMIN", false},
		{"superuser", false},
		{"", false},
	} {
		if _, ok := ParseRole(tc.in); ok != tc.ok {
			t.Errorf("ParseRole(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
	}
}

func TestAuthorizeOtherOrganizationIsNotFound(t *testing.T) {
	p := Principal{Subject: "u", OrgID: "beta", Roles: []Role{{Name: RoleOrgAdmin}}}
	err := Authorize(p, ViewLink, Resource{Kind: "link", ID: "lnk_x", OrgID: "acme", SiteID: "s"})
	if KindOf(err) != KindNotFound {
		t.Fatalf("other organization: %v, want KindNotFound", err)
	}
	p.OrgID = "acme"
	p.Roles = []Role{{Name: RoleSiteApp, Target: "s"}}
	if err := Authorize(p, ViewLink, Resource{Kind: "link", ID: "lnk_x", OrgID: "acme", SiteID: "s"}); KindOf(err) != KindForbidden {
		t.Fatalf("site-app viewing a link: %v, want KindForbidden", err)
	}
}
