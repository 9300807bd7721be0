package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/cloudconnector/cloudconnector/shared/apigw"
	"github.com/cloudconnector/cloudconnector/shared/metrics"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

// The contract check: every response that the tests of this package get from
// the handlers must match docs/openapi.yaml. The harness records each
// exchange, and TestMain validates them all once the tests are done, so the
// scenario tests double as contract tests without a line of their own.

// contractBaseURL is the server of the document that recorded requests are
// addressed to: the local API.
const contractBaseURL = "http://127.0.0.1:3000"

// exchange is one request a test sent through the harness and its response.
type exchange struct {
	test     string
	request  events.APIGatewayV2HTTPRequest
	response events.APIGatewayV2HTTPResponse
}

// recorded holds the exchanges of the tests that ran.
var recorded struct {
	mu        sync.Mutex
	exchanges []exchange
}

// recordExchange keeps one exchange for the contract check. Benchmarks are
// left out: they repeat the same requests many times.
func recordExchange(t testing.TB, req events.APIGatewayV2HTTPRequest, resp events.APIGatewayV2HTTPResponse) {
	if _, ok := t.(*testing.B); ok {
		return
	}
	recorded.mu.Lock()
	defer recorded.mu.Unlock()
	recorded.exchanges = append(recorded.exchanges, exchange{test: t.Name(), request: req, response: resp})
}

// emfCheck is the output of metrics.Default() during the tests. It checks
// every metric line against the Embedded Metric Format and counts the lines
// of each metric by their dimensions.
var emfCheck = &emfLines{counts: map[string]int{}}

// TestMain runs the tests, then checks every recorded exchange against
// docs/openapi.yaml and every metric line against the Embedded Metric Format.
// A mismatch fails the run, even when every test passed. With -bench the
// metric lines are encoded but discarded, so checking them adds nothing to
// the measured times.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		metrics.Default().SetOutput(io.Discard)
	} else {
		metrics.Default().SetOutput(emfCheck)
	}
	code := m.Run()

	recorded.mu.Lock()
	exchanges := recorded.exchanges
	recorded.mu.Unlock()
	if len(exchanges) > 0 {
		if !checkContract(exchanges, os.Stdout) {
			code = 1
		}
	}
	if !emfCheck.report(os.Stdout) {
		code = 1
	}
	os.Exit(code)
}

// openAPIPath returns the path of docs/openapi.yaml.
func openAPIPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "docs", "openapi.yaml")
}

// loadOpenAPI loads and validates the document.
func loadOpenAPI() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(openAPIPath())
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", openAPIPath(), err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("invalid %s: %w", openAPIPath(), err)
	}
	return doc, nil
}

// contractChecker validates exchanges against the document.
type contractChecker struct {
	doc    *openapi3.T
	router routers.Router
}

func newContractChecker() (*contractChecker, error) {
	doc, err := loadOpenAPI()
	if err != nil {
		return nil, err
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("build router: %w", err)
	}
	return &contractChecker{doc: doc, router: router}, nil
}

