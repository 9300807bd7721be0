package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"

	"github.com/cloudconnector/cloudconnector/scripts/internal/devjwt"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

func TestRouting(t *testing.T) {
	srv := newTestServer(t, nil)
	token := srv.token(t, nil)

	tests := []struct {
		method, path string
		wantKey      string
		wantFunction string
		wantParams   map[string]string
	}{
		{"PUT", "/sites/s1", "PUT /sites/{siteId}", routes.Connectors, map[string]string{"siteId": "s1"}},
		{"POST", "/connectors", "POST /connectors", routes.Connectors, nil},
		{"GET", "/connectors", "GET /connectors", routes.Connectors, nil},
		{"GET", "/connectors/con_1", "GET /connectors/{connectorId}", routes.Connectors, map[string]string{"connectorId": "con_1"}},
		{"PATCH", "/connectors/con_1", "PATCH /connectors/{connectorId}", routes.Connectors, map[string]string{"connectorId": "con_1"}},
		{"DELETE", "/connectors/con_1", "DELETE /connectors/{connectorId}", routes.Connectors, map[string]string{"connectorId": "con_1"}},
		{"POST", "/links", "POST /links", routes.CreateLink, nil},
		{"GET", "/connectors/con_1/link-requests", "GET /connectors/{connectorId}/link-requests", routes.ReviewLink, map[string]string{"connectorId": "con_1"}},
		{"POST", "/links/lnk_1/accept", "POST /links/{linkId}/accept", routes.ReviewLink, map[string]string{"linkId": "lnk_1"}},
		{"POST", "/links/lnk_1/reject", "POST /links/{linkId}/reject", routes.ReviewLink, map[string]string{"linkId": "lnk_1"}},
		{"GET", "/links/lnk_1", "GET /links/{linkId}", routes.GetLink, map[string]string{"linkId": "lnk_1"}},
		{"GET", "/links", "GET /links", routes.GetLink, nil},
		{"GET", "/links/lnk_1/events", "GET /links/{linkId}/events", routes.GetLink, map[string]string{"linkId": "lnk_1"}},
		{"POST", "/links/lnk_1/rotate", "POST /links/{linkId}/rotate", routes.RotateLink, map[string]string{"linkId": "lnk_1"}},
		{"DELETE", "/links/lnk_1", "DELETE /links/{linkId}", routes.DeleteLink, map[string]string{"linkId": "lnk_1"}},
		{"POST", "/links/lnk_1/token", "POST /links/{linkId}/token", routes.Token, map[string]string{"linkId": "lnk_1"}},
		{"GET", "/links/a%20b", "GET /links/{linkId}", routes.GetLink, map[string]string{"linkId": "a b"}},
	}
	if len(tests) != len(routes.All)+1 {
		t.Fatalf("test cases: got %d, want one per route (%d) plus the decoded case", len(tests), len(routes.All))
	}

	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			before := len(srv.stubs.invocations())
			resp, body := srv.do(t, tt.method, tt.path, nil, bearer(token))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status: got %d, want 200 (body %s)", resp.StatusCode, body)
			}
			calls := srv.stubs.invocations()
			if len(calls) != before+1 {
				t.Fatalf("handler calls: got %d, want %d", len(calls), before+1)
			}
			call := calls[len(calls)-1]
			if call.function != tt.wantFunction {
				t.Errorf("function: got %q, want %q", call.function, tt.wantFunction)
			}
			if call.event.RouteKey != tt.wantKey || call.event.RequestContext.RouteKey != tt.wantKey {
				t.Errorf("route key: got %q and %q, want %q", call.event.RouteKey, call.event.RequestContext.RouteKey, tt.wantKey)
			}
			if !maps.Equal(call.event.PathParameters, tt.wantParams) {
				t.Errorf("path parameters: got %v, want %v", call.event.PathParameters, tt.wantParams)
			}
		})
	}
}

