package smoke

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/apigw"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// expectation is the response a function must return for one sample
// event. Each function starts on an empty table and gets its events in file
// name order, so the responses are fixed. The events name links and
// connectors that do not exist, and the writes of earlier events are the
// only data.
type expectation struct {
	// status is the statusCode of an HTTP function's response.
	status int
	// failures are the message ids a rotation worker must report as batch
	// item failures, in record order.
	failures []string
}

// expectations lists every file under events/ by its path relative to
// events/. A file without an entry fails TestEventFiles.
var expectations = map[string]expectation{
	"connectors/delete-connector.json":   {status: 404},
	"connectors/get-connector.json":      {status: 404},
	"connectors/list-connectors.json":    {status: 200},
	"connectors/put-site.json":           {status: 201},
	"connectors/register-connector.json": {status: 201},
	"connectors/update-connector.json":   {status: 404},

	"createlink/create-link.json": {status: 404},

	"reviewlink/accept-link-base64.json": {status: 404},
	"reviewlink/list-link-requests.json": {status: 404},
	"reviewlink/reject-link.json":        {status: 404},

	"getlink/get-link-invalid-id.json":     {status: 400},
	"getlink/get-link.json":                {status: 404},
	"getlink/list-events-named-stage.json": {status: 404},
	"getlink/list-links.json":              {status: 200},

	"rotatelink/rotate-link.json": {status: 404},
	"deletelink/delete-link.json": {status: 404},
	"token/request-token.json":    {status: 404},

	"rotationworker/duplicate.json": {},
	"rotationworker/revoke.json":    {},
	"rotationworker/rotate.json":    {},
	"rotationworker/poison.json": {failures: []string{
		"e4f1a8c2-5b97-4d3e-8a06-3f2c1b0e9d75", // not JSON
		"8c3d6b21-9e4f-4a7b-b2c5-0d1e8f7a6b93", // unknown kind
		"a1b2e3f4-6c7d-4e8f-9a0b-1c2d3e4f5a6b", // unknown field
	}},

	"rotationscheduler/scheduled.json": {},
}

// TestEventFiles checks the sample events without running anything: every
// function and every route has events, every file has an expectation, and
// every event has the shape that API Gateway, SQS or EventBridge sends.
func TestEventFiles(t *testing.T) {
	root := moduleRoot(t)

	dirs, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		t.Fatalf("list functions: %v", err)
	}
	for _, d := range dirs {
		if d.IsDir() && !slices.Contains(functionNames(), d.Name()) {
			t.Errorf("functions/%s is not in the route table or the rotation functions, so the smoke test does not run it", d.Name())
		}
	}

	seen := map[string]bool{}
	routeKeys := map[string]bool{}
	for _, fn := range functionNames() {
		files := eventFiles(t, root, fn)
		if len(files) == 0 {
			t.Errorf("events/%s has no sample events, want at least one", fn)
		}
		for _, path := range files {
			key := eventKey(path)
			seen[key] = true
			want, ok := expectations[key]
			if !ok {
				t.Errorf("events/%s has no entry in expectations", key)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read %s: %v", path, err)
			}
			t.Run(key, func(t *testing.T) {
				switch fn {
				case routes.RotationWorker:
					checkSQSEvent(t, raw)
				case routes.RotationScheduler:
					checkScheduledEvent(t, raw)
				default:
					routeKeys[checkHTTPEvent(t, fn, raw, want)] = true
				}
			})
		}
	}

	for key := range expectations {
		if !seen[key] {
			t.Errorf("expectations lists %s, but events/%s does not exist", key, key)
		}
	}
	for _, r := range routes.All {
		if !routeKeys[r.Key()] {
			t.Errorf("route %q has no sample event in events/%s", r.Key(), r.Function)
		}
	}
}

// decodeStrict decodes raw into dst and fails on fields that dst lacks, so a
// misspelt field name in an event file does not go unnoticed.
func decodeStrict(t *testing.T, raw []byte, dst any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		t.Fatalf("decode into %T: %v", dst, err)
	}
}

