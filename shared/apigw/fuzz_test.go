package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// fixtureEvents returns the raw bytes of every JSON fixture in testdata.
func fixtureEvents(f *testing.F) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures in testdata: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatalf("read %s: %v", p, err)
		}
		out = append(out, data)
	}
	return out
}

func FuzzServeEvent(f *testing.F) {
	for _, data := range fixtureEvents(f) {
		f.Add(data)
	}

	rt := NewRouter(discardLogger)
	for _, r := range routes.All {
		rt.Handle(r.Key(), echoHandler)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Skip()
		}
		resp, err := rt.ServeEvent(context.Background(), ev)
		if err != nil {
			t.Fatalf("ServeEvent returned error %v, want nil always", err)
		}
		if resp.StatusCode < 200 || resp.StatusCode >= 500 || (resp.StatusCode >= 300 && resp.StatusCode < 400) {
			t.Fatalf("status = %d, want 2xx or 4xx; body %s", resp.StatusCode, resp.Body)
		}
		if resp.Body != "" && !json.Valid([]byte(resp.Body)) {
			t.Fatalf("response body is not JSON: %q", resp.Body)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, data := range fixtureEvents(f) {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(data, &ev); err == nil && ev.Body != "" {
			f.Add([]byte(ev.Body), "application/json")
		}
	}
	for _, seed := range []string{
		`{"siteId":"S1","connectorId":"con_1","scopes":["READ"],"options":{"note":"n","count":1}}`,
		`{"siteId":"S1","siteId":"S2"}`,
		`{"siteId":"S1","SITEID":"S2"}`,
		`{"options":{"note":"a","note":"b"}}`,
		`{"siteId":"a\u0000"}`,
		`{"x":[[[[{"a":1,"a":2}]]]]}`,
		`{"siteId":"S1"} {}`,
		`null`,
		`[1,2,3]`,
		`{"options":{"count":1e999}}`,
	} {
		f.Add([]byte(seed), "application/json; charset=utf-8")
	}
	f.Add([]byte(`{}`), "text/plain")

	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		r := &Request{Header: http.Header{"Content-Type": {contentType}}, Body: body}

		var typed linkInput
		typedErr := r.DecodeJSON(&typed)
		var generic any
		genericErr := r.DecodeJSON(&generic)

		for _, err := range []error{typedErr, genericErr} {
			if err == nil {
				continue
			}
			var de *domain.Error
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *domain.Error", err)
			}
			switch de.Kind {
			case domain.KindInvalid, domain.KindTooLarge, domain.KindUnsupportedMedia:
			default:
				t.Fatalf("error kind = %s (%v), want invalid, too-large or unsupported-media", de.Kind, err)
			}
		}
		if genericErr == nil && !json.Valid(body) {
			t.Fatalf("DecodeJSON accepted invalid JSON %q", body)
		}
		if typedErr == nil && genericErr != nil {
			t.Fatalf("DecodeJSON accepted %q for a struct but rejected it for any: %v", body, genericErr)
		}
	})
}

func FuzzPrincipalFromClaims(f *testing.F) {
	for _, data := range fixtureEvents(f) {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(data, &ev); err != nil {
			f.Fatalf("fixture does not decode: %v", err)
		}
		auth := ev.RequestContext.Authorizer
		if auth != nil && auth.JWT != nil && auth.JWT.Claims != nil {
			c := auth.JWT.Claims
			f.Add(c["sub"], c["org"], c["roles"])
		}
	}
	for _, roles := range []string{
		"[org-admin]x", "[org-admin site-admin:S1", `["org-admin"]`, `[["org-admin"]]`,
		"org-admin\tsite-admin:S1", "[org-admin, site-admin:S1]", `["site-admin:S1\u0020org-admin"]`,
	} {
		f.Add("user-1", "org-acme", roles)
	}

	f.Fuzz(func(t *testing.T, sub, org, roles string) {
		p, err := PrincipalFromClaims(map[string]string{"sub": sub, "org": org, "roles": roles})
		if err != nil {
			if !domain.IsKind(err, domain.KindUnauthenticated) {
				t.Fatalf("error kind = %s, want %s", domain.KindOf(err), domain.KindUnauthenticated)
			}
			return
		}
		if p.Subject != sub || p.OrgID != org {
			t.Fatalf("principal %q in %q, want %q in %q", p.Subject, p.OrgID, sub, org)
		}

		var jsonEntries []string
		isJSON := json.Unmarshal([]byte(roles), &jsonEntries) == nil
		for _, role := range p.Roles {
			text := role.Name
			if role.Target != "" {
				text += ":" + role.Target
			}
			if strings.ContainsAny(text, " []\"") {
				t.Fatalf("granted role %q contains a space, bracket or quote", text)
			}
			if !strings.Contains(roles, text) && !(isJSON && containsString(jsonEntries, text)) {
				t.Fatalf("granted role %q does not appear in roles claim %q", text, roles)
			}
		}
		if !isJSON && strings.ContainsAny(roles, "[]") {
			trimmed := strings.Trim(roles, " ")
			inner := strings.TrimSuffix(strings.TrimPrefix(trimmed, "["), "]")
			wellFormed := strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") && !strings.ContainsAny(inner, "[]")
			if !wellFormed && len(p.Roles) > 0 {
				t.Fatalf("malformed roles claim %q granted %+v", roles, p.Roles)
			}
		}
	})
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