func TestRoutingNotFound(t *testing.T) {
	srv := newTestServer(t, nil)
	token := srv.token(t, nil)

	tests := []struct{ name, method, path string }{
		{"unknown path", "GET", "/nothing"},
		{"root", "GET", "/"},
		{"method not served", "PUT", "/links"},
		{"trailing slash", "GET", "/links/"},
		{"empty parameter", "GET", "/links//events"},
		{"extra segment", "GET", "/links/lnk_1/events/more"},
		{"literal mismatch", "POST", "/links/lnk_1/approve"},
		{"case differs", "GET", "/Links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := srv.do(t, tt.method, tt.path, nil, bearer(token))
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status: got %d, want 404", resp.StatusCode)
			}
			if string(body) != `{"message":"Not Found"}` {
				t.Errorf("body: got %s, want {\"message\":\"Not Found\"}", body)
			}
		})
	}
	if calls := srv.stubs.invocations(); len(calls) != 0 {
		t.Errorf("handler calls: got %d, want 0", len(calls))
	}
}

func TestNotFoundBeforeAuthorizer(t *testing.T) {
	srv := newTestServer(t, nil)
	resp, _ := srv.do(t, "GET", "/nothing", nil, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status without token on unknown path: got %d, want 404", resp.StatusCode)
	}
}

func TestAuthorizerRejects(t *testing.T) {
	srv := newTestServer(t, nil)
	other, err := devjwt.NewKey(mustRSAKey(t))
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	otherToken, err := other.Sign(jwt.MapClaims{"iss": devjwt.Issuer, "aud": devjwt.Audience, "exp": time.Now().Add(time.Hour).Unix()})
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	valid := srv.token(t, nil)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"iss": devjwt.Issuer, "aud": devjwt.Audience, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatalf("sign none token: %v", err)
	}

	tests := []struct {
		name   string
		header http.Header
	}{
		{"no header", nil},
		{"empty header", http.Header{"Authorization": {""}}},
		{"bearer without token", http.Header{"Authorization": {"Bearer "}}},
		{"basic scheme", http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}},
		{"garbage", bearer("not-a-token")},
		{"expired", bearer(srv.token(t, func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() }))},
		{"wrong audience", bearer(srv.token(t, func(c jwt.MapClaims) { c["aud"] = "someone-else" }))},
		{"wrong issuer", bearer(srv.token(t, func(c jwt.MapClaims) { c["iss"] = "https://example.invalid" }))},
		{"not yet valid", bearer(srv.token(t, func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() }))},
		{"alg none", bearer(none)},
		{"other key", bearer(otherToken)},
		{"two headers", http.Header{"Authorization": {"Bearer " + valid, "Bearer " + valid}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := srv.do(t, "GET", "/links/lnk_1", nil, tt.header)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status: got %d, want 401", resp.StatusCode)
			}
			if string(body) != `{"message":"Unauthorized"}` {
				t.Errorf("body: got %s, want {\"message\":\"Unauthorized\"}", body)
			}
		})
	}
	if calls := srv.stubs.invocations(); len(calls) != 0 {
		t.Errorf("handler calls after rejected tokens: got %d, want 0", len(calls))
	}
}

func TestAuthorizerAcceptsTokenForms(t *testing.T) {
	srv := newTestServer(t, nil)
	token := srv.token(t, nil)

	for _, value := range []string{"Bearer " + token, "bearer " + token, token} {
		resp, body := srv.do(t, "GET", "/links", nil, http.Header{"Authorization": {value}})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status for Authorization %.12q...: got %d, want 200 (body %s)", value, resp.StatusCode, body)
		}
	}
}

