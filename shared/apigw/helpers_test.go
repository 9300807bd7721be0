package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// Ids used across the tests. They are well-formed prefixed ULIDs.
const (
	testLinkID      = "lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39"
	testOtherLinkID = "lnk_01KKNTWRE0MVJTQ70Z6JCD957D"
	testConnectorID = "con_01KKNTWRE0MVJTQ70Z6M03BENT"
	testSiteID      = "site-7f3a"
	testOrgID       = "org-acme"
	testRequestID   = "Yq3mTf1LjoEEKcw="
)

// logBuffer collects the router's JSON log lines; the router may write from
// several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns every log line, decoded.
func (l *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// linkInput is the body the test handlers decode for POST routes.
type linkInput struct {
	SiteID      string   `json:"siteId"`
	ConnectorID string   `json:"connectorId"`
	Scopes      []string `json:"scopes"`
	Options     *struct {
		Note  string `json:"note"`
		Count int    `json:"count"`
	} `json:"options,omitempty"`
}

// echoBody is what echoHandler returns: the parsed request as the handler
// saw it.
type echoBody struct {
	RouteKey    string            `json:"routeKey"`
	Method      string            `json:"method"`
	PathParams  map[string]string `json:"pathParams"`
	Query       url.Values        `json:"query"`
	Subject     string            `json:"subject"`
	OrgID       string            `json:"orgId"`
	Roles       []domain.Role     `json:"roles"`
	ContentType string            `json:"contentType"`
	Idempotency string            `json:"idempotencyKey"`
	RequestID   string            `json:"requestId"`
	Input       *linkInput        `json:"input,omitempty"`
	BodyBytes   int               `json:"bodyBytes"`
}

// echoHandler returns the parsed request. For POST it first decodes the body
// as a linkInput, unless the body is empty.
func echoHandler(_ context.Context, r *Request) (Response, error) {
	out := echoBody{
		RouteKey:    r.RouteKey,
		Method:      r.Method,
		PathParams:  r.PathParams,
		Query:       r.Query,
		Subject:     r.Principal.Subject,
		OrgID:       r.Principal.OrgID,
		Roles:       r.Principal.Roles,
		ContentType: r.Header.Get("content-type"),
		Idempotency: r.Header.Get("IDEMPOTENCY-KEY"),
		RequestID:   r.RequestID,
		BodyBytes:   len(r.Body),
	}
	if r.Method == http.MethodPost && len(r.Body) > 0 {
		var in linkInput
		if err := r.DecodeJSON(&in); err != nil {
			return Response{}, err
		}
		out.Input = &in
	}
	if _, ok := r.PathParams["linkId"]; ok {
		if _, err := r.PathID("linkId", domain.PrefixLink); err != nil {
			return Response{}, err
		}
	}
	return Response{Status: http.StatusOK, Body: out}, nil
}

// newJSONLogger returns a logger that writes JSON lines to w, as the Lambda
// functions log.
func newJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// discardLogger drops every record, for tests that do not read the log.
var discardLogger = slog.New(slog.DiscardHandler)

// newEchoRouter returns a router that serves every given route key with
// echoHandler and logs to the returned buffer.
func newEchoRouter(keys ...string) (*Router, *logBuffer) {
	logs := &logBuffer{}
	rt := NewRouter(newJSONLogger(logs))
	for _, key := range keys {
		rt.Handle(key, echoHandler)
	}
	return rt, logs
}

// validClaims returns the claims of an organization admin, as API Gateway
// renders them.
func validClaims() map[string]string {
	return map[string]string{
		"sub":   "user-3f9c2a",
		"org":   testOrgID,
		"roles": "[org-admin site-admin:" + testSiteID + "]",
		"exp":   "1773484200",
	}
}

// newEvent returns an authenticated event for routeKey with the given path
// parameters. The raw path deliberately carries a stage prefix, because the
// router must never read it.
func newEvent(routeKey string, params map[string]string) events.APIGatewayV2HTTPRequest {
	method, template, _ := strings.Cut(routeKey, " ")
	return events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       routeKey,
		RawPath:        "/prod" + fillTemplate(template, params),
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  routeKey,
			Stage:     "prod",
			RequestID: testRequestID,
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: validClaims()},
			},
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: "/prod" + fillTemplate(template, params)},
		},
	}
}

// problem is a decoded problem response body.
type problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Instance string              `json:"instance"`
	Errors   []domain.FieldError `json:"errors"`
}

// decodeProblem checks that resp is a problem response with the given
// status and returns its body.
func decodeProblem(t *testing.T, resp events.APIGatewayV2HTTPResponse, wantStatus int) problem {
	t.Helper()
	if resp.StatusCode != wantStatus {
		t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, wantStatus, resp.Body)
	}
	if got := resp.Headers["Content-Type"]; got != ContentTypeProblem {
		t.Errorf("Content-Type = %q, want %q", got, ContentTypeProblem)
	}
	var p problem
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatalf("problem body %q is not JSON: %v", resp.Body, err)
	}
	if p.Status != wantStatus {
		t.Errorf("problem status = %d, want %d", p.Status, wantStatus)
	}
	return p
}

// hasField reports whether errs names field. Go 1.27's encoding/json adds
// the element index to a field inside an array ("scopes.1"), Go 1.26 does
// not, so both forms count.
func hasField(errs []domain.FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field || strings.HasPrefix(e.Field, field+".") {
			return true
		}
	}
	return false
}

// readFixture returns the bytes of testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}
