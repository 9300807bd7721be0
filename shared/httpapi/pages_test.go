package httpapi_test

import (
	"net/url"
	"testing"
)

// collect follows nextCursor from page to page with limit=1 and returns the
// ids of every item.
func (h *harness) collect(t *testing.T, caller actor, routeKey string, params map[string]string, query string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 50 {
		q := query + "&limit=1"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := h.do(caller, routeKey, params, nil, map[string]string{"?": q})
		if r.status != 200 {
			t.Fatalf("%s page %d: status %d: %s", routeKey, len(ids), r.status, r.raw)
		}
		for _, it := range r.body["items"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		next, _ := r.body["nextCursor"].(string)
		if next == "" {
			return ids
		}
		cursor = next
	}
	t.Fatalf("%s: more than 50 pages", routeKey)
	return nil
}

func TestPaginationVisitsEveryItem(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	for _, site := range []string{"p1", "p2", "p3"} {
		h.must(h.do(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": site}, map[string]any{"name": site, "url": "https://" + site + ".example.com"}, nil), 201)
		h.must(h.do(w.orgAdmin, "POST /links", nil, map[string]any{"siteId": site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil), 201)
	}
	h.must(h.do(w.orgAdmin, "POST /connectors", nil, map[string]any{"name": "second", "product": "jira", "version": "11.3", "displayUrl": "https://dc2.example.com"}, nil), 201)

	if got := h.collect(t, w.orgAdmin, "GET /connectors", nil, "x=1"); len(got) != 2 {
		t.Errorf("connectors listed = %v, want 2", got)
	}
	if got := h.collect(t, w.orgAdmin, "GET /links", nil, "x=1"); len(got) != 3 {
		t.Errorf("links listed = %v, want 3", got)
	}
	if got := h.collect(t, w.orgAdmin, "GET /links", nil, "status=PENDING"); len(got) != 3 {
		t.Errorf("pending links listed = %v, want 3", got)
	}
	if got := h.collect(t, w.dcAdmin, "GET /connectors/{connectorId}/link-requests", map[string]string{"connectorId": w.connector}, "x=1"); len(got) != 3 {
		t.Errorf("link requests listed = %v, want 3", got)
	}
	seen := map[string]bool{}
	for _, id := range h.collect(t, w.orgAdmin, "GET /links", nil, "x=1") {
		if seen[id] {
			t.Errorf("link %s listed twice", id)
		}
		seen[id] = true
	}
}
