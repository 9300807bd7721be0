package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func linkParams(id string) map[string]string { return map[string]string{"linkId": id} }

func TestLifecycleCreateAcceptDelete(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3.0")

	id := h.createLink(w, "read", " WRITE ", "read")
	got := h.must(h.do(w.dcAdmin, "GET /connectors/{connectorId}/link-requests", map[string]string{"connectorId": w.connector}, nil, nil), 200)
	items := got.body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("link requests = %s, want the one pending link %s", got.raw, id)
	}
	if scopes := fmt.Sprint(items[0].(map[string]any)["scopesRequested"]); scopes != "[READ WRITE]" {
		t.Errorf("scopesRequested = %s, want [READ WRITE]", scopes)
	}

	acc := h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(id), map[string]any{"scopes": []string{"write", "READ"}}, nil), 200)
	if acc.body["status"] != "CONNECTED" {
		t.Fatalf("status after accept = %v, want CONNECTED", acc.body["status"])
	}
	cred := acc.body["credential"].(map[string]any)
	if cred["version"] != float64(1) || !strings.HasPrefix(cred["clientId"].(string), "cli_") {
		t.Errorf("credential = %v, want version 1 and a cli_ client id", cred)
	}
	stats := h.dc.Sim.Stats()
	if stats.Credentials.Active != 1 || stats.TokenRequests.OK != 1 {
		t.Errorf("simulator stats = %+v, want one active credential verified by one token request", stats)
	}
	pending := h.must(h.do(w.dcAdmin, "GET /connectors/{connectorId}/link-requests", map[string]string{"connectorId": w.connector}, nil, nil), 200)
	if n := len(pending.body["items"].([]any)); n != 0 {
		t.Errorf("pending requests after accept = %d, want 0", n)
	}

	view := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200)
	if view.body["status"] != "CONNECTED" {
		t.Errorf("GET status = %v, want CONNECTED", view.body["status"])
	}
	h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
	deleted := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200)
	if deleted.body["status"] != "DELETED" {
		t.Errorf("status after delete = %v, want DELETED", deleted.body["status"])
	}
	evs := h.must(h.do(w.orgAdmin, "GET /links/{linkId}/events", linkParams(id), nil, nil), 200)
	var actions []string
	for _, e := range evs.body["items"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if got, want := strings.Join(actions, ","), "create,accept,delete"; got != want {
		t.Errorf("audit actions = %s, want %s", got, want)
	}

	// The pair is free again after delete.
	h.createLink(w, "READ")
}

func TestIllegalTransitionsConflict(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.10.0")
	accept := map[string]any{"scopes": []string{"READ"}}

	rejected := h.createLink(w, "READ")
	h.must(h.do(w.dcAdmin, "POST /links/{linkId}/reject", linkParams(rejected), map[string]any{"reason": "not now"}, nil), 200)
	for _, tc := range []struct {
		name     string
		caller   actor
		routeKey string
		body     any
	}{
		{"accept rejected", w.dcAdmin, "POST /links/{linkId}/accept", accept},
		{"reject rejected", w.dcAdmin, "POST /links/{linkId}/reject", nil},
		{"rotate rejected", w.siteAdmin, "POST /links/{linkId}/rotate", nil},
		{"delete rejected", w.siteAdmin, "DELETE /links/{linkId}", nil},
		{"token rejected", w.app, "POST /links/{linkId}/token", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.caller, tc.routeKey, linkParams(rejected), tc.body, nil)
			if r.status != 409 {
				t.Fatalf("status = %d, want 409; body %s", r.status, r.raw)
			}
			if cur, _ := r.body["current"].(map[string]any); cur["status"] != "REJECTED" {
				t.Errorf("problem current = %v, want the link with status REJECTED", r.body["current"])
			}
		})
	}

	connected := h.connectedLink(w, "READ")
	for _, tc := range []struct {
		name, routeKey string
		body           any
	}{
		{"accept connected", "POST /links/{linkId}/accept", accept},
		{"reject connected", "POST /links/{linkId}/reject", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := h.do(w.dcAdmin, tc.routeKey, linkParams(connected), tc.body, nil); r.status != 409 {
				t.Errorf("status = %d, want 409; %s", r.status, r.raw)
			}
		})
	}
	t.Run("create for a taken pair", func(t *testing.T) {
		r := h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil)
		if r.status != 409 {
			t.Fatalf("status = %d, want 409; %s", r.status, r.raw)
		}
		if cur, _ := r.body["current"].(map[string]any); cur["id"] != connected {
			t.Errorf("problem current = %v, want link %s", r.body["current"], connected)
		}
	})
}

