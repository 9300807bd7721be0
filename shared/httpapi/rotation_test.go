package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

func (h *harness) link(t testing.TB, id string) domain.Link {
	t.Helper()
	l, err := h.store.GetLink(context.Background(), id)
	if err != nil {
		t.Fatalf("read link %s: %v", id, err)
	}
	return l
}

func (h *harness) credentialStates() map[string]string {
	out := map[string]string{}
	for _, c := range h.dc.Sim.Credentials() {
		out[c.ClientID] = c.State
	}
	return out
}

func TestRotationCompletes(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ", "WRITE")
	before := h.link(t, id)

	r := h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	rot := r.body["rotation"].(map[string]any)
	again := h.must(h.do(w.orgAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	if again.body["rotation"].(map[string]any)["id"] != rot["id"] {
		t.Errorf("second rotate started %v, want the running rotation %v", again.body["rotation"], rot["id"])
	}
	h.drainQueue(t, 15*time.Second)

	after := h.link(t, id)
	if after.Status != domain.StatusConnected || after.Credential.Version != before.Credential.Version+1 {
		t.Fatalf("after rotation: status %s version %d, want CONNECTED and version %d", after.Status, after.Credential.Version, before.Credential.Version+1)
	}
	if after.Rotation.State != domain.RotationCompleted || after.Rotation.ID != rot["id"] {
		t.Errorf("rotation = %+v, want COMPLETED %v", after.Rotation, rot["id"])
	}
	states := h.credentialStates()
	if states[before.Credential.ClientID] != "revoked" || states[after.Credential.ClientID] != "active" {
		t.Errorf("instance credential states = %v, want old revoked and new active", states)
	}
	if after.Previous != nil {
		t.Errorf("previous credential %s still recorded after its revocation", after.Previous.ClientID)
	}

	// The same message again, and a stale one of this finished rotation,
	// change nothing.
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	dup, _ := json.Marshal(service.Message{Kind: service.MsgRotate, LinkID: id, RotationID: rot["id"].(string)})
	resp, err := worker(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "dup-1", Body: string(dup), Attributes: map[string]string{"ApproximateReceiveCount": "1"}},
		{MessageId: "dup-2", Body: string(dup), Attributes: map[string]string{"ApproximateReceiveCount": "2"}},
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("duplicate messages: failures %v, error %v; want none", resp.BatchItemFailures, err)
	}
	if got := h.link(t, id); got.Credential.Version != after.Credential.Version || got.Credential.ClientID != after.Credential.ClientID {
		t.Errorf("duplicate message changed the credential: %+v", got.Credential)
	}
	evs := h.must(h.do(w.orgAdmin, "GET /links/{linkId}/events", linkParams(id), nil, nil), 200)
	if n := len(evs.body["items"].([]any)); n != 4 { // create, accept, rotate.start, rotate.promote
		t.Errorf("audit events = %d, want 4: %s", n, evs.raw)
	}
}

func TestRotationSurvivesTransientFailures(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ")
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{FailNext: intPtr(3)}); err != nil {
		t.Fatalf("set faults: %v", err)
	}
	h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	h.drainQueue(t, 20*time.Second)
	l := h.link(t, id)
	if l.Status != domain.StatusConnected || l.Credential.Version != 2 || l.Rotation.State != domain.RotationCompleted {
		t.Fatalf("after 3 failed calls: status %s version %d rotation %+v, want CONNECTED, 2, COMPLETED", l.Status, l.Credential.Version, l.Rotation)
	}
}

