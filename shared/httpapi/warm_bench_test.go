package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

// BenchmarkWarm compares each handler on a warm instance with the bare calls
// it makes. Each iteration first sends the request through the route's
// handler on plain clients (handler-ns/op). It then replays, on plain
// clients, the AWS SDK calls and Data Center requests that the same request
// made when it was recorded (calls-ns/op). The replay keeps their order and
// inputs and runs against a mirror table in the same state. The ratio of the two is the
// handler's own overhead: parsing, authorization, validation, item mapping,
// logging and the response.
//
// Operations that change state prepare fresh items before each timed part,
// in both the original and the mirror table.
func BenchmarkWarm(b *testing.B) {
	for _, c := range warmCases() {
		b.Run(c.name, func(b *testing.B) {
			e := newWarmEnv(b)
			if c.setup != nil {
				e.recordAndMirror(func() { c.setup(e) })
			}
			e.bench(b, c)
		})
	}
}

// request is one HTTP API request of a benchmark case.
type request struct {
	caller actor
	route  string
	params map[string]string
	body   any
	header map[string]string
	status int
}

// warmCase is one benchmarked operation. setup runs once, prepare before
// every iteration (nil when the operation changes nothing the next
// iteration depends on), and op returns the request to measure, or message
// the rotation-queue message for the rotation worker.
type warmCase struct {
	name    string
	setup   func(e *warmEnv)
	prepare func(e *warmEnv)
	op      func(e *warmEnv) request
	message func(e *warmEnv) service.Message
	// freshService gives each iteration a new service, so the token cache
	// starts empty.
	freshService bool
}