func TestClaimsInAPIGatewayForm(t *testing.T) {
	srv := newTestServer(t, nil)
	token := srv.token(t, func(c jwt.MapClaims) {
		c["exp"] = int64(4102444800)
		c["count"] = 1.5
		c["admin"] = true
		c["groups"] = []any{"a", "b", "c"}
		c["mixed"] = []any{1, "x", false}
		c["profile"] = map[string]any{"name": "Ada", "level": 3}
		c["empty"] = []any{}
	})

	resp, body := srv.do(t, "GET", "/links", nil, bearer(token))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200 (body %s)", resp.StatusCode, body)
	}
	ev := srv.stubs.onlyCall(t).event
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.JWT == nil {
		t.Fatalf("authorizer.jwt: got nil, want the claims")
	}
	jwtBlock := ev.RequestContext.Authorizer.JWT
	if jwtBlock.Scopes != nil {
		t.Errorf("scopes: got %v, want nil", jwtBlock.Scopes)
	}

	want := map[string]string{
		"iss":     devjwt.Issuer,
		"aud":     devjwt.Audience,
		"sub":     "user-1",
		"org":     "org-1",
		"roles":   "[org-admin site-admin:s1]",
		"exp":     "4102444800",
		"count":   "1.5",
		"admin":   "true",
		"groups":  "[a b c]",
		"mixed":   "[1 x false]",
		"profile": `{"level":3,"name":"Ada"}`,
		"empty":   "[]",
	}
	for name, value := range want {
		if got := jwtBlock.Claims[name]; got != value {
			t.Errorf("claim %s: got %q, want %q", name, got, value)
		}
	}
	for _, name := range []string{"iat", "nbf"} {
		if got := jwtBlock.Claims[name]; got == "" || strings.ContainsAny(got, ".e") {
			t.Errorf("claim %s: got %q, want whole decimal seconds", name, got)
		}
	}

	data, err := json.Marshal(jwtBlock)
	if err != nil {
		t.Fatalf("marshal jwt block: %v", err)
	}
	if strings.Contains(string(data), `"scopes"`) {
		t.Errorf("jwt block JSON: got %s, want no scopes key", data)
	}
}

