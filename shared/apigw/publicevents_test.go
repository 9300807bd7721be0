package apigw

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// publicEventsDir holds sample HTTP API events published by other projects,
// several of them odd in ways production is. It sits beside the checkout and
// is not part of this repository, so the test skips when it is absent.
const publicEventsDir = "../../../shared/public-events"

// publicEventRouteKeys are the route keys the sample events use, registered
// so that those events get past routing.
var publicEventRouteKeys = []string{
	"GET /hello",
	"GET /dump",
	"POST /cognito",
	"POST /iam",
	"POST /lambda",
	"ANY /nodejs-apig-function-1G3XMPLZXVXYI",
}

// publicEventFiles returns the HTTP API event files in publicEventsDir, or
// skips the test when the directory is absent.
func publicEventFiles(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(publicEventsDir)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent; the public sample events live outside this repository", publicEventsDir)
	}
	if err != nil {
		t.Fatalf("read %s: %v", publicEventsDir, err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".json") {
			continue
		}
		for _, marker := range []string{"apigw", "apig", "HttpApi", "apiGateway"} {
			if strings.Contains(name, marker) {
				files = append(files, filepath.Join(publicEventsDir, name))
				break
			}
		}
	}
	if len(files) == 0 {
		t.Fatalf("no HTTP API events in %s", publicEventsDir)
	}
	return files
}

func newPublicEventRouter() (*Router, *logBuffer) {
	keys := append([]string{}, publicEventRouteKeys...)
	for _, r := range routes.All {
		keys = append(keys, r.Key())
	}
	return newEchoRouter(keys...)
}

// TestPublicEvents checks that every public sample event gets a 2xx or 4xx
// response, never a 5xx or a panic. Each event is served as published, with
// valid claims in place of its JWT authorizer, and routed to POST /links, so
// that the body, query and header rules run on it too.
func TestPublicEvents(t *testing.T) {
	files := publicEventFiles(t)
	rt, logs := newPublicEventRouter()

	for _, path := range files {
		name := filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}

		t.Run(name+"/as published", func(t *testing.T) {
			resp := invoke(t, rt, data)
			checkNo5xx(t, resp)
			t.Logf("status %d", resp.StatusCode)
		})

		t.Run(name+"/authenticated", func(t *testing.T) {
			resp := invoke(t, rt, rewriteEvent(t, data, ""))
			checkNo5xx(t, resp)
			t.Logf("status %d", resp.StatusCode)
		})

		t.Run(name+"/routed to POST /links", func(t *testing.T) {
			resp := invoke(t, rt, rewriteEvent(t, data, "POST /links"))
			checkNo5xx(t, resp)
			t.Logf("status %d", resp.StatusCode)
		})
	}

	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a public event logged an error:\n%s", logs.String())
	}
}

// TestPublicEventsKnownStatus pins the status for the sample events whose
// oddity this package must handle in a specific way.
func TestPublicEventsKnownStatus(t *testing.T) {
	publicEventFiles(t)
	rt, _ := newPublicEventRouter()

	const asPublished = "as published"
	tests := []struct {
		file     string
		routeKey string // asPublished, or "" to keep the route key but add claims
		status   int
	}{
		// A JWT authorizer block without sub or org claims.
		{"powertools-lambda-typescript--apigw-http-jwt-authorizer-auth.json", asPublished, http.StatusUnauthorized},
		// An authorizer object whose members are all null.
		{"powertools-lambda-typescript--apigw-http-no-auth.json", asPublished, http.StatusUnauthorized},
		{"powertools-lambda-typescript--apigw-http-iam-auth.json", asPublished, http.StatusUnauthorized},
		{"aws-lambda-go--apigw-v2-request-lambda-authorizer.json", asPublished, http.StatusNotFound},
		{"aws-lambda-go--apigw-v2-request-lambda-authorizer.json", "POST /links", http.StatusUnauthorized},
		// Capitalised headers and no authorizer from sam local.
		{"aws-lambda-rust-runtime--apigw_v2_sam_local.json", asPublished, http.StatusUnauthorized},
		{"aws-lambda-rust-runtime--apigw_v2_sam_local.json", "", http.StatusOK},
		// isBase64Encoded with a body that is not base64.
		{"aws-lambda-developer-guide--java-events-apigateway-v2.json", "", http.StatusBadRequest},
		// isBase64Encoded with no body at all.
		{"aws-lambda-developer-guide--nodejs-apig-event-v2.json", "", http.StatusOK},
		// A stage name as the route key.
		{"aws-lambda-rust-runtime--apigw_v2_proxy_request_with_stage_in_path.json", "", http.StatusNotFound},
		// A JSON body without a Content-Type header.
		{"powertools-lambda-python--apiGatewayProxyV2Event.json", "", http.StatusNotFound},
		{"powertools-lambda-python--apiGatewayProxyV2Event.json", "POST /links", http.StatusUnsupportedMediaType},
		// A mustache template: its body placeholder is not base64.
		{"aws-sam-cli--apigateway-HttpApi.json", "POST /links", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.routeKey, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(publicEventsDir, tt.file))
			if os.IsNotExist(err) {
				t.Skipf("%s is absent", tt.file)
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if tt.routeKey != asPublished {
				data = rewriteEvent(t, data, tt.routeKey)
			}
			resp := invoke(t, rt, data)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d; body %s", resp.StatusCode, tt.status, resp.Body)
			}
		})
	}
}

// rewriteEvent returns the event in data with valid JWT claims in place of
// its authorizer and, unless routeKey is empty, with that route key. The
// authorizer is kept when it is not JWT, so an IAM or Lambda authorizer
// event stays unauthenticated.
func rewriteEvent(t *testing.T, data []byte, routeKey string) []byte {
	t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("decode event: %v", err)
	}
	auth := ev.RequestContext.Authorizer
	if auth == nil || (auth.IAM == nil && auth.Lambda == nil) {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: validClaims()},
		}
	}
	if routeKey != "" {
		ev.RouteKey = routeKey
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatalf("encode event: %v", err)
	}
	return payload
}

func checkNo5xx(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
	t.Helper()
	ok := (resp.StatusCode >= 200 && resp.StatusCode < 300) || (resp.StatusCode >= 400 && resp.StatusCode < 500)
	if !ok {
		t.Errorf("status = %d, want 2xx or 4xx; body %s", resp.StatusCode, resp.Body)
	}
}
