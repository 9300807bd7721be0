package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
	"github.com/cloudconnector/cloudconnector/shared/testenv"
)

// harness runs the real handlers against kumo, local-kms and a simulated
// Data Center, with every log line captured.
type harness struct {
	t        testing.TB
	aws      testenv.AWS
	table    string
	queue    testenv.Queue
	dc       *testenv.DataCenter
	svc      *service.Service
	store    *dynamo.Store
	handlers map[string]httpapi.Handler
	logs     *syncBuffer
	// ddb counts the store's calls to DynamoDB.
	ddb *countingDynamo
	// bodies holds every response body the handlers returned.
	bodiesMu sync.Mutex
	bodies   []string
}

// countingDynamo counts the calls that reach DynamoDB.
type countingDynamo struct {
	*dynamodb.Client
	calls atomic.Int64
}

func (c *countingDynamo) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls.Add(1)
	return c.Client.GetItem(ctx, in, o...)
}

func (c *countingDynamo) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.calls.Add(1)
	return c.Client.PutItem(ctx, in, o...)
}

func (c *countingDynamo) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.calls.Add(1)
	return c.Client.UpdateItem(ctx, in, o...)
}

func (c *countingDynamo) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.calls.Add(1)
	return c.Client.DeleteItem(ctx, in, o...)
}

func (c *countingDynamo) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.calls.Add(1)
	return c.Client.Query(ctx, in, o...)
}

func (c *countingDynamo) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.calls.Add(1)
	return c.Client.TransactWriteItems(ctx, in, o...)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	a := testenv.LocalAWS(t)
	h := &harness{t: t, aws: a, table: a.NewTable(t), queue: a.NewQueue(t, 8, 30*time.Second), dc: testenv.StartDataCenter(t),
		logs: &syncBuffer{}}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.ddb = &countingDynamo{Client: a.DynamoDB}
	h.store = dynamo.New(h.ddb, h.table)
	cfg := service.DefaultConfig()
	cfg.AllowLoopbackHTTP = true
	cfg.GracePeriod = time.Second
	cfg.RetryBaseDelay = 0
	h.svc = service.New(h.store, kmsseal.New(a.KMS, a.NewKey(t)), datacenter.New(datacenter.PublicHTTPClient(true), nil), sqsqueue.New(a.SQS, h.queue.URL), cfg, log)
	h.handlers = map[string]httpapi.Handler{}
	for _, fn := range routes.HTTPFunctions() {
		hd, err := httpapi.New(fn, h.svc, log)
		if err != nil {
			t.Fatalf("build handler %s: %v", fn, err)
		}
		h.handlers[fn] = hd
	}
	return h
}

// actor is a caller with the claims API Gateway's JWT authorizer passes on.
type actor struct {
	sub, org string
	roles    []string
}

// response is a handler's response with its JSON body decoded.
type response struct {
	status int
	header map[string]string
	raw    string
	body   map[string]any
}

// do sends one request through the route's function as API Gateway would:
// payload 2.0, claims as strings, the roles array rendered as "[a b]".
func (h *harness) do(caller actor, routeKey string, params map[string]string, body any, header map[string]string) response {
	h.t.Helper()
	var fn string
	for _, r := range routes.All {
		if r.Key() == routeKey {
			fn = r.Function
		}
	}
	if fn == "" {
		h.t.Fatalf("no route %q", routeKey)
	}
	method, path, _ := strings.Cut(routeKey, " ")
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: path, PathParameters: params,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: routeKey, RequestID: "req-test", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "127.0.0.1"},
		},
	}
	if rawQuery, ok := header["?"]; ok {
		ev.RawQueryString = rawQuery
	}
	for k, v := range header {
		if k == "x-base64" {
			ev.IsBase64Encoded = true
			continue
		}
		if k != "?" {
			ev.Headers[strings.ToLower(k)] = v
		}
	}
	if caller.sub != "" {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
				"sub": caller.sub, "org": caller.org, "roles": "[" + strings.Join(caller.roles, " ") + "]",
				"iss": "http://127.0.0.1:3000/local", "exp": "1893456000",
			}},
		}
	}
	switch b := body.(type) {
	case nil:
	case string:
		ev.Body = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatalf("encode body: %v", err)
		}
		ev.Body = string(raw)
	}
	resp, err := h.handlers[fn](context.Background(), ev)
	if err != nil {
		h.t.Fatalf("%s returned an error: %v", routeKey, err)
	}
	recordExchange(h.t, ev, resp)
	out := response{status: resp.StatusCode, header: resp.Headers, raw: resp.Body}
	h.bodiesMu.Lock()
	h.bodies = append(h.bodies, resp.Body)
	h.bodiesMu.Unlock()
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &out.body); err != nil {
			h.t.Fatalf("%s: body is not a JSON object: %v: %s", routeKey, err, resp.Body)
		}
	}
	return out
}

func (h *harness) must(r response, want int) response {
	h.t.Helper()
	if r.status != want {
		h.t.Fatalf("status = %d, want %d; body: %s", r.status, want, r.raw)
	}
	return r
}

// world is an organization with a site, a connector whose key is installed
// in the simulated Data Center, and the actors that use them.
type world struct {
	org, site, connector, connectorKey string
	orgAdmin, siteAdmin, dcAdmin, app  actor
}

func (h *harness) newWorld(org, product, version string) world {
	h.t.Helper()
	w := world{org: org, site: "site-" + org}
	w.orgAdmin = actor{sub: "admin@" + org, org: org, roles: []string{"org-admin"}}
	h.must(h.do(w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": w.site},
		map[string]any{"name": "Site of " + org, "url": "https://" + org + ".atlassian.net"}, nil), 201)
	r := h.must(h.do(w.orgAdmin, "POST /connectors", nil, map[string]any{
		"name": "DC of " + org, "product": product, "version": version, "displayUrl": h.dc.URL, "network": "public",
	}, nil), 201)
	w.connector = r.body["id"].(string)
	w.connectorKey = r.body["connectorKey"].(string)
	h.dc.Sim.InstallKey(w.connector, w.connectorKey)
	w.siteAdmin = actor{sub: "site-admin@" + org, org: org, roles: []string{"site-admin:" + w.site}}
	w.dcAdmin = actor{sub: "dc-admin@" + org, org: org, roles: []string{"dc-admin:" + w.connector}}
	w.app = actor{sub: "app@" + org, org: org, roles: []string{"site-app:" + w.site}}
	return w
}

// createLink requests a link and returns its id.
func (h *harness) createLink(w world, scopes ...string) string {
	h.t.Helper()
	r := h.must(h.do(w.siteAdmin, "POST /links", nil, map[string]any{"siteId": w.site, "connectorId": w.connector, "scopes": scopes}, nil), 201)
	return r.body["id"].(string)
}

func (h *harness) connectedLink(w world, scopes ...string) string {
	h.t.Helper()
	id := h.createLink(w, scopes...)
	h.must(h.do(w.dcAdmin, "POST /links/{linkId}/accept", map[string]string{"linkId": id}, map[string]any{"scopes": scopes}, nil), 200)
	return id
}

func dynamoPage() dynamo.Page { return dynamo.Page{Limit: dynamo.MaxPageSize} }
