package httpapi_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

// recordingDataCenter remembers every client secret the service sends to
// an instance, so a test can search for them where they must not be.
type recordingDataCenter struct {
	service.DataCenter
	mu      sync.Mutex
	secrets []string
}

func (r *recordingDataCenter) StageCredential(ctx context.Context, t datacenter.Target, c datacenter.StagedCredential) error {
	r.mu.Lock()
	r.secrets = append(r.secrets, c.ClientSecret)
	r.mu.Unlock()
	return r.DataCenter.StageCredential(ctx, t, c)
}

func TestSecretsNeverLeak(t *testing.T) {
	h := newHarness(t)
	rec := &recordingDataCenter{DataCenter: h.svc.DataCenter}
	h.svc.DataCenter = rec
	w := h.newWorld("acme", "jira", "11.3")

	id := h.connectedLink(w, "READ", "WRITE")
	h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 200)
	h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	h.drainQueue(t, 15*time.Second)
	h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 200)
	for _, route := range []string{"GET /links/{linkId}", "GET /links/{linkId}/events"} {
		h.must(h.do(w.orgAdmin, route, linkParams(id), nil, nil), 200)
	}
	h.must(h.do(w.orgAdmin, "GET /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, nil, nil), 200)
	h.must(h.do(w.orgAdmin, "GET /connectors", nil, nil, nil), 200)
	// A failed accept logs its upstream error; it must not carry the secret.
	k2 := h.newConnector(t, w)
	failing := h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": k2, "scopes": []string{"READ"}}, nil), 201).body["id"].(string)
	dc2 := actor{sub: "dc2", org: w.org, roles: []string{"dc-admin:" + k2}}
	h.must(h.do(dc2, "POST /links/{linkId}/accept", linkParams(failing), map[string]any{"scopes": []string{"READ"}}, nil), 502)
	h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
	h.drainQueue(t, 15*time.Second)

	if len(rec.secrets) < 2 {
		t.Fatalf("recorded %d client secrets, want at least 2 (accept and rotation)", len(rec.secrets))
	}
	secrets := map[string]string{"connector key": w.connectorKey}
	for i, s := range rec.secrets {
		secrets[fmt.Sprintf("client secret %d", i)] = s
	}

	items, err := h.aws.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(h.table)})
	if err != nil {
		t.Fatalf("scan table: %v", err)
	}
	stored := fmt.Sprintf("%#v", items.Items)
	logs := h.logs.String()
	keyInBodies := 0
	for _, body := range h.bodies {
		keyInBodies += strings.Count(body, w.connectorKey)
	}
	if keyInBodies != 1 {
		t.Errorf("connector key appears in %d response bodies, want exactly the registration response", keyInBodies)
	}
	for name, secret := range secrets {
		forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret))}
		for _, f := range forms {
			if strings.Contains(logs, f) {
				t.Errorf("%s appears in the logs", name)
			}
			if strings.Contains(stored, f) {
				t.Errorf("%s appears in a stored item", name)
			}
			if name == "connector key" {
				continue
			}
			for _, body := range h.bodies {
				if strings.Contains(body, f) {
					t.Errorf("%s appears in a response body", name)
				}
			}
		}
	}
	if !strings.Contains(logs, `"level":"DEBUG"`) && !strings.Contains(logs, `"level":"INFO"`) {
		t.Errorf("no log lines were captured, so the log check proved nothing")
	}
}

// newConnector registers another connector of w's organization whose key is
// not installed at the instance, so accepting its links fails.
func (h *harness) newConnector(t *testing.T, w world) string {
	t.Helper()
	r := h.must(h.do(w.orgAdmin, "POST /connectors", nil, map[string]any{"name": "uninstalled", "product": "jira", "version": "11.3", "displayUrl": h.dc.URL}, nil), 201)
	return r.body["id"].(string)
}
