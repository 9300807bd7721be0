package httpapi_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestHostileInputNeverReachesStorage sends malformed and oversized input to
// every kind of route and checks for a 4xx problem with no DynamoDB call.
func TestHostileInputNeverReachesStorage(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	validLink := "lnk_01M91CAKBX2XRZSXYRMF7QW08A"
	manyScopes := make([]string, 10000)
	for i := range manyScopes {
		manyScopes[i] = "READ"
	}
	fewScopes := make([]string, 2000)
	for i := range fewScopes {
		fewScopes[i] = "R"
	}
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	big := `{"siteId":"` + strings.Repeat("x", 17*1024) + `"}`
	longURL := "https://example.com/" + strings.Repeat("a", 5000)

	for _, tc := range []struct {
		name     string
		routeKey string
		params   map[string]string
		body     any
		header   map[string]string
		want     int
	}{
		{"body over 16 KiB", "POST /links", nil, big, nil, 413},
		{"base64 body over 16 KiB", "PUT /sites/{siteId}", map[string]string{"siteId": "s1"}, base64.StdEncoding.EncodeToString([]byte(big)), map[string]string{"x-base64": "1"}, 413},
		{"deep nesting", "POST /links", nil, deep, nil, 400},
		{"10000 scopes", "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": manyScopes}, nil, 413},
		{"2000 scopes within the size limit", "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": fewScopes}, nil, 400},
		{"2000 scopes on accept", "POST /links/{linkId}/accept", map[string]string{"linkId": validLink}, map[string]any{"scopes": fewScopes}, nil, 400},
		{"long link id", "GET /links/{linkId}", map[string]string{"linkId": "lnk_" + strings.Repeat("A", 5000)}, nil, nil, 400},
		{"long connector id", "GET /connectors/{connectorId}", map[string]string{"connectorId": strings.Repeat("c", 5000)}, nil, nil, 400},
		{"long site id in path", "PUT /sites/{siteId}", map[string]string{"siteId": strings.Repeat("s", 5000)}, map[string]any{"name": "x", "url": "https://x.example.com"}, nil, 400},
		{"long site id in body", "POST /links", nil, map[string]any{"siteId": strings.Repeat("s", 5000), "connectorId": w.connector, "scopes": []string{"READ"}}, nil, 400},
		{"long URL", "PUT /sites/{siteId}", map[string]string{"siteId": "s1"}, map[string]any{"name": "x", "url": longURL}, nil, 400},
		{"long display URL", "POST /connectors", nil, map[string]any{"name": "x", "product": "jira", "version": "11.3", "displayUrl": longURL}, nil, 400},
		{"invalid UTF-8", "POST /links", nil, "{\"siteId\":\"\xff\xfe\"}", nil, 400},
		{"NUL byte", "POST /links", nil, "{\"siteId\":\"a\x00b\"}", nil, 400},
		{"escaped NUL", "POST /links", nil, `{"siteId":"a\u0000b"}`, nil, 400},
		{"duplicate keys", "POST /links", nil, `{"siteId":"a","siteId":"b"}`, nil, 400},
		{"unknown field", "POST /links", nil, `{"siteId":"a","admin":true}`, nil, 400},
		{"wrong type", "POST /links", nil, `{"siteId":["a"]}`, nil, 400},
		{"trailing data", "POST /links", nil, `{"siteId":"a"} {}`, nil, 400},
		{"not JSON", "POST /links", nil, `siteId=a`, nil, 400},
		{"wrong content type", "POST /links", nil, `{"siteId":"a"}`, map[string]string{"content-type": "text/plain"}, 415},
		{"long idempotency key", "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ"}}, map[string]string{"idempotency-key": strings.Repeat("k", 500)}, 400},
		{"bad limit", "GET /links", nil, nil, map[string]string{"?": "limit=100000"}, 400},
		{"bad status", "GET /links", nil, nil, map[string]string{"?": "status=PENDING,HACKED"}, 400},
		{"bad query encoding", "GET /links", nil, nil, map[string]string{"?": "siteId=%zz"}, 400},
		{"forged cursor", "GET /links", nil, nil, map[string]string{"?": "cursor=eyJwayI6Imxua194In0"}, 400},
		{"long reason", "POST /links/{linkId}/reject", map[string]string{"linkId": validLink}, map[string]any{"reason": strings.Repeat("r", 600)}, nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := h.ddb.calls.Load()
			r := h.do(w.orgAdmin, tc.routeKey, tc.params, tc.body, tc.header)
			if r.status != tc.want {
				t.Fatalf("status = %d, want %d; %s", r.status, tc.want, r.raw)
			}
			if r.body["type"] == nil || r.body["status"] != float64(tc.want) {
				t.Errorf("answer is not a problem document: %s", r.raw)
			}
			if n := h.ddb.calls.Load() - before; n != 0 {
				t.Errorf("%d DynamoDB calls made for rejected input", n)
			}
		})
	}
}