func TestRotationFailsVisibly(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ")
	before := h.link(t, id)
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{FailNext: intPtr(1000), Routes: &[]string{"stage"}}); err != nil {
		t.Fatalf("set faults: %v", err)
	}
	h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	h.drainQueue(t, 20*time.Second)

	got := h.must(h.do(w.orgAdmin, "GET /links/{linkId}", linkParams(id), nil, nil), 200)
	rot := got.body["rotation"].(map[string]any)
	if got.body["status"] != "CONNECTED" || rot["state"] != "FAILED" || rot["lastError"] == "" {
		t.Fatalf("after a permanent failure: %s, want CONNECTED with rotation FAILED and its reason", got.raw)
	}
	if v := got.body["credential"].(map[string]any)["version"]; v != float64(before.Credential.Version) {
		t.Errorf("credential version = %v, want the unchanged %d", v, before.Credential.Version)
	}
	h.dc.Sim.ClearFaults()
	tok := h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 200)
	if tok.body["access_token"] == "" {
		t.Errorf("token after failed rotation: %s", tok.raw)
	}
	// An admin can start a new rotation, which now completes.
	h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	h.drainQueue(t, 20*time.Second)
	if l := h.link(t, id); l.Credential.Version != before.Credential.Version+1 {
		t.Errorf("retried rotation: version %d, want %d", l.Credential.Version, before.Credential.Version+1)
	}
}

func TestDeleteDuringRotation(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ")
	h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	// Run the rotation up to the delivery, then delete.
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{FailNext: intPtr(1), Routes: &[]string{"token"}}); err != nil {
		t.Fatalf("set faults: %v", err)
	}
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	h.pollOnce(t, worker)
	if l := h.link(t, id); l.Rotation.Step != domain.StepDelivered {
		t.Fatalf("rotation step = %s, want DELIVERED before the delete", l.Rotation.Step)
	}
	h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
	h.drainQueue(t, 20*time.Second)

	l := h.link(t, id)
	if l.Status != domain.StatusDeleted {
		t.Fatalf("status = %s, want DELETED", l.Status)
	}
	for client, state := range h.credentialStates() {
		if state != "revoked" {
			t.Errorf("credential %s is %s after delete, want revoked", client, state)
		}
	}
	if l.Credential.SecretCiphertext != nil || (l.Rotation.Pending != nil && l.Rotation.Pending.SecretCiphertext != nil) {
		t.Errorf("deleted link still holds secrets")
	}
}

