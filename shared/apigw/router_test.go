package apigw

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// serve calls ServeEvent and fails the test if it returns an error.
func serve(t *testing.T, rt *Router, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := rt.ServeEvent(context.Background(), ev)
	if err != nil {
		t.Fatalf("ServeEvent returned error %v, want nil always", err)
	}
	return resp
}

// decodeEcho checks for a 200 and returns the echo handler's body.
func decodeEcho(t *testing.T, resp events.APIGatewayV2HTTPResponse) echoBody {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", resp.StatusCode, resp.Body)
	}
	var out echoBody
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		t.Fatalf("echo body %q: %v", resp.Body, err)
	}
	return out
}

func TestServeEventRouting(t *testing.T) {
	rt, _ := newEchoRouter("GET /links/{linkId}", "POST /links", "GET /links")

	tests := []struct {
		name     string
		routeKey string
		rawPath  string
		status   int
	}{
		{"matched", "GET /links/{linkId}", "/links/" + testLinkID, http.StatusOK},
		{"named stage in rawPath", "GET /links/{linkId}", "/prod/links/" + testLinkID, http.StatusOK},
		{"base path in rawPath", "GET /links/{linkId}", "/v1/connector/links/" + testLinkID, http.StatusOK},
		{"rawPath of another route", "GET /links/{linkId}", "/connectors", http.StatusOK},
		{"unknown route key", "GET /connectors", "/links/" + testLinkID, http.StatusNotFound},
		{"default route", "$default", "/links/" + testLinkID, http.StatusNotFound},
		{"empty route key", "", "/links/" + testLinkID, http.StatusNotFound},
		{"method mismatch", "DELETE /links/{linkId}", "/links/" + testLinkID, http.StatusNotFound},
		{"lower-case method", "get /links/{linkId}", "/links/" + testLinkID, http.StatusNotFound},
		{"concrete path as key", "GET /links/" + testLinkID, "/links/" + testLinkID, http.StatusNotFound},
		{"stage name as key", "prod", "/prod/links", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent("GET /links/{linkId}", map[string]string{"linkId": testLinkID})
			ev.RouteKey = tt.routeKey
			ev.RawPath = tt.rawPath
			resp := serve(t, rt, ev)
			if tt.status == http.StatusOK {
				if got := decodeEcho(t, resp).RouteKey; got != tt.routeKey {
					t.Errorf("handled route = %q, want %q", got, tt.routeKey)
				}
				return
			}
			p := decodeProblem(t, resp, tt.status)
			if p.Instance != "" {
				t.Errorf("instance = %q for an unknown route, want none", p.Instance)
			}
		})
	}
}

func TestServeEventRouteBeforeAuthentication(t *testing.T) {
	rt, _ := newEchoRouter("GET /links")
	ev := newEvent("GET /nowhere", nil)
	ev.RequestContext.Authorizer = nil
	decodeProblem(t, serve(t, rt, ev), http.StatusNotFound)
}

func TestServeEventAuthentication(t *testing.T) {
	rt, _ := newEchoRouter("POST /links/{linkId}/rotate")

	jwt := func(claims map[string]string) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
		return &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	tests := []struct {
		name string
		auth *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
	}{
		{"no authorizer", nil},
		{"all-null authorizer", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}},
		{"nil claims", jwt(nil)},
		{"empty claims", jwt(map[string]string{})},
		{"no sub", jwt(map[string]string{"org": testOrgID, "roles": "org-admin"})},
		{"no org", jwt(map[string]string{"sub": "user-1", "roles": "org-admin"})},
		{"array org", jwt(map[string]string{"sub": "user-1", "org": "[org-a org-b]"})},
		{"IAM", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: "arn:aws:iam::111122223333:user/ci"},
		}},
		{"Lambda", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"org": testOrgID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent("POST /links/{linkId}/rotate", map[string]string{"linkId": testLinkID})
			ev.RequestContext.Authorizer = tt.auth
			resp := serve(t, rt, ev)
			decodeProblem(t, resp, http.StatusUnauthorized)
			if got := resp.Headers["WWW-Authenticate"]; got != "Bearer" {
				t.Errorf("WWW-Authenticate = %q, want Bearer", got)
			}
		})
	}

	t.Run("valid claims", func(t *testing.T) {
		ev := newEvent("POST /links/{linkId}/rotate", map[string]string{"linkId": testLinkID})
		out := decodeEcho(t, serve(t, rt, ev))
		if out.Subject != "user-3f9c2a" || out.OrgID != testOrgID {
			t.Errorf("principal = %q in %q, want user-3f9c2a in %s", out.Subject, out.OrgID, testOrgID)
		}
		want := []domain.Role{{Name: domain.RoleOrgAdmin}, {Name: domain.RoleSiteAdmin, Target: testSiteID}}
		if fmt.Sprint(out.Roles) != fmt.Sprint(want) {
			t.Errorf("roles = %+v, want %+v", out.Roles, want)
		}
	})
}