func TestConcurrentCreatesOneLink(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil)
			statuses[i] = r.status
		}()
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 409:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		t.Fatalf("statuses = %v, want exactly one 201 and %d 409", statuses, n-1)
	}
	list := h.must(h.do(w.orgAdmin, "GET /links", nil, nil, map[string]string{"?": "siteId=" + w.site}), 200)
	if got := len(list.body["items"].([]any)); got != 1 {
		t.Errorf("links stored = %d, want 1", got)
	}
	conn := h.must(h.do(w.orgAdmin, "GET /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, nil, nil), 200)
	_ = conn
}

func TestAcceptRacesRejectAndDelete(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	for round := range 5 {
		id := h.createLink(w, "READ")
		var wg sync.WaitGroup
		results := map[string]int{}
		var mu sync.Mutex
		run := func(name string, caller actor, routeKey string, body any) {
			defer wg.Done()
			r := h.do(caller, routeKey, linkParams(id), body, nil)
			mu.Lock()
			results[name] = r.status
			mu.Unlock()
		}
		wg.Add(3)
		go run("accept", w.dcAdmin, "POST /links/{linkId}/accept", map[string]any{"scopes": []string{"READ"}})
		go run("reject", w.dcAdmin, "POST /links/{linkId}/reject", nil)
		go run("delete", w.siteAdmin, "DELETE /links/{linkId}", nil)
		wg.Wait()

		final := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200).body["status"]
		wins := 0
		for name, s := range results {
			if s == 200 || s == 204 {
				wins++
				continue
			}
			if s != 409 {
				t.Errorf("round %d: %s status = %d, want 2xx or 409", round, name, s)
			}
		}
		switch {
		case results["delete"] == 204:
			// Delete may also follow a winning accept; then both succeed.
			if final != "DELETED" {
				t.Errorf("round %d: final status %v after a successful delete", round, final)
			}
			if results["reject"] == 200 && results["accept"] == 200 {
				t.Errorf("round %d: accept and reject both succeeded", round)
			}
		case wins != 1:
			t.Errorf("round %d: results %v, want exactly one winner", round, results)
		}
		if final == "DELETED" {
			h.waitRevoked(t, id)
		} else if final == "CONNECTED" {
			h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
		}
	}
	// No credential that lost a race may stay usable at the instance.
	for _, c := range h.dc.Sim.Credentials() {
		if c.State != "revoked" && !h.isCurrent(c.ClientID) {
			t.Errorf("credential %s is %s at the instance but current on no link", c.ClientID, c.State)
		}
	}
}

// waitRevoked processes the rotation queue until the deleted link's
// credentials are revoked.
func (h *harness) waitRevoked(t *testing.T, id string) {
	t.Helper()
	h.drainQueue(t, 10*time.Second)
	l, err := h.store.GetLink(context.Background(), id)
	if err != nil {
		t.Fatalf("read link %s: %v", id, err)
	}
	if l.Credential != nil && l.Credential.SecretCiphertext != nil {
		t.Errorf("deleted link %s still holds its secret after revocation", id)
	}
}

func (h *harness) isCurrent(clientID string) bool {
	links, _, err := h.store.ListLinks(context.Background(), "acme", "", nil, dynamoPage())
	if err != nil {
		h.t.Fatalf("list links: %v", err)
	}
	for _, l := range links {
		if l.Status.Live() && l.Credential != nil && l.Credential.ClientID == clientID {
			return true
		}
	}
	return false
}

func TestIdempotencyKey(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	body := map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ", "WRITE"}}
	key := map[string]string{"Idempotency-Key": "create-1"}
	first := h.must(h.do(w.siteAdmin, "POST /links", nil, body, key), 201)
	again := h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"write", "read"}}, key), 201)
	if again.raw != first.raw {
		t.Errorf("replayed body = %s, want the first answer %s", again.raw, first.raw)
	}
	if again.header["Location"] != first.header["Location"] {
		t.Errorf("replayed Location = %q, want %q", again.header["Location"], first.header["Location"])
	}
	other := h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"ADMIN"}}, key), 422)
	if !strings.Contains(other.raw, "Idempotency-Key") {
		t.Errorf("422 problem does not name the header: %s", other.raw)
	}

	// Concurrent replays of a new key all get the one result.
	key2 := map[string]string{"idempotency-key": "create-2"}
	h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(first.body["id"].(string)), nil, nil), 204)
	var wg sync.WaitGroup
	bodies := make([]string, 10)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.do(w.siteAdmin, "POST /links", nil, body, key2)
			bodies[i] = fmt.Sprint(r.status, " ", r.body["id"])
		}()
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("concurrent replays answered differently: %v", bodies)
		}
	}
}

