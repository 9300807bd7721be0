package apigw

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// newTableRouter returns a router that serves every route of the project's
// route table with echoHandler.
func newTableRouter() (*Router, *logBuffer) {
	keys := make([]string, 0, len(routes.All))
	for _, r := range routes.All {
		keys = append(keys, r.Key())
	}
	return newEchoRouter(keys...)
}

// invoke passes payload through aws-lambda-go's handler adapter, which
// decodes the event and encodes the response exactly as the Lambda runtime
// loop does, and returns the decoded response.
func invoke(t *testing.T, rt *Router, payload []byte) events.APIGatewayV2HTTPResponse {
	t.Helper()
	out, err := lambda.NewHandler(rt.ServeEvent).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return resp
}

func TestFixtures(t *testing.T) {
	dcAdmin := domain.Role{Name: domain.RoleDCAdmin, Target: testConnectorID}
	siteAdmin := domain.Role{Name: domain.RoleSiteAdmin, Target: testSiteID}

	tests := []struct {
		file   string
		status int
		check  func(t *testing.T, out echoBody) // for a 200
		field  string                           // a field the problem must name
	}{
		{
			file: "create-link.json", status: http.StatusOK,
			check: func(t *testing.T, out echoBody) {
				want := &linkInput{SiteID: testSiteID, ConnectorID: testConnectorID, Scopes: []string{"read", " WRITE "}}
				if !reflect.DeepEqual(out.Input, want) {
					t.Errorf("input = %+v, want %+v", out.Input, want)
				}
				if want := []domain.Role{{Name: domain.RoleOrgAdmin}, siteAdmin}; !reflect.DeepEqual(out.Roles, want) {
					t.Errorf("roles = %+v, want %+v", out.Roles, want)
				}
				if out.Idempotency != "8d0f6c1e-4b7a-4f3e-9a52-1c2d3e4f5a6b" {
					t.Errorf("Idempotency-Key = %q, want the header's value", out.Idempotency)
				}
				if out.RequestID != testRequestID {
					t.Errorf("request id = %q, want %s", out.RequestID, testRequestID)
				}
			},
		},
		{
			file: "accept-link-base64.json", status: http.StatusOK,
			check: func(t *testing.T, out echoBody) {
				if out.Input == nil || !reflect.DeepEqual(out.Input.Scopes, []string{"READ", "WRITE"}) {
					t.Errorf("input = %+v, want scopes READ and WRITE from the base64 body", out.Input)
				}
				if !reflect.DeepEqual(out.Roles, []domain.Role{dcAdmin}) {
					t.Errorf("roles = %+v, want %+v", out.Roles, dcAdmin)
				}
				if out.PathParams["linkId"] != testLinkID {
					t.Errorf("linkId = %q, want %s", out.PathParams["linkId"], testLinkID)
				}
			},
		},
		{
			file: "get-link-named-stage.json", status: http.StatusOK,
			check: func(t *testing.T, out echoBody) {
				if out.RouteKey != "GET /links/{linkId}" || out.PathParams["linkId"] != testLinkID {
					t.Errorf("route %q linkId %q, want GET /links/{linkId} and %s", out.RouteKey, out.PathParams["linkId"], testLinkID)
				}
				want := []domain.Role{siteAdmin, {Name: domain.RoleSiteApp, Target: testSiteID}}
				if !reflect.DeepEqual(out.Roles, want) {
					t.Errorf("roles = %+v, want %+v", out.Roles, want)
				}
			},
		},
		{
			file: "list-links-query.json", status: http.StatusOK,
			check: func(t *testing.T, out echoBody) {
				want := map[string][]string{"siteId": {testSiteID}, "status": {"PENDING", "CONNECTED"}, "limit": {"25"}}
				if !reflect.DeepEqual(map[string][]string(out.Query), want) {
					t.Errorf("query = %v, want %v", out.Query, want)
				}
			},
		},
		{
			file: "rotate-link-sam-local.json", status: http.StatusOK,
			check: func(t *testing.T, out echoBody) {
				if out.BodyBytes != 0 || out.Input != nil {
					t.Errorf("body of %d bytes, input %+v, want none", out.BodyBytes, out.Input)
				}
				if out.PathParams["linkId"] != testOtherLinkID {
					t.Errorf("linkId = %q, want %s", out.PathParams["linkId"], testOtherLinkID)
				}
			},
		},
		{file: "no-authorizer.json", status: http.StatusUnauthorized},
		{file: "authorizer-jwt-null.json", status: http.StatusUnauthorized},
		{file: "authorizer-claims-null.json", status: http.StatusUnauthorized},
		{file: "iam-authorizer.json", status: http.StatusUnauthorized},
		{file: "default-route.json", status: http.StatusNotFound},
		{file: "delete-link-bad-id.json", status: http.StatusBadRequest, field: "linkId"},
	}

	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			rt, logs := newTableRouter()
			resp := invoke(t, rt, readFixture(t, tt.file))
			if tt.status == http.StatusOK {
				tt.check(t, decodeEcho(t, resp))
			} else {
				p := decodeProblem(t, resp, tt.status)
				if tt.field != "" && !hasField(p.Errors, tt.field) {
					t.Errorf("problem errors = %+v, want one naming %q", p.Errors, tt.field)
				}
			}
			if n := len(logs.records(t)); n != 1 {
				t.Errorf("log has %d lines, want 1", n)
			}
		})
	}

	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	for _, e := range entries {
		if !e.IsDir() && !covered[e.Name()] {
			t.Errorf("fixture %s has no case in TestFixtures", e.Name())
		}
	}
}

func TestFixturesInstanceIgnoresStage(t *testing.T) {
	rt := NewRouter(discardLogger)
	rt.Handle("GET /links/{linkId}", func(context.Context, *Request) (Response, error) {
		return Response{}, domain.NotFound("link", testLinkID)
	})
	p := decodeProblem(t, invoke(t, rt, readFixture(t, "get-link-named-stage.json")), http.StatusNotFound)
	if want := "/links/" + testLinkID; p.Instance != want {
		t.Errorf("instance = %q, want %q without the stage", p.Instance, want)
	}
	if want := fmt.Sprintf("link %s not found", testLinkID); p.Detail != want {
		t.Errorf("detail = %q, want %q", p.Detail, want)
	}
}
