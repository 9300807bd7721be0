package apigw

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

func TestProblemResponseStatus(t *testing.T) {
	tests := []struct {
		err    error
		status int
		kind   string
	}{
		{domain.Invalid("bad"), http.StatusBadRequest, "invalid"},
		{domain.Errorf(domain.KindUnauthenticated, "no token"), http.StatusUnauthorized, "unauthenticated"},
		{domain.Errorf(domain.KindForbidden, "no role"), http.StatusForbidden, "forbidden"},
		{domain.NotFound("link", testLinkID), http.StatusNotFound, "not-found"},
		{domain.Conflict(nil, "link is CONNECTED"), http.StatusConflict, "conflict"},
		{domain.Errorf(domain.KindTooLarge, "big"), http.StatusRequestEntityTooLarge, "too-large"},
		{domain.Errorf(domain.KindUnsupportedMedia, "xml"), http.StatusUnsupportedMediaType, "unsupported-media"},
		{domain.Errorf(domain.KindUnprocessable, "old version"), http.StatusUnprocessableEntity, "unprocessable"},
		{domain.Errorf(domain.KindUpstream, "instance refused the credential"), http.StatusBadGateway, "upstream"},
		{domain.Errorf(domain.KindUnavailable, "table throttled"), http.StatusServiceUnavailable, "unavailable"},
		{domain.Errorf(domain.KindInternal, "bug"), http.StatusInternalServerError, "internal"},
		{domain.Errorf(domain.Kind("made-up"), "odd"), http.StatusInternalServerError, "internal"},
		{errors.New("plain"), http.StatusInternalServerError, "internal"},
		{fmt.Errorf("load link %s: %w", testLinkID, domain.NotFound("link", testLinkID)), http.StatusNotFound, "not-found"},
		{nil, http.StatusInternalServerError, "internal"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			resp := ProblemResponse(tt.err, "/links", testRequestID)
			p := decodeProblem(t, resp, tt.status)
			if want := ProblemTypeBase + tt.kind; p.Type != want {
				t.Errorf("type = %q, want %q", p.Type, want)
			}
			if p.Title == "" {
				t.Error("title is empty")
			}
			if p.Instance != "/links" {
				t.Errorf("instance = %q, want /links", p.Instance)
			}
			if got := StatusOf(tt.err); got != tt.status {
				t.Errorf("StatusOf = %d, want %d", got, tt.status)
			}
		})
	}
}

func TestProblemResponseDetail(t *testing.T) {
	t.Run("shown for a domain error", func(t *testing.T) {
		err := fmt.Errorf("accept link: %w", domain.Errorf(domain.KindUpstream, "the Data Center instance refused the credential"))
		p := decodeProblem(t, ProblemResponse(err, "", testRequestID), http.StatusBadGateway)
		if p.Detail != "the Data Center instance refused the credential" {
			t.Errorf("detail = %q, want the domain error's detail without the wrapping", p.Detail)
		}
	})

	t.Run("internal cause never shown", func(t *testing.T) {
		err := &domain.Error{Kind: domain.KindConflict, Detail: "link is CONNECTED", Err: errors.New("ConditionalCheckFailed on table links-prod")}
		resp := ProblemResponse(err, "", testRequestID)
		if strings.Contains(resp.Body, "links-prod") {
			t.Errorf("body %s shows the internal cause", resp.Body)
		}
	})

	for _, err := range []error{
		errors.New("dial tcp 10.0.0.5:443: secret-host"),
		domain.Errorf(domain.KindInternal, "nil map in store secret-host"),
		fmt.Errorf("wrapped: %w", errors.New("secret-host")),
	} {
		t.Run("500 hides "+err.Error(), func(t *testing.T) {
			resp := ProblemResponse(err, "", testRequestID)
			p := decodeProblem(t, resp, http.StatusInternalServerError)
			if strings.Contains(resp.Body, "secret-host") {
				t.Errorf("500 body %s shows the error", resp.Body)
			}
			if !strings.Contains(p.Detail, testRequestID) {
				t.Errorf("500 detail %q does not quote the request id %s", p.Detail, testRequestID)
			}
		})
	}

	t.Run("500 without request id", func(t *testing.T) {
		p := decodeProblem(t, ProblemResponse(errors.New("x"), "", ""), http.StatusInternalServerError)
		if p.Detail == "" || strings.Contains(p.Detail, "request id") {
			t.Errorf("detail = %q, want a fixed sentence without a request id", p.Detail)
		}
	})
}