func TestPoisonMessageFailsAlone(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ")
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	good, _ := json.Marshal(service.Message{Kind: service.MsgRevokeCredential, LinkID: id, ClientID: "cli_01M91B32DN65CZDMF9ED6G2ACC"})
	resp, err := worker(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: string(good)},
		{MessageId: "poison", Body: `{"kind":"rotate","linkId":"lnk_x","extra":1`},
		{MessageId: "m3", Body: `{"kind":"revoke-link","linkId":"` + id + `"}`},
		{MessageId: "unknown", Body: `{"kind":"explode","linkId":"` + id + `"}`},
	}})
	if err != nil {
		t.Fatalf("worker error: %v", err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if fmt.Sprint(failed) != "[poison unknown]" {
		t.Errorf("batch failures = %v, want [poison unknown]", failed)
	}
	if l := h.link(t, id); l.Status != domain.StatusConnected {
		t.Errorf("revoke-link message for a live link changed it to %s", l.Status)
	}
}

func TestScheduledRotation(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	h.svc.Config.RotationMaxAge = time.Second
	due := h.connectedLink(w, "READ")
	h.svc.Config.RotationMaxAge = time.Hour
	w2 := h.newWorld("beta", "jira", "11.3")
	notDue := h.connectedLink(w2, "READ")
	time.Sleep(1100 * time.Millisecond)

	res, err := h.svc.ScheduleRotations(context.Background())
	if err != nil {
		t.Fatalf("schedule: %v", err)
	}
	if res.Due != 1 || res.Started != 1 {
		t.Fatalf("schedule result %+v, want exactly the one due link read and started", res)
	}
	h.drainQueue(t, 15*time.Second)
	if v := h.link(t, due).Credential.Version; v != 2 {
		t.Errorf("due link version = %d, want 2", v)
	}
	if v := h.link(t, notDue).Credential.Version; v != 1 {
		t.Errorf("link not due rotated: version %d", v)
	}
	if res, _ := h.svc.ScheduleRotations(context.Background()); res.Due != 0 {
		t.Errorf("second run found %d due links, want 0", res.Due)
	}
}

func TestManyConcurrentRotations(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	const n = 200
	ids := make([]string, n)
	for i := range n {
		site := fmt.Sprintf("s%03d", i)
		h.must(h.do(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": site}, map[string]any{"name": site, "url": "https://" + site + ".example.com"}, nil), 201)
		r := h.must(h.do(w.orgAdmin, "POST /links", nil, map[string]any{"siteId": site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil), 201)
		ids[i] = r.body["id"].(string)
		h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(ids[i]), map[string]any{"scopes": []string{"READ"}}, nil), 200)
	}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := h.do(w.orgAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil); r.status != 202 {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d rotate requests failed", failures.Load())
	}
	h.drainQueue(t, 120*time.Second)
	for _, id := range ids {
		l := h.link(t, id)
		if l.Status != domain.StatusConnected || l.Credential.Version != 2 || l.Rotation.State != domain.RotationCompleted {
			t.Errorf("link %s: status %s version %d rotation %s, want CONNECTED 2 COMPLETED", id, l.Status, l.Credential.Version, l.Rotation.State)
		}
	}
	stats := h.dc.Sim.Stats()
	if stats.Credentials.Active != n || stats.Credentials.Revoked != n {
		t.Errorf("instance credentials %+v, want %d active and %d revoked", stats.Credentials, n, n)
	}
}

func TestZeroDowntimeDuringRotations(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	const n = 50
	ids := make([]string, n)
	apps := make([]actor, n)
	for i := range n {
		site := fmt.Sprintf("z%02d", i)
		h.must(h.do(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": site}, map[string]any{"name": site, "url": "https://" + site + ".example.com"}, nil), 201)
		r := h.must(h.do(w.orgAdmin, "POST /links", nil, map[string]any{"siteId": site, "connectorId": w.connector, "scopes": []string{"READ"}}, nil), 201)
		ids[i] = r.body["id"].(string)
		h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(ids[i]), map[string]any{"scopes": []string{"READ"}}, nil), 200)
		apps[i] = actor{sub: "app-" + site, org: w.org, roles: []string{"site-app:" + site}}
	}
	before := h.dc.Sim.Stats().TokenRequests

	stop := make(chan struct{})
	var brokerCalls, brokerFailures atomic.Int64
	var loop sync.WaitGroup
	for c := range 4 {
		loop.Add(1)
		go func() {
			defer loop.Done()
			for i := c; ; i = (i + 1) % n {
				select {
				case <-stop:
					return
				default:
				}
				brokerCalls.Add(1)
				if r := h.do(apps[i], "POST /links/{linkId}/token", linkParams(ids[i]), nil, nil); r.status != 200 {
					brokerFailures.Add(1)
					t.Errorf("token for %s: %d %s", ids[i], r.status, r.raw)
				}
			}
		}()
	}
	for _, id := range ids {
		h.must(h.do(w.orgAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	}
	h.drainQueue(t, 60*time.Second)
	close(stop)
	loop.Wait()

	after := h.dc.Sim.Stats().TokenRequests
	t.Logf("broker calls %d (failed %d); instance token requests ok %d, invalid_client %d, invalid_scope %d, fault %d",
		brokerCalls.Load(), brokerFailures.Load(), after.OK-before.OK, after.InvalidClient-before.InvalidClient,
		after.InvalidScope-before.InvalidScope, after.Fault-before.Fault)
	if after.InvalidClient != before.InvalidClient || brokerFailures.Load() != 0 {
		t.Errorf("token requests failed during rotation: invalid_client %d -> %d, broker failures %d",
			before.InvalidClient, after.InvalidClient, brokerFailures.Load())
	}
	for _, id := range ids {
		if v := h.link(t, id).Credential.Version; v != 2 {
			t.Errorf("link %s version %d, want 2", id, v)
		}
	}
}

func intPtr(n int) *int { return &n }
