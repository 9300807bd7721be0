package httpapi_test

import (
	"fmt"
	"testing"
)

// TestAuthorizationMatrix sends every route as every role, of the resource's
// organization and of another one, and checks the exact status. Bodies are
// chosen so that an allowed caller is stopped by a state or validation rule
// (409, 422) instead of changing anything, which keeps the cells independent.
func TestAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	org := w.orgAdmin
	h.must(h.do(org, "PUT /sites/{siteId}", map[string]string{"siteId": "site-two"}, map[string]any{"name": "two", "url": "https://two.example.com"}, nil), 201)
	k1 := w.connector
	k2 := h.must(h.do(org, "POST /connectors", nil, map[string]any{"name": "k2", "product": "jira", "version": "11.3", "displayUrl": h.dc.URL}, nil), 201).body["id"].(string)
	k3 := h.must(h.do(org, "POST /connectors", nil, map[string]any{"name": "k3", "product": "jira", "version": "11.3", "displayUrl": h.dc.URL}, nil), 201).body["id"].(string)

	connected := h.connectedLink(w, "READ")
	pending := h.must(h.do(org, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": k2, "scopes": []string{"READ"}}, nil), 201).body["id"].(string)
	rejected := h.must(h.do(org, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": k3, "scopes": []string{"READ"}}, nil), 201).body["id"].(string)
	h.must(h.do(actor{sub: "dc3", org: "acme", roles: []string{"dc-admin:" + k3}}, "POST /links/{linkId}/reject", linkParams(rejected), nil, nil), 200)

	type cells [7]int // org-admin, site-admin this, site-admin other, dc-admin this, dc-admin other, site-app, no roles
	rows := []struct {
		routeKey  string
		params    map[string]string
		body      any
		query     string
		connector string // the connector a dc-admin of "this" administers
		same      cells
		other     cells
	}{
		{"PUT /sites/{siteId}", map[string]string{"siteId": w.site}, map[string]any{"name": "x", "url": "https://x.example.com"}, "", k1,
			cells{200, 403, 403, 403, 403, 403, 403}, cells{404, 403, 403, 403, 403, 403, 403}},
		{"POST /connectors", nil, map[string]any{"name": "x", "product": "jira", "version": "11.2", "displayUrl": "https://x.example.com"}, "", k1,
			cells{422, 403, 403, 403, 403, 403, 403}, cells{422, 403, 403, 403, 403, 403, 403}},
		{"GET /connectors", nil, nil, "", k1,
			cells{200, 403, 403, 403, 403, 403, 403}, cells{200, 403, 403, 403, 403, 403, 403}},
		{"GET /connectors/{connectorId}", map[string]string{"connectorId": k1}, nil, "", k1,
			cells{200, 403, 403, 200, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"PATCH /connectors/{connectorId}", map[string]string{"connectorId": k1}, map[string]any{"version": "11.2"}, "", k1,
			cells{422, 403, 403, 422, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"DELETE /connectors/{connectorId}", map[string]string{"connectorId": k1}, nil, "", k1,
			cells{409, 403, 403, 403, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"POST /links", nil, map[string]any{"siteId": w.site, "connectorId": k1, "scopes": []string{"READ"}}, "", k1,
			cells{409, 409, 403, 403, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"GET /connectors/{connectorId}/link-requests", map[string]string{"connectorId": k2}, nil, "", k2,
			cells{200, 403, 403, 200, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"POST /links/{linkId}/accept", linkParams(pending), map[string]any{"scopes": []string{"ADMIN"}}, "", k2,
			cells{403, 403, 403, 422, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"POST /links/{linkId}/reject", linkParams(connected), nil, "", k1,
			cells{403, 403, 403, 409, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"GET /links/{linkId}", linkParams(connected), nil, "", k1,
			cells{200, 200, 403, 200, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"GET /links", nil, nil, "siteId=" + w.site, k1,
			cells{200, 200, 403, 403, 403, 403, 403}, cells{200, 200, 403, 403, 403, 403, 403}},
		{"GET /links/{linkId}/events", linkParams(connected), nil, "", k1,
			cells{200, 200, 403, 200, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"POST /links/{linkId}/rotate", linkParams(pending), nil, "", k2,
			cells{409, 409, 403, 403, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"DELETE /links/{linkId}", linkParams(rejected), nil, "", k3,
			cells{409, 409, 403, 403, 403, 403, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
		{"POST /links/{linkId}/token", linkParams(connected), nil, "", k1,
			cells{403, 403, 403, 403, 403, 200, 403}, cells{404, 404, 404, 404, 404, 404, 404}},
	}
	names := [7]string{"org-admin", "site-admin this", "site-admin other", "dc-admin this", "dc-admin other", "site-app", "no roles"}
	for _, row := range rows {
		otherConnector := k1
		if row.connector == k1 {
			otherConnector = k2
		}
		for _, orgID := range []string{"acme", "beta"} {
			actors := [7]actor{
				{sub: "u-org", org: orgID, roles: []string{"org-admin"}},
				{sub: "u-site", org: orgID, roles: []string{"site-admin:" + w.site}},
				{sub: "u-site2", org: orgID, roles: []string{"site-admin:site-two"}},
				{sub: "u-dc", org: orgID, roles: []string{"dc-admin:" + row.connector}},
				{sub: "u-dc2", org: orgID, roles: []string{"dc-admin:" + otherConnector}},
				{sub: "u-app", org: orgID, roles: []string{"site-app:" + w.site}},
				{sub: "u-none", org: orgID},
			}
			want := row.same
			if orgID != "acme" {
				want = row.other
			}
			for i, a := range actors {
				t.Run(fmt.Sprintf("%s/%s/%s", row.routeKey, orgID, names[i]), func(t *testing.T) {
					var hdr map[string]string
					if row.query != "" {
						hdr = map[string]string{"?": row.query}
					}
					r := h.do(a, row.routeKey, row.params, row.body, hdr)
					if r.status != want[i] {
						t.Fatalf("status = %d, want %d; %s", r.status, want[i], r.raw)
					}
					if row.routeKey == "GET /links" && orgID != "acme" && r.status == 200 {
						if n := len(r.body["items"].([]any)); n != 0 {
							t.Errorf("another organization listed %d links of acme", n)
						}
					}
				})
			}
		}
	}
	if got := h.link(t, pending).Status; got != "PENDING" {
		t.Errorf("matrix changed the pending link to %s", got)
	}
	if got := h.link(t, connected).Credential.Version; got != 1 {
		t.Errorf("matrix changed the connected link's credential to version %d", got)
	}
}