// checkHTTPEvent checks an API Gateway HTTP API payload 2.0 event for
// function fn and returns its route key.
func checkHTTPEvent(t *testing.T, fn string, raw []byte, want expectation) string {
	t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	decodeStrict(t, raw, &ev)

	if ev.Version != "2.0" {
		t.Errorf("version = %q, want 2.0", ev.Version)
	}
	if ev.RequestContext.RouteKey != ev.RouteKey {
		t.Errorf("requestContext.routeKey = %q, want the event's routeKey %q", ev.RequestContext.RouteKey, ev.RouteKey)
	}
	var route *routes.Route
	for _, r := range routes.ForFunction(fn) {
		if r.Key() == ev.RouteKey {
			route = &r
		}
	}
	if route == nil {
		t.Fatalf("routeKey %q is not a route of %s", ev.RouteKey, fn)
	}
	if ev.RequestContext.HTTP.Method != route.Method {
		t.Errorf("requestContext.http.method = %q, want %q", ev.RequestContext.HTTP.Method, route.Method)
	}

	path := route.Path
	for name, value := range ev.PathParameters {
		path = strings.Replace(path, "{"+name+"}", value, 1)
	}
	if strings.Contains(path, "{") {
		t.Errorf("pathParameters %v do not fill route path %s", ev.PathParameters, route.Path)
	}
	wantRawPath := path
	if stage := ev.RequestContext.Stage; stage != "$default" {
		wantRawPath = "/" + stage + path
	}
	if ev.RawPath != wantRawPath || ev.RequestContext.HTTP.Path != wantRawPath {
		t.Errorf("rawPath = %q and requestContext.http.path = %q, want both %q for stage %q",
			ev.RawPath, ev.RequestContext.HTTP.Path, wantRawPath, ev.RequestContext.Stage)
	}
	if want.status != 400 {
		for name, value := range ev.PathParameters {
			prefix := map[string]string{"linkId": domain.PrefixLink, "connectorId": domain.PrefixConnector}[name]
			if prefix != "" && !domain.ValidID(prefix, value) {
				t.Errorf("path parameter %s = %q is not %s followed by a ULID", name, value, prefix)
			}
		}
	}

	for name := range ev.Headers {
		if name != strings.ToLower(name) {
			t.Errorf("header name %q is not lower-case, as HTTP APIs send them", name)
		}
	}
	auth := ev.RequestContext.Authorizer
	if auth == nil || auth.JWT == nil {
		t.Fatal("requestContext.authorizer.jwt is missing")
	}
	if _, err := apigw.PrincipalFromClaims(auth.JWT.Claims); err != nil {
		t.Errorf("JWT claims %v give no principal: %v", auth.JWT.Claims, err)
	}
	if roles := auth.JWT.Claims["roles"]; !strings.HasPrefix(roles, "[") || !strings.HasSuffix(roles, "]") {
		t.Errorf("roles claim = %q, want API Gateway's rendering of an array, such as \"[org-admin]\"", roles)
	}

	if ev.IsBase64Encoded {
		if _, err := base64.StdEncoding.DecodeString(ev.Body); err != nil {
			t.Errorf("body is marked base64-encoded but does not decode: %v", err)
		}
	}
	return ev.RouteKey
}

// checkSQSEvent checks an SQS event source mapping batch, including the MD5
// digest of each record's body.
func checkSQSEvent(t *testing.T, raw []byte) {
	t.Helper()
	var ev events.SQSEvent
	decodeStrict(t, raw, &ev)
	if len(ev.Records) == 0 {
		t.Fatal("the batch has no records")
	}
	for i, rec := range ev.Records {
		if rec.EventSource != "aws:sqs" {
			t.Errorf("record %d: eventSource = %q, want aws:sqs", i, rec.EventSource)
		}
		sum := md5.Sum([]byte(rec.Body))
		if got := hex.EncodeToString(sum[:]); rec.Md5OfBody != got {
			t.Errorf("record %d: md5OfBody = %s, want %s, the digest of its body", i, rec.Md5OfBody, got)
		}
		if rec.Attributes["ApproximateReceiveCount"] == "" {
			t.Errorf("record %d has no ApproximateReceiveCount attribute", i)
		}
	}
}

// checkScheduledEvent checks an EventBridge scheduled event.
func checkScheduledEvent(t *testing.T, raw []byte) {
	t.Helper()
	var ev events.EventBridgeEvent
	decodeStrict(t, raw, &ev)
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
		t.Errorf("detail-type = %q and source = %q, want Scheduled Event from aws.events", ev.DetailType, ev.Source)
	}
}