func TestExpiredRequestCannotBeAccepted(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "confluence", "10.2.0")
	h.svc.Config.RequestTTL = time.Second
	id := h.createLink(w, "READ")
	time.Sleep(1100 * time.Millisecond)
	r := h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(id), map[string]any{"scopes": []string{"READ"}}, nil), 409)
	if cur, _ := r.body["current"].(map[string]any); cur["status"] != "EXPIRED" {
		t.Errorf("current = %v, want status EXPIRED", r.body["current"])
	}
	if n := len(h.must(h.do(w.dcAdmin, "GET /connectors/{connectorId}/link-requests", map[string]string{"connectorId": w.connector}, nil, nil), 200).body["items"].([]any)); n != 0 {
		t.Errorf("expired request listed as pending: %d items", n)
	}
	// The pair is free for a new request, which replaces the expired one.
	h.svc.Config.RequestTTL = time.Hour
	h.createLink(w, "READ")
	if got := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200).body["status"]; got != "EXPIRED" {
		t.Errorf("old request status = %v, want EXPIRED", got)
	}
}

func TestAcceptUnreachableDataCenter(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")

	t.Run("refusing", func(t *testing.T) {
		id := h.createLink(w, "READ")
		h.dc.Sim.InstallKey(w.connector, "cck_"+strings.Repeat("A", 43)) // the instance holds another key
		r := h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(id), map[string]any{"scopes": []string{"READ"}}, nil), 502)
		if r.body["type"] == nil || r.body["detail"] == nil {
			t.Errorf("502 is not a problem document: %s", r.raw)
		}
		h.dc.Sim.InstallKey(w.connector, w.connectorKey)
		if got := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200).body["status"]; got != "PENDING" {
			t.Errorf("status after refused accept = %v, want PENDING", got)
		}
		h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
	})
	t.Run("stopped", func(t *testing.T) {
		id := h.createLink(w, "READ")
		h.dc.Stop()
		h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(id), map[string]any{"scopes": []string{"READ"}}, nil), 502)
		l := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200)
		if l.body["status"] != "PENDING" || l.body["credential"] != nil {
			t.Errorf("link after failed accept = %s, want PENDING without a credential", l.raw)
		}
	})
}

func TestScopeAndVersionRules(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.createLink(w, "READ", "WRITE")
	r := h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(id), map[string]any{"scopes": []string{"READ", "ADMIN"}}, nil), 422)
	if fmt.Sprint(r.body["missing"]) != "[WRITE]" || fmt.Sprint(r.body["extra"]) != "[ADMIN]" {
		t.Errorf("mismatch problem missing=%v extra=%v, want [WRITE] and [ADMIN]", r.body["missing"], r.body["extra"])
	}
	bad := h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ", "FLY"}}, nil), 400)
	if !strings.Contains(bad.raw, "MANAGE_SUBSCRIPTIONS") {
		t.Errorf("unknown-scope problem does not list the valid scopes: %s", bad.raw)
	}
	h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{}}, nil), 400)

	for _, tc := range []struct {
		product, version string
		want             int
	}{
		{"jira", "11.10.0", 201}, {"jira", "11.3.0", 201}, {"jira", "11.2.9", 422}, {"jira", "11.3.0-m0003", 422},
		{"jira", "10.1", 422}, {"confluence", "10.2.0", 201}, {"confluence", "10.1.9", 422}, {"jira", "abc", 400},
		{"jira", "11", 400}, {"bamboo", "11.3", 400},
	} {
		t.Run(tc.product+" "+tc.version, func(t *testing.T) {
			r := h.do(w.orgAdmin, "POST /connectors", nil, map[string]any{"name": "x", "product": tc.product, "version": tc.version, "displayUrl": "https://dc.example.com"}, nil)
			if r.status != tc.want {
				t.Fatalf("status = %d, want %d; %s", r.status, tc.want, r.raw)
			}
			if tc.want == 422 && !strings.Contains(r.raw, "minimum") {
				t.Errorf("422 does not name the minimum: %s", r.raw)
			}
		})
	}
	// A Data Center admin may report a new version, but not below the minimum.
	h.must(h.do(w.dcAdmin, "PATCH /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, map[string]any{"version": "11.10.2"}, nil), 200)
	h.must(h.do(w.dcAdmin, "PATCH /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, map[string]any{"version": "11.2"}, nil), 422)
	h.must(h.do(w.dcAdmin, "PATCH /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, map[string]any{"name": "mine"}, nil), 403)
}

func TestConnectorDeleteWaitsForLinks(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.createLink(w, "READ")
	params := map[string]string{"connectorId": w.connector}
	h.must(h.do(w.orgAdmin, "DELETE /connectors/{connectorId}", params, nil, nil), 409)
	h.must(h.do(w.dcAdmin, "POST /links/{linkId}/reject", linkParams(id), nil, nil), 200)
	h.must(h.do(w.orgAdmin, "DELETE /connectors/{connectorId}", params, nil, nil), 204)
	h.must(h.do(w.orgAdmin, "GET /connectors/{connectorId}", params, nil, nil), 404)
}