func TestRequestEvent(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.APIID = "api-test"
		c.AccountID = "123456789012"
	})
	token := srv.token(t, nil)

	header := bearer(token)
	header.Add("X-Custom", "one")
	header.Add("X-Custom", "two")
	header.Set("User-Agent", "gateway-test/1.0")
	header.Set("Content-Type", "application/json")
	header.Add("Cookie", "a=1; b=2")
	header.Add("Cookie", "c=3")
	header.Set("X-Forwarded-For", "203.0.113.9")
	sent := time.Now()
	resp, body := srv.do(t, "POST", "/links/lnk_1/accept?scope=READ&scope=WRITE&q=a%20b", strings.NewReader(`{"scopes":["READ"]}`), header)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200 (body %s)", resp.StatusCode, body)
	}
	ev := srv.stubs.onlyCall(t).event

	checks := []struct {
		name      string
		got, want any
	}{
		{"version", ev.Version, "2.0"},
		{"rawPath", ev.RawPath, "/links/lnk_1/accept"},
		{"rawQueryString", ev.RawQueryString, "scope=READ&scope=WRITE&q=a%20b"},
		{"query scope", ev.QueryStringParameters["scope"], "READ,WRITE"},
		{"query q", ev.QueryStringParameters["q"], "a b"},
		{"body", ev.Body, `{"scopes":["READ"]}`},
		{"isBase64Encoded", ev.IsBase64Encoded, false},
		{"header x-custom", ev.Headers["x-custom"], "one,two"},
		{"header content-type", ev.Headers["content-type"], "application/json"},
		{"header user-agent", ev.Headers["user-agent"], "gateway-test/1.0"},
		{"header authorization", ev.Headers["authorization"], "Bearer " + token},
		{"header x-forwarded-for", ev.Headers["x-forwarded-for"], "203.0.113.9, 127.0.0.1"},
		{"header x-forwarded-proto", ev.Headers["x-forwarded-proto"], "http"},
		{"header content-length", ev.Headers["content-length"], "19"},
		{"cookies", strings.Join(ev.Cookies, "|"), "a=1|b=2|c=3"},
		{"accountId", ev.RequestContext.AccountID, "123456789012"},
		{"apiId", ev.RequestContext.APIID, "api-test"},
		{"stage", ev.RequestContext.Stage, "$default"},
		{"domainName", ev.RequestContext.DomainName, "127.0.0.1"},
		{"domainPrefix", ev.RequestContext.DomainPrefix, "127"},
		{"http.method", ev.RequestContext.HTTP.Method, "POST"},
		{"http.path", ev.RequestContext.HTTP.Path, "/links/lnk_1/accept"},
		{"http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		{"http.sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"http.userAgent", ev.RequestContext.HTTP.UserAgent, "gateway-test/1.0"},
		{"requestId", ev.RequestContext.RequestID, resp.Header.Get("Apigw-Requestid")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}

	for name := range ev.Headers {
		if name != strings.ToLower(name) {
			t.Errorf("header %q: want a lower-case name", name)
		}
	}
	if _, ok := ev.Headers["cookie"]; ok {
		t.Errorf("headers: got a cookie header, want it moved to cookies")
	}
	for _, name := range []string{"host", "x-forwarded-port", "x-amzn-trace-id"} {
		if ev.Headers[name] == "" {
			t.Errorf("header %s: got empty, want a value", name)
		}
	}
	if ev.RequestContext.RequestID == "" {
		t.Errorf("requestId: got empty, want an id")
	}

	at, err := time.Parse(requestTimeLayout, ev.RequestContext.Time)
	if err != nil {
		t.Fatalf("requestContext.time %q: %v", ev.RequestContext.Time, err)
	}
	if got := time.UnixMilli(ev.RequestContext.TimeEpoch); got.Unix() != at.Unix() {
		t.Errorf("timeEpoch %d and time %q: got different seconds", ev.RequestContext.TimeEpoch, ev.RequestContext.Time)
	}
	if at.Before(sent.Add(-time.Second).Truncate(time.Second)) {
		t.Errorf("requestContext.time: got %s, want not before the request was sent (%s)", at, sent)
	}
}

func TestRequestWithoutQueryOrBody(t *testing.T) {
	srv := newTestServer(t, nil)
	resp, _ := srv.do(t, "GET", "/links", nil, bearer(srv.token(t, nil)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200", resp.StatusCode)
	}
	ev := srv.stubs.onlyCall(t).event

	if ev.QueryStringParameters != nil {
		t.Errorf("queryStringParameters: got %v, want nil", ev.QueryStringParameters)
	}
	if ev.PathParameters != nil {
		t.Errorf("pathParameters: got %v, want nil", ev.PathParameters)
	}
	if ev.Cookies != nil {
		t.Errorf("cookies: got %v, want nil", ev.Cookies)
	}
	if ev.Body != "" || ev.IsBase64Encoded {
		t.Errorf("body: got %q (base64 %v), want empty text", ev.Body, ev.IsBase64Encoded)
	}
}

func TestBinaryBodyIsBase64(t *testing.T) {
	srv := newTestServer(t, nil)
	binary := []byte{0xff, 0xfe, 0x00, 0x01, 'a', 0x80}
	header := bearer(srv.token(t, nil))
	header.Set("Content-Type", "application/octet-stream")

	resp, _ := srv.do(t, "POST", "/links", bytes.NewReader(binary), header)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200", resp.StatusCode)
	}
	ev := srv.stubs.onlyCall(t).event

	if !ev.IsBase64Encoded {
		t.Fatalf("isBase64Encoded: got false, want true")
	}
	decoded, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		t.Fatalf("decode body %q: %v", ev.Body, err)
	}
	if !bytes.Equal(decoded, binary) {
		t.Errorf("decoded body: got %x, want %x", decoded, binary)
	}
}