func warmCases() []warmCase {
	scopes := []string{"READ", "WRITE"}
	var linkID, site, rotationID, previous string
	sites := 0
	newSite := func(e *warmEnv) {
		sites++
		site = fmt.Sprintf("warm-%d", sites)
		e.h.must(e.h.do(e.w.orgAdmin, "PUT /sites/{siteId}", map[string]string{"siteId": site},
			map[string]any{"name": site, "url": "https://" + site + ".example.com"}, nil), 201)
	}
	newLink := func(e *warmEnv) {
		newSite(e)
		r := e.h.must(e.h.do(e.w.orgAdmin, "POST /links", nil, map[string]any{"siteId": site, "connectorId": e.w.connector, "scopes": scopes}, nil), 201)
		linkID = r.body["id"].(string)
	}
	connected := func(e *warmEnv) {
		newLink(e)
		e.h.must(e.h.do(e.w.dcAdmin, "POST /links/{linkId}/accept", linkParams(linkID), map[string]any{"scopes": scopes}, nil), 200)
	}
	app := func(site string) actor {
		return actor{sub: "app@warm", org: "warm", roles: []string{"site-app:" + site}}
	}
	withLinks := func(e *warmEnv) {
		for range 10 {
			connected(e)
		}
	}
	return []warmCase{
		{name: "GET /links/{linkId}", setup: connected, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "GET /links/{linkId}", params: linkParams(linkID), status: 200}
		}},
		{name: "GET /links (10 links)", setup: withLinks, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "GET /links", status: 200}
		}},
		{name: "GET /links/{linkId}/events", setup: connected, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "GET /links/{linkId}/events", params: linkParams(linkID), status: 200}
		}},
		{name: "GET /connectors/{connectorId}", op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "GET /connectors/{connectorId}", params: map[string]string{"connectorId": e.w.connector}, status: 200}
		}},
		{name: "GET /connectors/{connectorId}/link-requests (10 pending)", setup: func(e *warmEnv) {
			for range 10 {
				newLink(e)
			}
		}, op: func(e *warmEnv) request {
			return request{caller: e.w.dcAdmin, route: "GET /connectors/{connectorId}/link-requests", params: map[string]string{"connectorId": e.w.connector}, status: 200}
		}},
		{name: "POST /links/{linkId}/token (cached)", setup: func(e *warmEnv) {
			connected(e)
			e.h.must(e.h.do(app(site), "POST /links/{linkId}/token", linkParams(linkID), nil, nil), 200)
		}, op: func(e *warmEnv) request {
			return request{caller: app(site), route: "POST /links/{linkId}/token", params: linkParams(linkID), status: 200}
		}},
		{name: "POST /links/{linkId}/token (not cached)", setup: connected, freshService: true, op: func(e *warmEnv) request {
			return request{caller: app(site), route: "POST /links/{linkId}/token", params: linkParams(linkID), status: 200}
		}},
		{name: "PUT /sites/{siteId}", prepare: func(*warmEnv) { sites++; site = fmt.Sprintf("warm-%d", sites) }, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "PUT /sites/{siteId}", params: map[string]string{"siteId": site},
				body: map[string]any{"name": site, "url": "https://" + site + ".example.com"}, status: 201}
		}},
		{name: "POST /links", prepare: newSite, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "POST /links", body: map[string]any{"siteId": site, "connectorId": e.w.connector, "scopes": scopes}, status: 201}
		}},
		{name: "POST /links/{linkId}/accept", prepare: newLink, op: func(e *warmEnv) request {
			return request{caller: e.w.dcAdmin, route: "POST /links/{linkId}/accept", params: linkParams(linkID), body: map[string]any{"scopes": scopes}, status: 200}
		}},
		{name: "POST /links/{linkId}/reject", prepare: newLink, op: func(e *warmEnv) request {
			return request{caller: e.w.dcAdmin, route: "POST /links/{linkId}/reject", params: linkParams(linkID), body: map[string]any{"reason": "no"}, status: 200}
		}},
		{name: "POST /links/{linkId}/rotate", prepare: connected, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "POST /links/{linkId}/rotate", params: linkParams(linkID), status: 202}
		}},
		{name: "DELETE /links/{linkId}", prepare: connected, op: func(e *warmEnv) request {
			return request{caller: e.w.orgAdmin, route: "DELETE /links/{linkId}", params: linkParams(linkID), status: 204}
		}},
		{name: "rotation message (stage to promote)", prepare: func(e *warmEnv) {
			connected(e)
			r := e.h.must(e.h.do(e.w.orgAdmin, "POST /links/{linkId}/rotate", linkParams(linkID), nil, nil), 202)
			rotationID = r.body["rotation"].(map[string]any)["id"].(string)
		}, message: func(*warmEnv) service.Message {
			return service.Message{Kind: service.MsgRotate, LinkID: linkID, RotationID: rotationID}
		}},
		{name: "revoke-previous message", setup: func(e *warmEnv) {
			// Revoke at once instead of after the grace period.
			e.plain.Config.GracePeriod, e.recording.Config.GracePeriod = 0, 0
		}, prepare: func(e *warmEnv) {
			connected(e)
			previous = e.h.link(e.h.t, linkID).Credential.ClientID
			r := e.h.must(e.h.do(e.w.orgAdmin, "POST /links/{linkId}/rotate", linkParams(linkID), nil, nil), 202)
			id := r.body["rotation"].(map[string]any)["id"].(string)
			e.handleMessage(service.Message{Kind: service.MsgRotate, LinkID: linkID, RotationID: id})
		}, message: func(e *warmEnv) service.Message {
			return service.Message{Kind: service.MsgRevokePrevious, LinkID: linkID, ClientID: previous, ConnectorID: e.w.connector}
		}},
	}
}

// warmEnv holds two services over the same table, queue, key and simulated
// Data Center: one on plain clients, whose handlers are measured, and one
// on recording clients, whose calls are replayed. The recorded writes of
// setup and prepare are also applied to a mirror table, so a replay meets
// the same items as its recording.
type warmEnv struct {
	h      *harness
	w      world
	log    *slog.Logger
	meter  *dynamo.Meter
	dc     *dcRecorder
	mirror string

	plain, recording                 *service.Service
	plainHandlers, recordingHandlers map[string]httpapi.Handler
	// recordingNow is true while record runs f, so handleMessage uses the
	// recording service too.
	recordingNow bool
}

// handleMessage runs the rotation worker on one message, as a batch of one,
// on the service the harness currently uses.
func (e *warmEnv) handleMessage(m service.Message) {
	e.h.t.Helper()
	svc := e.plain
	if e.recordingNow {
		svc = e.recording
	}
	ev := sqsEvent(e.h.t, m)
	resp, err := rotation.NewWorker(svc, e.log)(context.Background(), ev)
	if err != nil || len(resp.BatchItemFailures) > 0 {
		e.h.t.Fatalf("worker on %s message: failures %v, error %v", m.Kind, resp.BatchItemFailures, err)
	}
}