// checkContract validates every exchange and writes each distinct failure,
// with the tests that hit it, and a summary to out. It reports whether all
// exchanges match the document.
func checkContract(exchanges []exchange, out io.Writer) bool {
	c, err := newContractChecker()
	if err != nil {
		fmt.Fprintf(out, "contract: %v\n", err)
		return false
	}

	failures := map[string][]string{} // failure -> tests
	covered := map[string]bool{}      // "GET /links 200"
	for _, x := range exchanges {
		covered[fmt.Sprintf("%s %d", x.request.RouteKey, x.response.StatusCode)] = true
		if err := c.check(x); err != nil {
			msg := fmt.Sprintf("%s -> %d: %v", x.request.RouteKey, x.response.StatusCode, err)
			if tests := failures[msg]; !slices.Contains(tests, x.test) {
				failures[msg] = append(tests, x.test)
			}
		}
	}

	if len(failures) > 0 {
		msgs := make([]string, 0, len(failures))
		for msg := range failures {
			msgs = append(msgs, msg)
		}
		sort.Strings(msgs)
		for _, msg := range msgs {
			fmt.Fprintf(out, "contract: FAIL %s\n    in %s\n", msg, strings.Join(failures[msg], ", "))
		}
		fmt.Fprintf(out, "contract: %d distinct failures in %d exchanges: docs/openapi.yaml and the handlers disagree\n",
			len(failures), len(exchanges))
		return false
	}
	if testing.Verbose() {
		keys := make([]string, 0, len(covered))
		for k := range covered {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(out, "contract: %d exchanges match docs/openapi.yaml; route and status pairs seen:\n    %s\n",
			len(exchanges), strings.Join(keys, "\n    "))
	}
	return true
}

// check validates one exchange: the response always, and the request too
// when the handler accepted it (2xx), so the document's request schemas
// accept everything the handlers accept.
func (c *contractChecker) check(x exchange) error {
	method, template, ok := strings.Cut(x.request.RouteKey, " ")
	if !ok {
		return fmt.Errorf("route key %q is not a method and a path", x.request.RouteKey)
	}
	req, err := httpRequest(x.request, method)
	if err != nil {
		return err
	}
	route, params, err := c.findRoute(req, method, template, x.request.PathParameters)
	if err != nil {
		return err
	}

	ctx := context.Background()
	reqOptions := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	reqOptions.WithCustomSchemaErrorFunc(shortSchemaError)
	reqInput := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: reqOptions}
	if x.response.StatusCode >= 200 && x.response.StatusCode <= 299 {
		if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
			return fmt.Errorf("the handler accepted a request that the document rejects: %w", err)
		}
	}

	header := http.Header{}
	for name, value := range x.response.Headers {
		header.Set(name, value)
	}
	respOptions := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	respOptions.WithCustomSchemaErrorFunc(shortSchemaError)
	respInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 x.response.StatusCode,
		Header:                 header,
		Options:                respOptions,
	}
	respInput.SetBodyBytes([]byte(x.response.Body))
	if err := openapi3filter.ValidateResponse(ctx, respInput); err != nil {
		return err
	}

	// ValidateResponse accepts any body for a status whose document
	// declares no content, such as 204.
	doc := route.Operation.Responses.Status(x.response.StatusCode)
	if doc != nil && doc.Value != nil && len(doc.Value.Content) == 0 && x.response.Body != "" {
		return fmt.Errorf("the document declares no body for status %d, but the response has one: %s", x.response.StatusCode, x.response.Body)
	}
	return nil
}

// shortSchemaError describes a schema mismatch by the JSON pointer of the
// value and the reason, without the schema and the value that kin-openapi
// prints by default, so one failure takes one line.
func shortSchemaError(err *openapi3.SchemaError) string {
	return fmt.Sprintf("at /%s: %s", strings.Join(err.JSONPointer(), "/"), err.Reason)
}

// findRoute returns the document's operation for the request. The router
// must match the request's path to the route key's template. A request
// whose path parameters the router cannot match, such as an id with a '/',
// is checked against the route key's template directly.
func (c *contractChecker) findRoute(req *http.Request, method, template string, pathParams map[string]string) (*routers.Route, map[string]string, error) {
	route, params, err := c.router.FindRoute(req)
	if err == nil {
		if route.Path != template {
			return nil, nil, fmt.Errorf("the document's router matched %s %s to %s, want %s", method, req.URL.Path, route.Path, template)
		}
		return route, params, nil
	}

	item := c.doc.Paths.Value(template)
	if item == nil || item.GetOperation(method) == nil {
		return nil, nil, fmt.Errorf("the document has no operation %s %s", method, template)
	}
	params = map[string]string{}
	for name, value := range pathParams {
		params[name] = value
	}
	return &routers.Route{Spec: c.doc, Path: template, PathItem: item, Method: method, Operation: item.GetOperation(method)}, params, nil
}

