package httpapi_test

import (
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
)

func TestConcurrentCreatesAfterExpiry(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	h.svc.Config.RequestTTL = time.Second
	h.createLink(w, "READ")
	time.Sleep(1100 * time.Millisecond)
	h.svc.Config.RequestTTL = time.Hour

	statuses := make([]int, 12)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil).status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 409:
		default:
			t.Errorf("status %d in %v, want only 201 and 409", s, statuses)
		}
	}
	if created != 1 {
		t.Errorf("statuses %v, want exactly one 201", statuses)
	}
}

func TestIdempotencyKeyPerOrganization(t *testing.T) {
	h := newHarness(t)
	a := h.newWorld("acme", "jira", "11.3")
	b := h.newWorld("beta", "jira", "11.3")
	a.siteAdmin.sub, b.siteAdmin.sub = "same-user", "same-user"
	key := map[string]string{"Idempotency-Key": "k-1"}
	h.must(h.do(a.siteAdmin, "POST /links", nil, map[string]any{"siteId": a.site, "connectorId": a.connector, "scopes": []string{"READ"}}, key), 201)
	h.must(h.do(b.siteAdmin, "POST /links", nil, map[string]any{"siteId": b.site, "connectorId": b.connector, "scopes": []string{"READ"}}, key), 201)
}

func TestDeleteFinishedLinkConflicts(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	h.svc.Config.RequestTTL = time.Second
	expired := h.createLink(w, "READ")
	time.Sleep(1100 * time.Millisecond)
	h.svc.Config.RequestTTL = time.Hour
	if r := h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(expired), nil, nil), 409); r.body["current"].(map[string]any)["status"] != "EXPIRED" {
		t.Errorf("conflict current = %v, want the EXPIRED link", r.body["current"])
	}
}

func TestConnectorDeleteWaitsForRevocation(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ")
	params := map[string]string{"connectorId": w.connector}
	h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
	// The credential is not yet revoked at the instance, so the connector,
	// which holds the key needed to revoke it, must stay.
	h.must(h.do(w.orgAdmin, "DELETE /connectors/{connectorId}", params, nil, nil), 409)
	h.drainQueue(t, 15*time.Second)
	for client, state := range h.credentialStates() {
		if state != "revoked" {
			t.Errorf("credential %s is %s, want revoked", client, state)
		}
	}
	h.must(h.do(w.orgAdmin, "DELETE /connectors/{connectorId}", params, nil, nil), 204)
}

func TestRPCURLGuards(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	h.connectedLink(w, "READ")
	params := map[string]string{"connectorId": w.connector}
	h.must(h.do(w.orgAdmin, "PATCH /connectors/{connectorId}", params, map[string]any{"rpcUrl": "https://elsewhere.example.com"}, nil), 409)
	h.must(h.do(w.orgAdmin, "PATCH /connectors/{connectorId}", params, map[string]any{"name": "renamed"}, nil), 200)

	// An instance address in a private range is refused when dialled, before
	// any packet is sent.
	r := h.must(h.do(w.orgAdmin, "POST /connectors", nil, map[string]any{"name": "private", "product": "jira", "version": "11.3", "displayUrl": "https://10.255.255.1"}, nil), 201)
	k2 := r.body["id"].(string)
	link := h.must(h.do(w.orgAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": k2, "scopes": []string{"READ"}}, nil), 201).body["id"].(string)
	dc2 := actor{sub: "dc2", org: w.org, roles: []string{"dc-admin:" + k2}}
	h.must(h.do(dc2, "POST /links/{linkId}/accept", linkParams(link), map[string]any{"scopes": []string{"READ"}}, nil), 502)
}

func TestNamesRejectFormatCharacters(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	for _, name := range []string{"evil\u202Egnp.exe", "bell\u0007", "c1\u0085x", "zero\u200Bwidth"} {
		h.must(h.do(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": "s9"}, map[string]any{"name": name, "url": "https://s9.example.com"}, nil), 400)
	}
	id := h.createLink(w, "READ")
	h.must(h.do(w.dcAdmin, "POST /links/{linkId}/reject", linkParams(id), map[string]any{"reason": "\u001b[31mred"}, nil), 400)
}

func TestFailedAcceptRevocationIsRetried(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.createLink(w, "READ")
	refuse, revokes := true, 1
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{RefuseStaged: &refuse}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{FailNext: &revokes, Routes: &[]string{"revoke"}}); err != nil {
		t.Fatal(err)
	}
	h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(id), map[string]any{"scopes": []string{"READ"}}, nil), 502)
	states := h.credentialStates()
	if len(states) != 1 {
		t.Fatalf("instance credentials = %v, want the one staged by the failed accept", states)
	}
	h.dc.Sim.ClearFaults()
	h.drainQueue(t, 15*time.Second)
	for client, state := range h.credentialStates() {
		if state != "revoked" {
			t.Errorf("credential %s of the failed accept is %s, want revoked by the queued retry", client, state)
		}
	}
}