// sqsEvent wraps m as an SQS batch of one, as an event source mapping
// delivers it the first time.
func sqsEvent(t testing.TB, m service.Message) events.SQSEvent {
	t.Helper()
	body, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode message: %v", err)
	}
	return events.SQSEvent{Records: []events.SQSMessage{{MessageId: "warm-1", Body: string(body),
		Attributes: map[string]string{"ApproximateReceiveCount": "1"}, EventSource: "aws:sqs", AWSRegion: "us-east-1"}}}
}

func newWarmEnv(b *testing.B) *warmEnv {
	b.Helper()
	h := newHarness(b)
	e := &warmEnv{h: h, log: slog.New(slog.DiscardHandler), meter: dynamo.NewMeter(nil),
		dc: &dcRecorder{next: http.DefaultTransport}, mirror: h.aws.NewTable(b)}

	// Both services seal with one key, so each opens what the other sealed.
	key := h.aws.NewKey(b)
	h.svc.Sealer = kmsseal.New(h.aws.KMS, key)
	e.plain = h.svc
	db, keys, queue := meteredClients(h.aws, e.meter)
	e.recording = service.New(dynamo.New(db, h.table), kmsseal.New(keys, key),
		datacenter.New(&http.Client{Transport: e.dc}, nil), sqsqueue.New(queue, h.queue.URL), h.svc.Config, e.log)
	e.plainHandlers = h.handlers
	e.recordingHandlers = handlersOf(b, e.recording, e.log)

	e.recordAndMirror(func() { e.w = h.newWorld("warm", "jira", "11.3") })
	return e
}

func handlersOf(b *testing.B, svc *service.Service, log *slog.Logger) map[string]httpapi.Handler {
	b.Helper()
	out := map[string]httpapi.Handler{}
	for _, fn := range routes.HTTPFunctions() {
		hd, err := httpapi.New(fn, svc, log)
		if err != nil {
			b.Fatalf("build handler %s: %v", fn, err)
		}
		out[fn] = hd
	}
	return out
}

// renewServices replaces both services with new ones on the same adapters,
// which starts them with empty token caches.
func (e *warmEnv) renewServices(b *testing.B) {
	b.Helper()
	fresh := func(s *service.Service) *service.Service {
		n := service.New(s.Store, s.Sealer, s.DataCenter, s.Queue, s.Config, s.Log)
		n.Now = s.Now
		return n
	}
	e.plain, e.recording = fresh(e.plain), fresh(e.recording)
	e.plainHandlers = handlersOf(b, e.plain, e.h.svc.Log)
	e.recordingHandlers = handlersOf(b, e.recording, e.log)
	e.h.handlers = e.plainHandlers
}

// recordAndMirror runs f with the harness on the recording service and
// applies the DynamoDB writes it made to the mirror table.
func (e *warmEnv) recordAndMirror(f func()) {
	e.h.t.Helper()
	calls, _ := e.record(f)
	for _, c := range calls {
		if !isWrite(c) || c.ErrorCode != "" {
			continue
		}
		replay, err := e.replayer(c)
		if err != nil {
			e.h.t.Fatalf("mirror %s: %v", c.Name(), err)
		}
		if code := replay(context.Background()); code != "" {
			e.h.t.Fatalf("mirror %s failed: %s", c.Name(), code)
		}
	}
}

// record runs f with the harness on the recording service and returns the
// AWS calls and Data Center requests f made.
func (e *warmEnv) record(f func()) (dynamo.Usage, []dcRequest) {
	e.meter.Take()
	e.dc.take()
	e.h.handlers, e.recordingNow = e.recordingHandlers, true
	defer func() { e.h.handlers, e.recordingNow = e.plainHandlers, false }()
	f()
	return e.meter.Take(), e.dc.take()
}

// capture returns the handler of r's route and the event the harness builds
// for r, without sending it.
func (e *warmEnv) capture(r request) (httpapi.Handler, events.APIGatewayV2HTTPRequest) {
	e.h.t.Helper()
	fn := ""
	for _, rt := range routes.All {
		if rt.Key() == r.route {
			fn = rt.Function
		}
	}
	real := e.h.handlers[fn]
	var ev events.APIGatewayV2HTTPRequest
	e.h.handlers[fn] = func(_ context.Context, in events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		ev = in
		return events.APIGatewayV2HTTPResponse{StatusCode: r.status}, nil
	}
	e.h.must(e.h.do(r.caller, r.route, r.params, r.body, r.header), r.status)
	e.h.handlers[fn] = real
	return real, ev
}