func TestServeEventRequestRules(t *testing.T) {
	rt, _ := newEchoRouter("POST /links", "GET /links")
	valid := `{"siteId":"S1","connectorId":"` + testConnectorID + `","scopes":["READ"]}`

	tests := []struct {
		name    string
		route   string
		edit    func(ev *events.APIGatewayV2HTTPRequest)
		status  int
		field   string // a field the problem must name, if any
		checkOK func(t *testing.T, out echoBody)
	}{
		{
			name: "JSON body", route: "POST /links", status: http.StatusOK,
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = valid },
			checkOK: func(t *testing.T, out echoBody) {
				if out.Input == nil || out.Input.SiteID != "S1" || out.Input.ConnectorID != testConnectorID {
					t.Errorf("input = %+v, want the decoded body", out.Input)
				}
			},
		},
		{
			name: "base64 body", route: "POST /links", status: http.StatusOK,
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Body = base64.StdEncoding.EncodeToString([]byte(valid))
				ev.IsBase64Encoded = true
			},
			checkOK: func(t *testing.T, out echoBody) {
				if out.Input == nil || out.Input.SiteID != "S1" {
					t.Errorf("input = %+v, want the decoded body", out.Input)
				}
			},
		},
		{
			name: "capitalised headers", route: "POST /links", status: http.StatusOK,
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Body = valid
				ev.Headers = map[string]string{"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": "k-7"}
			},
			checkOK: func(t *testing.T, out echoBody) {
				if out.Idempotency != "k-7" {
					t.Errorf("Idempotency-Key = %q, want k-7", out.Idempotency)
				}
			},
		},
		{
			name: "repeated query parameter", route: "GET /links", status: http.StatusOK,
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RawQueryString = "status=PENDING&status=CONNECTED"
				ev.QueryStringParameters = map[string]string{"status": "PENDING,CONNECTED"}
			},
			checkOK: func(t *testing.T, out echoBody) {
				if got := fmt.Sprint(out.Query["status"]); got != "[PENDING CONNECTED]" {
					t.Errorf("status values = %s, want [PENDING CONNECTED]", got)
				}
			},
		},
		{
			name: "invalid base64", route: "POST /links", status: http.StatusBadRequest, field: "body",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = "Hello world!"; ev.IsBase64Encoded = true },
		},
		{
			name: "invalid base64 on a GET", route: "GET /links", status: http.StatusBadRequest, field: "body",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = "%%%"; ev.IsBase64Encoded = true },
		},
		{
			name: "body too large", route: "POST /links", status: http.StatusRequestEntityTooLarge,
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Body = `{"siteId":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
			},
		},
		{
			name: "encoded body too large", route: "POST /links", status: http.StatusRequestEntityTooLarge,
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Body = base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", MaxBodyBytes+1)))
				ev.IsBase64Encoded = true
			},
		},
		{
			name: "wrong content type", route: "POST /links", status: http.StatusUnsupportedMediaType,
			edit: func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Body = valid
				ev.Headers = map[string]string{"content-type": "text/plain"}
			},
		},
		{
			name: "unknown field", route: "POST /links", status: http.StatusBadRequest, field: "role",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = `{"siteId":"S1","role":"org-admin"}` },
		},
		{
			name: "duplicate key", route: "POST /links", status: http.StatusBadRequest, field: "siteId",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = `{"siteId":"S1","siteId":"S2"}` },
		},
		{
			name: "invalid query", route: "GET /links", status: http.StatusBadRequest, field: "query",
			edit: func(ev *events.APIGatewayV2HTTPRequest) { ev.RawQueryString = "siteId=%zz" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent(tt.route, nil)
			tt.edit(&ev)
			resp := serve(t, rt, ev)
			if tt.status == http.StatusOK {
				tt.checkOK(t, decodeEcho(t, resp))
				return
			}
			p := decodeProblem(t, resp, tt.status)
			if tt.field != "" && !hasField(p.Errors, tt.field) {
				t.Errorf("problem errors = %+v, want one naming %q", p.Errors, tt.field)
			}
			if p.Instance != "/links" {
				t.Errorf("instance = %q, want /links", p.Instance)
			}
		})
	}
}

func TestServeEventInstance(t *testing.T) {
	tests := []struct {
		routeKey string
		params   map[string]string
		want     string
	}{
		{"POST /links", nil, "/links"},
		{"GET /links/{linkId}", map[string]string{"linkId": testLinkID}, "/links/" + testLinkID},
		{"POST /links/{linkId}/accept", map[string]string{"linkId": testLinkID}, "/links/" + testLinkID + "/accept"},
		{"GET /links/{linkId}", map[string]string{"linkId": "a b/c"}, "/links/a%20b%2Fc"},
		{"GET /links/{linkId}", nil, "/links/{linkId}"},
		{"GET /files/{proxy+}", map[string]string{"proxy": "a/b c"}, "/files/a/b%20c"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			rt := NewRouter(discardLogger)
			rt.Handle(tt.routeKey, func(context.Context, *Request) (Response, error) {
				return Response{}, domain.Errorf(domain.KindConflict, "busy")
			})
			ev := newEvent(tt.routeKey, tt.params)
			ev.RawPath = "/prod/elsewhere"
			p := decodeProblem(t, serve(t, rt, ev), http.StatusConflict)
			if p.Instance != tt.want {
				t.Errorf("instance = %q, want %q", p.Instance, tt.want)
			}
		})
	}
}

func TestServeEventHandlerResults(t *testing.T) {
	tests := []struct {
		name    string
		handler HandlerFunc
		status  int
		body    string // the exact response body, if checked
		header  map[string]string
	}{
		{
			name: "created with location",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: http.StatusCreated, Body: map[string]string{"id": testLinkID}, Header: map[string]string{"location": "/links/" + testLinkID}}, nil
			},
			status: http.StatusCreated,
			body:   `{"id":"` + testLinkID + `"}`,
			header: map[string]string{"Content-Type": ContentTypeJSON, "Location": "/links/" + testLinkID},
		},
		{
			name: "no content",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: http.StatusNoContent}, nil
			},
			status: http.StatusNoContent,
			body:   "",
		},
		{
			name: "accepted",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: http.StatusAccepted, Body: []string{}}, nil
			},
			status: http.StatusAccepted,
			body:   `[]`,
		},
		{
			name: "error replaces response",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: http.StatusOK, Body: "ignored"}, domain.Errorf(domain.KindForbidden, "user-1 is not allowed to rotate link")
			},
			status: http.StatusForbidden,
		},
		{
			name: "wrapped domain error",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{}, fmt.Errorf("rotate link %s: %w", testLinkID, domain.NotFound("link", testLinkID))
			},
			status: http.StatusNotFound,
		},
		{
			name: "zero status",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Body: "x"}, nil
			},
			status: http.StatusInternalServerError,
		},
		{
			name: "status out of range",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: 99}, nil
			},
			status: http.StatusInternalServerError,
		},
		{
			name: "body with 204",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: http.StatusNoContent, Body: map[string]string{}}, nil
			},
			status: http.StatusInternalServerError,
		},
		{
			name: "unencodable body",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{Status: http.StatusOK, Body: make(chan int)}, nil
			},
			status: http.StatusInternalServerError,
		},
		{
			name: "plain error",
			handler: func(context.Context, *Request) (Response, error) {
				return Response{}, errors.New("connection reset by 10.1.2.3")
			},
			status: http.StatusInternalServerError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := NewRouter(discardLogger)
			rt.Handle("POST /links/{linkId}/rotate", tt.handler)
			resp := serve(t, rt, newEvent("POST /links/{linkId}/rotate", map[string]string{"linkId": testLinkID}))
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, tt.status, resp.Body)
			}
			if tt.status >= 200 && tt.status < 300 && resp.Body != tt.body {
				t.Errorf("body = %q, want %q", resp.Body, tt.body)
			}
			for name, want := range tt.header {
				if got := resp.Headers[name]; got != want {
					t.Errorf("header %s = %q, want %q", name, got, want)
				}
			}
			if tt.status == http.StatusInternalServerError {
				p := decodeProblem(t, resp, tt.status)
				if strings.Contains(resp.Body, "10.1.2.3") || !strings.Contains(p.Detail, testRequestID) {
					t.Errorf("500 detail = %q, want a fixed sentence with request id %s", p.Detail, testRequestID)
				}
			}
		})
	}
}

func TestServeEventPanic(t *testing.T) {
	for _, value := range []any{"boom", errors.New("nil map write"), 42} {
		t.Run(fmt.Sprint(value), func(t *testing.T) {
			logs := &logBuffer{}
			rt := NewRouter(newJSONLogger(logs))
			rt.Handle("GET /links/{linkId}", func(context.Context, *Request) (Response, error) {
				panic(value)
			})
			resp := serve(t, rt, newEvent("GET /links/{linkId}", map[string]string{"linkId": testLinkID}))
			p := decodeProblem(t, resp, http.StatusInternalServerError)
			if p.Instance != "/links/"+testLinkID {
				t.Errorf("instance = %q, want /links/%s", p.Instance, testLinkID)
			}

			records := logs.records(t)
			if len(records) != 1 {
				t.Fatalf("log has %d lines, want 1: %s", len(records), logs.String())
			}
			rec := records[0]
			if rec["level"] != "ERROR" || rec["panic"] != fmt.Sprint(value) {
				t.Errorf("log level %v panic %v, want ERROR and %v", rec["level"], rec["panic"], value)
			}
			if stack, _ := rec["stack"].(string); !strings.Contains(stack, "router_test.go") {
				t.Errorf("log stack does not show the panicking handler: %.200s", stack)
			}
		})
	}
}

func TestServeEventLog(t *testing.T) {
	const secretBody = "body-secret-7Qx"
	const secretToken = "token-secret-9Zk"

	logs := &logBuffer{}
	rt := NewRouter(newJSONLogger(logs))
	rt.Handle("POST /links/{linkId}/accept", echoHandler)
	rt.Handle("POST /links/{linkId}/reject", func(context.Context, *Request) (Response, error) {
		return Response{}, fmt.Errorf("store reject: %w", errors.New("throttled"))
	})

	ev := newEvent("POST /links/{linkId}/accept", map[string]string{"linkId": testLinkID})
	ev.Headers["authorization"] = "Bearer " + secretToken
	ev.Body = `{"siteId":"` + secretBody + `"}`
	serve(t, rt, ev)

	ev = newEvent("POST /links/{linkId}/reject", map[string]string{"linkId": testOtherLinkID, "extra": "not-in-template"})
	ev.Body = `{"siteId":"` + secretBody + `"}`
	serve(t, rt, ev)

	ev = newEvent("GET /unknown", nil)
	serve(t, rt, ev)

	if strings.Contains(logs.String(), secretBody) || strings.Contains(logs.String(), secretToken) {
		t.Errorf("log shows a body or a token:\n%s", logs.String())
	}

	records := logs.records(t)
	if len(records) != 3 {
		t.Fatalf("log has %d lines, want one per request:\n%s", len(records), logs.String())
	}
	want := []struct {
		routeKey string
		status   float64
		level    string
		linkID   any
		errText  any
	}{
		{"POST /links/{linkId}/accept", 200, "INFO", testLinkID, nil},
		{"POST /links/{linkId}/reject", 500, "ERROR", testOtherLinkID, "store reject: throttled"},
		{"GET /unknown", 404, "INFO", nil, nil},
	}
	for i, w := range want {
		rec := records[i]
		if rec["route_key"] != w.routeKey || rec["status"] != w.status || rec["level"] != w.level {
			t.Errorf("line %d: route_key %v status %v level %v, want %s %v %s", i, rec["route_key"], rec["status"], rec["level"], w.routeKey, w.status, w.level)
		}
		if rec["api_request_id"] != testRequestID {
			t.Errorf("line %d: api_request_id = %v, want %s", i, rec["api_request_id"], testRequestID)
		}
		if d, ok := rec["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("line %d: duration_ms = %v, want a non-negative number", i, rec["duration_ms"])
		}
		path, _ := rec["path"].(map[string]any)
		if path["linkId"] != w.linkID {
			t.Errorf("line %d: path.linkId = %v, want %v", i, path["linkId"], w.linkID)
		}
		if _, ok := path["extra"]; ok {
			t.Errorf("line %d: logs a path parameter the route does not name: %v", i, path)
		}
		if rec["error"] != w.errText {
			t.Errorf("line %d: error = %v, want %v", i, rec["error"], w.errText)
		}
	}
}

func TestServeEventLogLongParam(t *testing.T) {
	logs := &logBuffer{}
	rt := NewRouter(newJSONLogger(logs))
	rt.Handle("GET /links/{linkId}", echoHandler)
	serve(t, rt, newEvent("GET /links/{linkId}", map[string]string{"linkId": strings.Repeat("x", 5000)}))

	path, _ := logs.records(t)[0]["path"].(map[string]any)
	got, _ := path["linkId"].(string)
	if len(got) != maxLoggedParamBytes {
		t.Errorf("logged linkId has %d bytes, want %d", len(got), maxLoggedParamBytes)
	}
}

func TestServeEventConcurrent(t *testing.T) {
	rt, logs := newEchoRouter("GET /links/{linkId}", "POST /links")
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ev := newEvent("GET /links/{linkId}", map[string]string{"linkId": testLinkID})
			if i%2 == 1 {
				ev = newEvent("POST /links", nil)
				ev.Body = fmt.Sprintf(`{"siteId":"S%d"}`, i)
			}
			resp, err := rt.ServeEvent(context.Background(), ev)
			if err != nil || resp.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("request %d: status %d error %v body %s", i, resp.StatusCode, err, resp.Body)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(logs.records(t)); n != 64 {
		t.Errorf("log has %d lines, want 64", n)
	}
}

func TestNewRouterNilLogger(t *testing.T) {
	rt := NewRouter(nil)
	rt.Handle("GET /links", echoHandler)
	if got := serve(t, rt, newEvent("GET /links", nil)).StatusCode; got != http.StatusOK {
		t.Errorf("status = %d, want 200 with the default logger", got)
	}
}

func TestHandleRejectsBadRoutes(t *testing.T) {
	tests := []struct {
		name string
		key  string
		h    HandlerFunc
	}{
		{"no path", "GET", echoHandler},
		{"no method", " /links", echoHandler},
		{"lower-case method", "get /links", echoHandler},
		{"relative path", "GET links", echoHandler},
		{"default route", "$default", echoHandler},
		{"two spaces", "GET  /links", echoHandler},
		{"nil handler", "GET /links", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Handle(%q) did not panic", tt.key)
				}
			}()
			NewRouter(discardLogger).Handle(tt.key, tt.h)
		})
	}

	t.Run("duplicate", func(t *testing.T) {
		rt := NewRouter(discardLogger)
		rt.Handle("GET /links", echoHandler)
		defer func() {
			if recover() == nil {
				t.Error("second Handle of the same key did not panic")
			}
		}()
		rt.Handle("GET /links", echoHandler)
	})
}