func TestBodyLimit(t *testing.T) {
	srv := newTestServer(t, nil)
	token := srv.token(t, nil)

	resp, body := srv.do(t, "POST", "/links", bytes.NewReader(make([]byte, MaxBodyBytes+1)), bearer(token))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status over the limit: got %d, want 413", resp.StatusCode)
	}
	if string(body) != `{"message":"Request Entity Too Large"}` {
		t.Errorf("body over the limit: got %s", body)
	}
	if calls := srv.stubs.invocations(); len(calls) != 0 {
		t.Errorf("handler calls over the limit: got %d, want 0", len(calls))
	}

	resp, _ = srv.do(t, "POST", "/links", bytes.NewReader(bytes.Repeat([]byte("a"), MaxBodyBytes)), bearer(token))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status at the limit: got %d, want 200", resp.StatusCode)
	}
	if got := len(srv.stubs.onlyCall(t).event.Body); got != MaxBodyBytes {
		t.Errorf("body length at the limit: got %d, want %d", got, MaxBodyBytes)
	}
}

func TestResponseCopied(t *testing.T) {
	srv := newTestServer(t, nil)
	srv.stubs.respond = func(string, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      http.StatusCreated,
			Headers:         map[string]string{"content-type": "application/problem+json", "Location": "/links/lnk_9", "Content-Length": "999"},
			Cookies:         []string{"a=1; Path=/", "b=2"},
			Body:            base64.StdEncoding.EncodeToString([]byte{0xff, 0x00, 'x'}),
			IsBase64Encoded: true,
		}, nil
	}

	resp, body := srv.do(t, "POST", "/links", nil, bearer(srv.token(t, nil)))
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status: got %d, want 201", resp.StatusCode)
	}
	if !bytes.Equal(body, []byte{0xff, 0x00, 'x'}) {
		t.Errorf("body: got %x, want ff0078", body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("Content-Type: got %q, want application/problem+json", got)
	}
	if got := resp.Header.Get("Location"); got != "/links/lnk_9" {
		t.Errorf("Location: got %q, want /links/lnk_9", got)
	}
	if got := resp.ContentLength; got != 3 {
		t.Errorf("Content-Length: got %d, want 3", got)
	}
	if got := strings.Join(resp.Header.Values("Set-Cookie"), "|"); got != "a=1; Path=/|b=2" {
		t.Errorf("Set-Cookie: got %q, want a=1; Path=/|b=2", got)
	}
}

func TestResponseWithoutContentType(t *testing.T) {
	srv := newTestServer(t, nil)
	srv.stubs.respond = func(string, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent}, nil
	}
	resp, body := srv.do(t, "DELETE", "/links/lnk_1", nil, bearer(srv.token(t, nil)))
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("status: got %d, want 204", resp.StatusCode)
	}
	if len(body) != 0 {
		t.Errorf("body: got %q, want empty", body)
	}
	if got := resp.Header.Get("Content-Type"); got != "" {
		t.Errorf("Content-Type: got %q, want none", got)
	}
}