// measure runs f once and returns its wall time and the heap allocations
// the process made meanwhile, which include those of the in-process
// simulated Data Center, as testing's allocs/op does.
func measure(f func()) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return elapsed, after.Mallocs - before.Mallocs
}

// bench alternates, iteration by iteration, one timed handler call on the
// plain service and one timed replay of the calls the same request makes on
// the recording service, so that load from other processes affects both
// alike. It reports handler-ns/op, calls-ns/op, their ratio, and the
// allocations of each; the built-in ns/op covers the whole iteration,
// preparation and recording included.
func (e *warmEnv) bench(b *testing.B, c warmCase) {
	ctx := context.Background()
	var handlerTime, callsTime time.Duration
	var handlerAllocs, callsAllocs uint64
	for range b.N {
		if c.freshService {
			e.renewServices(b)
		}
		if c.prepare != nil {
			c.prepare(e)
		}
		var call func()
		if c.message != nil {
			ev := sqsEvent(b, c.message(e))
			worker := rotation.NewWorker(e.plain, e.h.svc.Log)
			call = func() {
				resp, err := worker(ctx, ev)
				if err != nil || len(resp.BatchItemFailures) > 0 {
					b.Fatalf("%s: failures %v, error %v", c.name, resp.BatchItemFailures, err)
				}
			}
		} else {
			r := c.op(e)
			handler, ev := e.capture(r)
			call = func() {
				resp, err := handler(ctx, ev)
				if err != nil || resp.StatusCode != r.status {
					b.Fatalf("%s: status %d, error %v; want %d: %s", c.name, resp.StatusCode, err, r.status, resp.Body)
				}
			}
		}
		d, n := measure(call)
		handlerTime += d
		handlerAllocs += n

		if c.freshService {
			e.renewServices(b)
		}
		if c.prepare != nil {
			e.recordAndMirror(func() { c.prepare(e) })
		}
		send := func() {
			r := c.op(e)
			e.h.must(e.h.do(r.caller, r.route, r.params, r.body, r.header), r.status)
		}
		if c.message != nil {
			send = func() { e.handleMessage(c.message(e)) }
		}
		calls, dcCalls := e.record(send)
		steps, want := e.replayPlan(b, calls, dcCalls)
		d, n = measure(func() {
			for i, step := range steps {
				if got := step(ctx); got != want[i] {
					b.Fatalf("%s: replayed call %d ended with %q, want %q as recorded", c.name, i+1, got, want[i])
				}
			}
		})
		callsTime += d
		callsAllocs += n
	}
	perOp := func(v float64) float64 { return v / float64(b.N) }
	b.ReportMetric(perOp(float64(handlerTime.Nanoseconds())), "handler-ns/op")
	b.ReportMetric(perOp(float64(callsTime.Nanoseconds())), "calls-ns/op")
	b.ReportMetric(float64(handlerTime)/float64(callsTime), "ratio")
	b.ReportMetric(perOp(float64(handlerAllocs)), "handler-allocs/op")
	b.ReportMetric(perOp(float64(callsAllocs)), "calls-allocs/op")
}

// replayPlan orders the recorded AWS calls and Data Center requests by start
// time and returns a replay of each, with the outcome each must have.
func (e *warmEnv) replayPlan(b *testing.B, calls dynamo.Usage, dcCalls []dcRequest) ([]func(context.Context) string, []string) {
	b.Helper()
	type planned struct {
		start  time.Time
		replay func(context.Context) string
		want   string
	}
	var plan []planned
	for _, c := range calls {
		replay, err := e.replayer(c)
		if err != nil {
			b.Fatalf("%v", err)
		}
		plan = append(plan, planned{c.Start, replay, c.ErrorCode})
	}
	for _, r := range dcCalls {
		plan = append(plan, planned{r.start, r.replay, statusClass(r.status)})
	}
	slices.SortFunc(plan, func(x, y planned) int { return x.start.Compare(y.start) })
	steps := make([]func(context.Context) string, len(plan))
	want := make([]string, len(plan))
	for i, p := range plan {
		steps[i], want[i] = p.replay, p.want
	}
	return steps, want
}