// httpRequest rebuilds the HTTP request that API Gateway turned into ev.
func httpRequest(ev events.APIGatewayV2HTTPRequest, method string) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("decode base64 request body: %w", err)
		}
		body = decoded
	}
	target := contractBaseURL + ev.RawPath
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("rebuild request %s %s: %w", method, target, err)
	}
	for name, value := range ev.Headers {
		req.Header.Set(name, value)
	}
	return req, nil
}

func TestOpenAPIMatchesRouteTable(t *testing.T) {
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	for _, r := range routes.All {
		if !documented[r.Key()] {
			t.Errorf("route %s is missing from docs/openapi.yaml", r.Key())
		}
		delete(documented, r.Key())
	}
	for key := range documented {
		t.Errorf("docs/openapi.yaml documents %s, which the route table lacks", key)
	}
}

func TestContractCheckFindsMismatches(t *testing.T) {
	c, err := newContractChecker()
	if err != nil {
		t.Fatal(err)
	}
	const link = `{"id":"lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39","orgId":"acme","siteId":"site-acme","connectorId":"con_01KKNTWRE0MVJTQ70Z6HFH8Q39",` +
		`"status":"PENDING","scopesRequested":["READ"],"requestExpiresAt":"2026-01-08T00:00:00Z","createdAt":"2026-01-01T00:00:00Z",` +
		`"createdBy":"alice","updatedAt":"2026-01-01T00:00:00Z"}`
	get := events.APIGatewayV2HTTPRequest{
		RouteKey: "GET /links/{linkId}", RawPath: "/links/lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39",
		PathParameters: map[string]string{"linkId": "lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39"},
	}
	del := get
	del.RouteKey = "DELETE /links/{linkId}"
	create := events.APIGatewayV2HTTPRequest{RouteKey: "POST /links", RawPath: "/links",
		Headers: map[string]string{"content-type": "application/json"}, Body: `{"siteId":"site-acme","connectorId":"con_01KKNTWRE0MVJTQ70Z6HFH8Q39"}`}
	createValid := create
	createValid.Body = `{"siteId":"site-acme","connectorId":"con_01KKNTWRE0MVJTQ70Z6HFH8Q39","scopes":["read"]}`
	created := map[string]string{"Content-Type": "application/json", "Location": "/links/lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39"}
	jsonHeader := map[string]string{"Content-Type": "application/json"}
	problemHeader := map[string]string{"Content-Type": "application/problem+json"}

	tests := []struct {
		name    string
		req     events.APIGatewayV2HTTPRequest
		resp    events.APIGatewayV2HTTPResponse
		wantErr string // "" when the response matches
	}{
		{"link", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonHeader, Body: link}, ""},
		{"renamed field", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonHeader,
			Body: strings.Replace(link, `"createdBy"`, `"creator"`, 1)}, "createdBy"},
		{"unknown status value", get, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: jsonHeader,
			Body: strings.Replace(link, `"PENDING"`, `"WAITING"`, 1)}, "at /status"},
		{"undocumented status", get, events.APIGatewayV2HTTPResponse{StatusCode: 418, Headers: jsonHeader, Body: link}, "status is not supported"},
		{"problem", get, events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: problemHeader,
			Body: `{"type":"https://cloudconnector.dev/problems/not-found","title":"Not found","status":404,"detail":"link x not found","instance":"/links/x"}`}, ""},
		{"problem with the wrong type", get, events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: problemHeader,
			Body: `{"type":"https://cloudconnector.dev/problems/conflict","title":"Not found","status":404,"detail":"link x not found"}`}, "type"},
		{"problem as plain JSON", get, events.APIGatewayV2HTTPResponse{StatusCode: 404, Headers: jsonHeader,
			Body: `{"type":"https://cloudconnector.dev/problems/not-found","title":"Not found","status":404,"detail":"link x not found"}`}, "Content-Type"},
		{"accepted request the document rejects", create, events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: created, Body: link},
			"the document rejects"},
		{"created", createValid, events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: created, Body: link}, ""},
		{"missing Location", createValid, events.APIGatewayV2HTTPResponse{StatusCode: 201, Headers: jsonHeader, Body: link}, "Location"},
		{"no content", del, events.APIGatewayV2HTTPResponse{StatusCode: 204}, ""},
		{"body with no content", del, events.APIGatewayV2HTTPResponse{StatusCode: 204, Headers: jsonHeader, Body: link}, "declares no body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.check(exchange{test: t.Name(), request: tt.req, response: tt.resp})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("check = nil, want an error naming %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("check = %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}

// TestContractOfRareResponses sends requests whose responses the other
// scenario tests do not produce, so that the contract check in TestMain
// covers them.
func TestContractOfRareResponses(t *testing.T) {
	h := newHarness(t)
	w := h.newWorld("acme", "jira", "11.3")
	other := h.newWorld("globex", "confluence", "10.2")
	id := h.connectedLink(w, "READ")
	pending := h.createLink(other, "READ")
	connector := map[string]string{"connectorId": w.connector}
	tooLarge := `{"name":"` + strings.Repeat("x", apigw.MaxBodyBytes) + `"}`

	tests := []struct {
		name   string
		caller actor
		route  string
		params map[string]string
		body   any
		header map[string]string
		want   int
	}{
		{"no token", actor{}, "GET /links/{linkId}", linkParams(id), nil, nil, 401},
		{"token without org", actor{sub: "someone"}, "GET /links", nil, nil, nil, 401},
		{"body too large", w.orgAdmin, "PATCH /connectors/{connectorId}", connector, tooLarge, nil, 413},
		{"body too large for a GET", w.orgAdmin, "GET /links/{linkId}", linkParams(id), tooLarge, nil, 413},
		{"wrong media type", w.orgAdmin, "PATCH /connectors/{connectorId}", connector, `{"name":"n"}`,
			map[string]string{"Content-Type": "text/plain"}, 415},
		{"rotate with a body", w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), `{"now":true}`, nil, 400},
		{"token scopes beyond the accepted", w.app, "POST /links/{linkId}/token", linkParams(id),
			map[string]any{"scopes": []string{"read", "WRITE"}}, nil, 422},
		{"token for some scopes", w.app, "POST /links/{linkId}/token", linkParams(id),
			map[string]any{"scopes": []string{" read "}}, nil, 200},
		{"reject with a reason", other.dcAdmin, "POST /links/{linkId}/reject", linkParams(pending),
			map[string]any{"reason": "not this quarter"}, nil, 200},
		{"list by states", w.orgAdmin, "GET /links", nil, nil,
			map[string]string{"?": "status=pending,CONNECTED&status=expired&limit=2"}, 200},
		{"list with a foreign cursor", w.orgAdmin, "GET /links", nil, nil, map[string]string{"?": "cursor=abc"}, 400},
		{"tunnelled connector", w.orgAdmin, "POST /connectors", nil, map[string]any{"name": "DC behind a tunnel", "product": "jira",
			"version": "11.10.2", "displayUrl": "https://jira.example.com/", "network": "tunnel", "tunnelId": "tunnel-1", "rpcUrl": h.dc.URL}, nil, 201},
		{"version by the Data Center admin", w.dcAdmin, "PATCH /connectors/{connectorId}", connector,
			map[string]any{"version": "11.3.0"}, nil, 200},
		{"null and empty fields", w.orgAdmin, "PATCH /connectors/{connectorId}", connector,
			`{"name":null,"rpcUrl":"","network":""}`, nil, 200},
		{"version below the minimum", w.dcAdmin, "PATCH /connectors/{connectorId}", connector,
			map[string]any{"version": "11.3.0-m0003"}, nil, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := h.do(tt.caller, tt.route, tt.params, tt.body, tt.header)
			if got.status != tt.want {
				t.Errorf("%s = %d, want %d: %s", tt.route, got.status, tt.want, got.raw)
			}
		})
	}

	// A rotation whose message cannot be queued, because the queue is gone.
	h.svc.Queue = sqsqueue.New(h.aws.SQS, h.queue.URL+"-missing")
	if got := h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil); got.status != 503 {
		t.Errorf("rotate without a queue = %d, want 503: %s", got.status, got.raw)
	}
}