func TestProblemResponseMembers(t *testing.T) {
	type linkView struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	tests := []struct {
		name  string
		err   error
		check func(t *testing.T, body map[string]any)
	}{
		{
			name: "field errors",
			err:  domain.Invalid("scopes are invalid", domain.FieldError{Field: "scopes[0]", Reason: "unknown scope FOO"}),
			check: func(t *testing.T, body map[string]any) {
				want := []any{map[string]any{"field": "scopes[0]", "reason": "unknown scope FOO"}}
				if got := body["errors"]; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("errors = %v, want %v", got, want)
				}
			},
		},
		{
			name: "no errors member without fields",
			err:  domain.NotFound("link", testLinkID),
			check: func(t *testing.T, body map[string]any) {
				if _, ok := body["errors"]; ok {
					t.Errorf("errors member present: %v", body["errors"])
				}
			},
		},
		{
			name: "extra members",
			err: &domain.Error{Kind: domain.KindUnprocessable, Detail: "scopes differ",
				Extra: map[string]any{"missing": []string{"WRITE"}, "extra": []string{"ADMIN"}}},
			check: func(t *testing.T, body map[string]any) {
				if got := fmt.Sprint(body["missing"]); got != "[WRITE]" {
					t.Errorf("missing = %s, want [WRITE]", got)
				}
				if got := fmt.Sprint(body["extra"]); got != "[ADMIN]" {
					t.Errorf("extra = %s, want [ADMIN]", got)
				}
			},
		},
		{
			name: "extra cannot replace standard members",
			err: &domain.Error{Kind: domain.KindInvalid, Detail: "real detail",
				Extra: map[string]any{"status": 200, "type": "x", "detail": "fake", "title": "t", "instance": "/i", "errors": "e", "current": "c"}},
			check: func(t *testing.T, body map[string]any) {
				if body["status"] != float64(400) || body["detail"] != "real detail" || body["type"] != ProblemTypeBase+"invalid" {
					t.Errorf("standard members replaced: %v", body)
				}
				if _, ok := body["current"]; ok {
					t.Errorf("current member from Extra: %v", body["current"])
				}
			},
		},
		{
			name: "current of a conflict",
			err:  domain.Conflict(linkView{ID: testLinkID, Status: "CONNECTED"}, "link %s is CONNECTED", testLinkID),
			check: func(t *testing.T, body map[string]any) {
				current, _ := body["current"].(map[string]any)
				if current["id"] != testLinkID || current["status"] != "CONNECTED" {
					t.Errorf("current = %v, want the link", body["current"])
				}
			},
		},
		{
			name: "no current without a resource",
			err:  domain.Conflict(nil, "busy"),
			check: func(t *testing.T, body map[string]any) {
				if _, ok := body["current"]; ok {
					t.Errorf("current member present: %v", body["current"])
				}
			},
		},
		{
			name: "no instance when empty",
			err:  domain.NotFound("route", "x"),
			check: func(t *testing.T, body map[string]any) {
				if _, ok := body["instance"]; ok {
					t.Errorf("instance member present: %v", body["instance"])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			instance := "/links/" + testLinkID
			if tt.name == "no instance when empty" {
				instance = ""
			}
			resp := ProblemResponse(tt.err, instance, testRequestID)
			var body map[string]any
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			tt.check(t, body)
		})
	}
}

func TestProblemResponseUnencodable(t *testing.T) {
	err := domain.Conflict(map[string]any{"ch": make(chan int)}, "busy")
	p := decodeProblem(t, ProblemResponse(err, "/links", testRequestID), http.StatusInternalServerError)
	if !strings.Contains(p.Detail, testRequestID) {
		t.Errorf("detail = %q, want the request id", p.Detail)
	}
}

func TestProblemResponseAuthenticateHeader(t *testing.T) {
	resp := ProblemResponse(domain.Errorf(domain.KindUnauthenticated, "no token"), "", testRequestID)
	if got := resp.Headers["WWW-Authenticate"]; got != "Bearer" {
		t.Errorf("WWW-Authenticate = %q, want Bearer", got)
	}
	resp = ProblemResponse(domain.Errorf(domain.KindForbidden, "no role"), "", testRequestID)
	if got, ok := resp.Headers["WWW-Authenticate"]; ok {
		t.Errorf("403 has WWW-Authenticate %q, want none", got)
	}
}

func TestJSONResponse(t *testing.T) {
	resp := JSONResponse(http.StatusCreated, map[string]string{"id": testLinkID}, map[string]string{"location": "/links/" + testLinkID})
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
	if got := resp.Headers["Content-Type"]; got != ContentTypeJSON {
		t.Errorf("Content-Type = %q, want %q", got, ContentTypeJSON)
	}
	if got := resp.Headers["Location"]; got != "/links/"+testLinkID {
		t.Errorf("Location = %q, want /links/%s", got, testLinkID)
	}
	if want := `{"id":"` + testLinkID + `"}`; resp.Body != want {
		t.Errorf("body = %s, want %s", resp.Body, want)
	}

	resp = JSONResponse(http.StatusNoContent, nil, nil)
	if resp.Body != "" {
		t.Errorf("204 body = %q, want empty", resp.Body)
	}
	if got, ok := resp.Headers["Content-Type"]; ok {
		t.Errorf("204 Content-Type = %q, want none", got)
	}

	resp = JSONResponse(http.StatusOK, func() {}, nil)
	decodeProblem(t, resp, http.StatusInternalServerError)
}