func TestFunctionFailures(t *testing.T) {
	tests := []struct {
		name       string
		timeout    time.Duration
		respond    func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
		wantStatus int
		wantBody   string
	}{
		{"error", 0, func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "secret detail"}, errors.New("database exploded")
		}, 500, `{"message":"Internal Server Error"}`},
		{"panic", 0, func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			var m map[string]int
			m["x"] = 1
			return events.APIGatewayV2HTTPResponse{}, nil
		}, 500, `{"message":"Internal Server Error"}`},
		{"status zero", 0, func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{Body: "{}"}, nil
		}, 500, `{"message":"Internal Server Error"}`},
		{"invalid base64 body", 0, func(events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "***", IsBase64Encoded: true}, nil
		}, 500, `{"message":"Internal Server Error"}`},
		{"timeout", 20 * time.Millisecond, nil, 503, `{"message":"Service Unavailable"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			srv := newTestServer(t, func(c *Config) { c.Timeout = tt.timeout })
			srv.stubs.respond = func(_ string, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
				if tt.respond == nil {
					<-release // outlive the integration timeout
					return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
				}
				return tt.respond(ev)
			}

			resp, body := srv.do(t, "GET", "/links", nil, bearer(srv.token(t, nil)))
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status: got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body: got %s, want %s", body, tt.wantBody)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type: got %q, want application/json", got)
			}
		})
	}
}

func TestHandlerContext(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.Region = "eu-west-1"
		c.AccountID = "123456789012"
	})
	resp, _ := srv.do(t, "POST", "/links/lnk_1/token", nil, bearer(srv.token(t, nil)))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200", resp.StatusCode)
	}
	ctx := srv.stubs.onlyCall(t).ctx

	lc, ok := lambdacontext.FromContext(ctx)
	if !ok {
		t.Fatalf("lambda context: got none, want one")
	}
	if lc.AwsRequestID == "" {
		t.Errorf("AwsRequestID: got empty, want an id")
	}
	if want := "arn:aws:lambda:eu-west-1:123456789012:function:token"; lc.InvokedFunctionArn != want {
		t.Errorf("InvokedFunctionArn: got %q, want %q", lc.InvokedFunctionArn, want)
	}
	if _, ok := ctx.Deadline(); !ok {
		t.Errorf("deadline: got none, want the integration timeout")
	}
}

func TestRequestLog(t *testing.T) {
	srv := newTestServer(t, nil)
	token := srv.token(t, nil)
	srv.do(t, "POST", "/links", strings.NewReader(`{"secretBody":"x"}`), bearer(token))
	srv.do(t, "GET", "/nothing", nil, nil)
	srv.do(t, "GET", "/links", nil, nil)

	type line struct {
		Msg        string `json:"msg"`
		Method     string `json:"method"`
		Route      string `json:"route"`
		Status     int    `json:"status"`
		DurationMS *int64 `json:"duration_ms"`
	}
	var got []line
	for _, raw := range strings.Split(strings.TrimSpace(srv.logs.String()), "\n") {
		if strings.Contains(raw, token) || strings.Contains(raw, "secretBody") {
			t.Errorf("log line %s: contains the token or the body", raw)
		}
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q is not JSON: %v", raw, err)
		}
		if l.Msg == "request" {
			got = append(got, l)
		}
	}

	want := []line{
		{Msg: "request", Method: "POST", Route: "POST /links", Status: 200},
		{Msg: "request", Method: "GET", Route: "-", Status: 404},
		{Msg: "request", Method: "GET", Route: "GET /links", Status: 401},
	}
	if len(got) != len(want) {
		t.Fatalf("request log lines: got %d, want %d:\n%s", len(got), len(want), srv.logs.String())
	}
	for i := range want {
		if got[i].DurationMS == nil {
			t.Errorf("line %d: duration_ms missing", i)
		}
		got[i].DurationMS = nil
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestNewRejects(t *testing.T) {
	key := testKey(t)
	complete := (&stubs{}).functions()

	missing := (&stubs{}).functions()
	delete(missing.HTTP, routes.Token)

	tests := []struct {
		name string
		fns  Functions
		cfg  Config
		want string
	}{
		{"no verifier", complete, Config{}, "Verifier is nil"},
		{"missing handler", missing, Config{Verifier: key.Verifier()}, `"token"`},
		{"no handlers", Functions{}, Config{Verifier: key.Verifier()}, "no HTTP handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.fns, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestInvokeRecoversPanic(t *testing.T) {
	cfg := Config{}.withDefaults()
	_, err := invoke(context.Background(), cfg, "f", func(context.Context) (int, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panicked: boom") {
		t.Errorf("invoke: got %v, want a panic error", err)
	}
}
