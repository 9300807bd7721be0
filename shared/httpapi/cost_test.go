package httpapi_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
	"github.com/cloudconnector/cloudconnector/shared/testenv"
)

// meteredClients returns DynamoDB, KMS and SQS clients for the local
// servers that record every call with m.
func meteredClients(a testenv.AWS, m *dynamo.Meter) (*dynamodb.Client, *kms.Client, *sqs.Client) {
	db := dynamodb.NewFromConfig(a.Config, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, m.AddTo) })
	keys := kms.NewFromConfig(a.Config, func(o *kms.Options) {
		o.BaseEndpoint = a.KMS.Options().BaseEndpoint
		o.APIOptions = append(o.APIOptions, m.AddTo)
	})
	queue := sqs.NewFromConfig(a.Config, func(o *sqs.Options) { o.APIOptions = append(o.APIOptions, m.AddTo) })
	return db, keys, queue
}

// meterAdapters puts the service of h on clients that record every call
// with m, over the same table and queue and a new key. The harness's own
// reads (h.store, h.link) stay unmetered.
func meterAdapters(t testing.TB, h *harness, m *dynamo.Meter) {
	t.Helper()
	db, keys, queue := meteredClients(h.aws, m)
	h.svc.Store = dynamo.New(db, h.table)
	h.svc.Sealer = kmsseal.New(keys, h.aws.NewKey(t))
	h.svc.Queue = sqsqueue.New(queue, h.queue.URL)
}

// cost is what one operation cost: its calls in order and the DynamoDB
// request units they consumed.
type cost struct {
	Calls      string  `json:"calls"`
	ReadUnits  float64 `json:"readUnits"`
	WriteUnits float64 `json:"writeUnits"`
}

func costOf(u dynamo.Usage) cost {
	r, w := u.Units()
	return cost{Calls: u.Summary(), ReadUnits: r, WriteUnits: w}
}

// isWrite reports whether c changed DynamoDB items.
func isWrite(c dynamo.Call) bool {
	if c.Service != dynamodb.ServiceID {
		return false
	}
	switch c.Operation {
	case "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems":
		return true
	}
	return false
}

// splitSteps cuts the calls of one rotation message into its steps: each
// step ends with its DynamoDB write, and calls after the last write belong
// to the last step.
func splitSteps(u dynamo.Usage) []dynamo.Usage {
	var steps []dynamo.Usage
	var cur dynamo.Usage
	for _, c := range u {
		cur = append(cur, c)
		if isWrite(c) {
			steps = append(steps, cur)
			cur = nil
		}
	}
	if len(cur) > 0 && len(steps) > 0 {
		steps[len(steps)-1] = append(steps[len(steps)-1], cur...)
	} else if len(cur) > 0 {
		steps = append(steps, cur)
	}
	return steps
}

// Call names used in the expectations below.
const (
	get      = "DynamoDB.GetItem"
	put      = "DynamoDB.PutItem"
	update   = "DynamoDB.UpdateItem"
	del      = "DynamoDB.DeleteItem"
	query    = "DynamoDB.Query"
	transact = "DynamoDB.TransactWriteItems"
	encrypt  = "KMS.Encrypt"
	decrypt  = "KMS.Decrypt"
	send     = "SQS.SendMessage"
)

func calls(names ...string) string { return strings.Join(names, " ") }

// sortedCalls sorts the names of a Summary.
func sortedCalls(summary string) string {
	names := strings.Fields(summary)
	slices.Sort(names)
	return strings.Join(names, " ")
}