// replayer returns a function that repeats c on plain clients, with its
// DynamoDB table replaced by the mirror, and returns the API error code it
// ended with ("" on success).
func (e *warmEnv) replayer(c dynamo.Call) (func(context.Context) string, error) {
	a := e.h.aws
	table := &e.mirror
	code := errorCode
	switch in := c.Input.(type) {
	case *dynamodb.GetItemInput:
		x := *in
		x.TableName = table
		return func(ctx context.Context) string { _, err := a.DynamoDB.GetItem(ctx, &x); return code(err) }, nil
	case *dynamodb.QueryInput:
		x := *in
		x.TableName = table
		return func(ctx context.Context) string { _, err := a.DynamoDB.Query(ctx, &x); return code(err) }, nil
	case *dynamodb.PutItemInput:
		x := *in
		x.TableName = table
		return func(ctx context.Context) string { _, err := a.DynamoDB.PutItem(ctx, &x); return code(err) }, nil
	case *dynamodb.UpdateItemInput:
		x := *in
		x.TableName = table
		return func(ctx context.Context) string { _, err := a.DynamoDB.UpdateItem(ctx, &x); return code(err) }, nil
	case *dynamodb.DeleteItemInput:
		x := *in
		x.TableName = table
		return func(ctx context.Context) string { _, err := a.DynamoDB.DeleteItem(ctx, &x); return code(err) }, nil
	case *dynamodb.TransactWriteItemsInput:
		x := &dynamodb.TransactWriteItemsInput{TransactItems: make([]types.TransactWriteItem, len(in.TransactItems))}
		for i, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				p := *it.Put
				p.TableName = table
				it.Put = &p
			case it.Update != nil:
				u := *it.Update
				u.TableName = table
				it.Update = &u
			case it.Delete != nil:
				d := *it.Delete
				d.TableName = table
				it.Delete = &d
			case it.ConditionCheck != nil:
				cc := *it.ConditionCheck
				cc.TableName = table
				it.ConditionCheck = &cc
			}
			x.TransactItems[i] = it
		}
		return func(ctx context.Context) string { _, err := a.DynamoDB.TransactWriteItems(ctx, x); return code(err) }, nil
	case *kms.EncryptInput:
		return func(ctx context.Context) string { _, err := a.KMS.Encrypt(ctx, in); return code(err) }, nil
	case *kms.DecryptInput:
		return func(ctx context.Context) string { _, err := a.KMS.Decrypt(ctx, in); return code(err) }, nil
	case *sqs.SendMessageInput:
		return func(ctx context.Context) string { _, err := a.SQS.SendMessage(ctx, in); return code(err) }, nil
	default:
		return nil, fmt.Errorf("no replay for %s (%T)", c.Name(), c.Input)
	}
}

// errorCode returns the API error code of err as the meter records it: ""
// for nil and "error" for a failure without a code.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return "error"
}

// dcRecorder records the requests the Data Center client sends and passes
// them on to next.
type dcRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []dcRequest
}

// dcRequest is one recorded Data Center request with its response status.
type dcRequest struct {
	start  time.Time
	method string
	url    string
	header http.Header
	body   []byte
	status int
}

func (d *dcRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r := dcRequest{start: time.Now(), method: req.Method, url: req.URL.String(), header: req.Header.Clone()}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("record Data Center request body: %w", err)
		}
		r.body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := d.next.RoundTrip(req)
	if err == nil {
		r.status = resp.StatusCode
	}
	d.mu.Lock()
	d.reqs = append(d.reqs, r)
	d.mu.Unlock()
	return resp, err
}

func (d *dcRecorder) take() []dcRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.reqs
	d.reqs = nil
	return out
}

// statusClass returns "2xx" for 200 to 299 and so on, because a replayed
// stage request returns 200 (already staged) where the recording got 201.
func statusClass(status int) string { return fmt.Sprintf("%dxx", status/100) }

// replay sends the recorded request again, signature included, and returns
// the class of its response status. The signature stays valid within the
// simulated instance's 5-minute window.
func (r dcRequest) replay(ctx context.Context) string {
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, bytes.NewReader(r.body))
	if err != nil {
		return err.Error()
	}
	req.Header = r.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return statusClass(resp.StatusCode)
}