// TestCostPerOperation walks a link through its whole life with every
// adapter metered and checks, operation by operation, the calls made and
// the DynamoDB request units consumed. A change that adds a round trip or
// grows an item past a unit boundary fails here. With COST_REPORT set to a
// file name, it also writes the measured costs there as JSON for
// scripts/bench/cost.
func TestCostPerOperation(t *testing.T) {
	h := newHarness(t)
	m := dynamo.NewMeter(h.aws.DynamoDB)
	meterAdapters(t, h, m)
	w := h.newWorld("acme", "jira", "11.3")
	m.Take()
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	ctx := context.Background()

	const secondSite = "site-two"
	var linkID, rejectID string
	type step struct {
		name string
		run  func() dynamo.Usage
		want []cost // one entry, or one per rotation step
	}
	// The scheduler reads the due shards in order, and which shard holds a
	// link depends on its generated id, so this run's calls are compared
	// sorted.
	anyOrder := map[string]bool{"scheduler run (one due link)": true}
	route := func(caller actor, key string, params map[string]string, body any, header map[string]string, status int) func() dynamo.Usage {
		return func() dynamo.Usage {
			h.must(h.do(caller, key, params, body, header), status)
			return m.Take()
		}
	}
	steps := []step{
		{"PUT /sites/{siteId} (create)", route(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": secondSite},
			map[string]any{"name": "Second", "url": "https://second.example.com"}, nil, 201),
			[]cost{{calls(put), 0, 2}}},
		{"PUT /sites/{siteId} (replace)", route(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": secondSite},
			map[string]any{"name": "Second site", "url": "https://second.example.com"}, nil, 200),
			[]cost{{calls(put), 0, 2}}},
		{"POST /connectors", func() dynamo.Usage {
			h.must(h.do(w.orgAdmin, "POST /connectors", nil, map[string]any{"name": "Spare", "product": "confluence",
				"version": "10.2", "displayUrl": h.dc.URL, "network": "public"}, nil), 201)
			return m.Take()
		}, []cost{{calls(encrypt, put), 0, 2}}},
		{"GET /connectors", route(w.orgAdmin, "GET /connectors", nil, nil, nil, 200),
			[]cost{{calls(query), 0.5, 0}}},
		{"GET /connectors/{connectorId}", route(w.orgAdmin, "GET /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, nil, nil, 200),
			[]cost{{calls(get), 1, 0}}},
		{"PATCH /connectors/{connectorId}", route(w.dcAdmin, "PATCH /connectors/{connectorId}", map[string]string{"connectorId": w.connector},
			map[string]any{"version": "11.3.1"}, nil, 200),
			[]cost{{calls(get, update), 1, 2}}},
		{"POST /links", func() dynamo.Usage {
			r := h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": []string{"READ", "WRITE"}}, nil), 201)
			linkID = r.body["id"].(string)
			return m.Take()
		}, []cost{{calls(get, get, transact), 2, 11}}},
		{"POST /links (Idempotency-Key)", func() dynamo.Usage {
			r := h.must(h.do(w.orgAdmin, "POST /links", nil, map[string]any{"siteId": secondSite, "connectorId": w.connector, "scopes": []string{"READ"}},
				map[string]string{"Idempotency-Key": "k-1"}), 201)
			rejectID = r.body["id"].(string)
			return m.Take()
		}, []cost{{calls(get, get, get, transact), 3, 13}}},
		{"POST /links (Idempotency-Key replay)", route(w.orgAdmin, "POST /links", nil,
			map[string]any{"siteId": secondSite, "connectorId": w.connector, "scopes": []string{"READ"}}, map[string]string{"Idempotency-Key": "k-1"}, 201),
			[]cost{{calls(get, get, get), 3, 0}}},
		{"GET /connectors/{connectorId}/link-requests", route(w.dcAdmin, "GET /connectors/{connectorId}/link-requests",
			map[string]string{"connectorId": w.connector}, nil, nil, 200),
			[]cost{{calls(get, query), 1.5, 0}}},
		{"POST /links/{linkId}/reject", func() dynamo.Usage {
			h.must(h.do(w.dcAdmin, "POST /links/{linkId}/reject", linkParams(rejectID), map[string]any{"reason": "not now"}, nil), 200)
			return m.Take()
		}, []cost{{calls(get, transact), 1, 11}}},
		{"POST /links/{linkId}/accept", func() dynamo.Usage {
			h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(linkID), map[string]any{"scopes": []string{"READ", "WRITE"}}, nil), 200)
			return m.Take()
		}, []cost{{calls(get, get, decrypt, encrypt, transact), 2, 7}}},
		{"POST /links/{linkId}/accept (409, already connected)", func() dynamo.Usage {
			h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", linkParams(linkID), map[string]any{"scopes": []string{"READ", "WRITE"}}, nil), 409)
			return m.Take()
		}, []cost{{calls(get), 1, 0}}},
		{"GET /links/{linkId}", func() dynamo.Usage {
			h.must(h.do(w.siteAdmin, "GET /links/{linkId}", linkParams(linkID), nil, nil), 200)
			return m.Take()
		}, []cost{{calls(get), 1, 0}}},
		{"GET /links?siteId=", route(w.siteAdmin, "GET /links", nil, nil, map[string]string{"?": "siteId=" + w.site}, 200),
			[]cost{{calls(query), 0.5, 0}}},
		{"GET /links/{linkId}/events", func() dynamo.Usage {
			h.must(h.do(w.siteAdmin, "GET /links/{linkId}/events", linkParams(linkID), nil, nil), 200)
			return m.Take()
		}, []cost{{calls(get, query), 2, 0}}},
		{"POST /links/{linkId}/token (cache miss)", func() dynamo.Usage {
			h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(linkID), nil, nil), 200)
			return m.Take()
		}, []cost{{calls(get, get, decrypt, decrypt), 2, 0}}},
		{"POST /links/{linkId}/token (cache hit)", func() dynamo.Usage {
			h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(linkID), nil, nil), 200)
			return m.Take()
		}, []cost{{calls(get), 1, 0}}},
		{"POST /links/{linkId}/rotate", func() dynamo.Usage {
			h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(linkID), nil, nil), 202)
			return m.Take()
		}, []cost{{calls(get, transact, send), 1, 6}}},
		{"rotation message: stage, deliver, verify, promote", func() dynamo.Usage {
			for h.pollOnce(t, worker) == 0 {
			}
			return m.Take()
		}, []cost{
			{calls(get, encrypt, update), 1, 4},
			{calls(get, get, decrypt, decrypt, update), 2, 4},
			{calls(get, get, decrypt, decrypt, update), 2, 4},
			{calls(get, transact, send), 1, 10},
		}},
		{"revoke-previous message", func() dynamo.Usage {
			h.drainQueue(t, 15*time.Second)
			return m.Take()
		}, []cost{{calls(get, get, decrypt, update), 2, 4}}},
		{"DELETE /links/{linkId}", func() dynamo.Usage {
			h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(linkID), nil, nil), 204)
			return m.Take()
		}, []cost{{calls(get, transact, send), 1, 8}}},
		{"revoke-link message", func() dynamo.Usage {
			h.drainQueue(t, 15*time.Second)
			return m.Take()
		}, []cost{{calls(get, get, decrypt, transact), 2, 6}}},
		{"DELETE /connectors/{connectorId}", route(w.orgAdmin, "DELETE /connectors/{connectorId}", map[string]string{"connectorId": w.connector}, nil, nil, 204),
			[]cost{{calls(get, del), 1, 2}}},
		{"scheduler run (nothing due)", func() dynamo.Usage {
			if _, err := h.svc.ScheduleRotations(ctx); err != nil {
				t.Fatalf("schedule: %v", err)
			}
			return m.Take()
		}, []cost{{calls(query, query, query, query), 2, 0}}},
		{"scheduler run (one due link)", func() dynamo.Usage {
			w2 := h.newWorld("beta", "jira", "11.3")
			h.connectedLink(w2, "READ")
			m.Take()
			realNow := h.svc.Now
			h.svc.Now = func() time.Time { return realNow().Add(h.svc.Config.RotationMaxAge + time.Hour) }
			defer func() { h.svc.Now = realNow }()
			if res, err := h.svc.ScheduleRotations(ctx); err != nil || res.Started != 1 {
				t.Fatalf("schedule: %+v, %v; want one rotation started", res, err)
			}
			return m.Take()
		}, []cost{{calls(query, query, query, query, get, transact, send), 3, 6}}},
	}

	report := map[string][]cost{}
	for _, st := range steps {
		u := st.run()
		parts := []dynamo.Usage{u}
		if len(st.want) > 1 {
			parts = splitSteps(u)
		}
		got := make([]cost, len(parts))
		for i, p := range parts {
			got[i] = costOf(p)
			if anyOrder[st.name] {
				got[i].Calls = sortedCalls(got[i].Calls)
			}
		}
		report[st.name] = got
		if len(got) != len(st.want) {
			t.Errorf("%s: %d steps %+v, want %d %+v", st.name, len(got), got, len(st.want), st.want)
			continue
		}
		for i := range got {
			if anyOrder[st.name] {
				st.want[i].Calls = sortedCalls(st.want[i].Calls)
			}
			if got[i] != st.want[i] {
				t.Errorf("%s (step %d):\n got  %+v\n want %+v", st.name, i+1, got[i], st.want[i])
			}
		}
		for _, c := range u {
			if c.RoundTrips != 1 {
				t.Errorf("%s: %s took %d round trips, want 1 (no retries on the local stack)", st.name, c.Name(), c.RoundTrips)
			}
		}
	}

	if path := os.Getenv("COST_REPORT"); path != "" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			t.Fatalf("encode cost report: %v", err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatalf("write cost report: %v", err)
		}
	}
}
