package apigw

import (
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

func TestNewRequestBody(t *testing.T) {
	atLimit := strings.Repeat("a", MaxBodyBytes)
	overLimit := strings.Repeat("a", MaxBodyBytes+1)
	encode := base64.StdEncoding.EncodeToString

	tests := []struct {
		name    string
		body    string
		encoded bool
		want    string
		kind    domain.Kind // "" when the body is accepted
	}{
		{name: "plain", body: `{"a":1}`, want: `{"a":1}`},
		{name: "plain empty", body: "", want: ""},
		{name: "plain at limit", body: atLimit, want: atLimit},
		{name: "plain over limit", body: overLimit, kind: domain.KindTooLarge},
		{name: "base64", body: encode([]byte(`{"a":1}`)), encoded: true, want: `{"a":1}`},
		{name: "base64 empty", body: "", encoded: true, want: ""},
		{name: "base64 binary", body: encode([]byte{0, 0xff, 0x10}), encoded: true, want: "\x00\xff\x10"},
		{name: "base64 with line breaks", body: "eyJh\r\nIjox\nfQ==", encoded: true, want: `{"a":1}`},
		{name: "base64 at limit", body: encode([]byte(atLimit)), encoded: true, want: atLimit},
		{name: "base64 decodes over limit", body: encode([]byte(overLimit)), encoded: true, kind: domain.KindTooLarge},
		{name: "base64 encoding over limit", body: strings.Repeat("!", base64.StdEncoding.EncodedLen(MaxBodyBytes)+1), encoded: true, kind: domain.KindTooLarge},
		{name: "not base64", body: "Hello world!", encoded: true, kind: domain.KindInvalid},
		{name: "URL alphabet", body: "-_-_", encoded: true, kind: domain.KindInvalid},
		{name: "missing padding", body: "eyJhIjoxfQ", encoded: true, kind: domain.KindInvalid},
		{name: "template placeholder", body: "{{{body}}}", encoded: true, kind: domain.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent("POST /links", nil)
			ev.Body = tt.body
			ev.IsBase64Encoded = tt.encoded
			req, err := newRequest(&ev, "POST /links", "POST")
			if tt.kind != "" {
				if !domain.IsKind(err, tt.kind) {
					t.Fatalf("newRequest error = %v, want kind %s", err, tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatalf("newRequest: %v", err)
			}
			if string(req.Body) != tt.want {
				t.Errorf("body = %q, want %q", truncate(string(req.Body)), truncate(tt.want))
			}
		})
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func TestNewRequestQuery(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want map[string][]string
		ok   bool
	}{
		{"empty", "", map[string][]string{}, true},
		{"repeated parameter", "status=PENDING&status=CONNECTED&siteId=S1", map[string][]string{"status": {"PENDING", "CONNECTED"}, "siteId": {"S1"}}, true},
		{"comma stays in value", "status=PENDING,CONNECTED", map[string][]string{"status": {"PENDING,CONNECTED"}}, true},
		{"escaped", "siteId=a%2Fb&q=x+y", map[string][]string{"siteId": {"a/b"}, "q": {"x y"}}, true},
		{"empty value", "cursor=", map[string][]string{"cursor": {""}}, true},
		{"bad escape", "siteId=%zz", nil, false},
		{"semicolon", "a=1;b=2", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent("GET /links", nil)
			ev.RawQueryString = tt.raw
			// queryStringParameters disagrees on purpose: it must not be read.
			ev.QueryStringParameters = map[string]string{"status": "PENDING,CONNECTED", "injected": "1"}
			req, err := newRequest(&ev, "GET /links", "GET")
			if !tt.ok {
				if !domain.IsKind(err, domain.KindInvalid) {
					t.Fatalf("newRequest(%q) error = %v, want kind %s", tt.raw, err, domain.KindInvalid)
				}
				return
			}
			if err != nil {
				t.Fatalf("newRequest(%q): %v", tt.raw, err)
			}
			if !reflect.DeepEqual(map[string][]string(req.Query), tt.want) {
				t.Errorf("query of %q = %v, want %v", tt.raw, req.Query, tt.want)
			}
		})
	}
}

func TestNewRequestHeader(t *testing.T) {
	ev := newEvent("POST /links", nil)
	ev.Headers = map[string]string{
		"content-type":    "application/json",
		"Idempotency-Key": "k-1",
		"X-AMZN-TRACE-ID": "Root=1",
		"authorization":   "Bearer t",
	}
	req, err := newRequest(&ev, "POST /links", "POST")
	if err != nil {
		t.Fatalf("newRequest: %v", err)
	}
	for name, want := range map[string]string{
		"Content-Type":    "application/json",
		"CONTENT-TYPE":    "application/json",
		"idempotency-key": "k-1",
		"x-amzn-trace-id": "Root=1",
		"Authorization":   "Bearer t",
	} {
		if got := req.Header.Get(name); got != want {
			t.Errorf("Header.Get(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestNewRequestHeaderBothCases(t *testing.T) {
	ev := newEvent("POST /links", nil)
	ev.Headers = map[string]string{"content-type": "text/plain", "Content-Type": "application/json"}
	for i := 0; i < 20; i++ {
		req, err := newRequest(&ev, "POST /links", "POST")
		if err != nil {
			t.Fatalf("newRequest: %v", err)
		}
		got := req.Header.Values("Content-Type")
		want := []string{"application/json", "text/plain"}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Content-Type values = %q, want %q in the order of the sorted names", got, want)
		}
	}
}

func TestNewRequestMethodAndParams(t *testing.T) {
	ev := newEvent("GET /links/{linkId}", map[string]string{"linkId": testLinkID})
	req, err := newRequest(&ev, "GET /links/{linkId}", "GET")
	if err != nil {
		t.Fatalf("newRequest: %v", err)
	}
	if req.Method != "GET" || req.RouteKey != "GET /links/{linkId}" || req.RequestID != testRequestID {
		t.Errorf("request = %q %q %q, want GET, GET /links/{linkId}, %s", req.Method, req.RouteKey, req.RequestID, testRequestID)
	}
	req.PathParams["linkId"] = "changed"
	if ev.PathParameters["linkId"] != testLinkID {
		t.Errorf("changing PathParams changed the event: %q", ev.PathParameters["linkId"])
	}

	ev = newEvent("ANY /items", nil)
	ev.RequestContext.HTTP.Method = "PUT"
	req, err = newRequest(&ev, "ANY /items", "ANY")
	if err != nil {
		t.Fatalf("newRequest: %v", err)
	}
	if req.Method != "PUT" {
		t.Errorf("method of an ANY route = %q, want the request's PUT", req.Method)
	}
	if req.PathParams == nil {
		t.Error("PathParams is nil without path parameters, want an empty map")
	}
}

func TestPathID(t *testing.T) {
	tests := []struct {
		name  string
		value string
		set   bool
		ok    bool
	}{
		{"valid", testLinkID, true, true},
		{"missing", "", false, false},
		{"empty", "", true, false},
		{"wrong prefix", testConnectorID, true, false},
		{"no prefix", strings.TrimPrefix(testLinkID, domain.PrefixLink), true, false},
		{"short", "lnk_01KKNTWRE0", true, false},
		{"invalid letter", "lnk_01KKNTWRE0MVJTQ70Z6HFH8QIU", true, false},
		{"trailing slash", testLinkID + "/", true, false},
		{"path traversal", "lnk_../../connectors", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Request{PathParams: map[string]string{}}
			if tt.set {
				r.PathParams["linkId"] = tt.value
			}
			got, err := r.PathID("linkId", domain.PrefixLink)
			if tt.ok {
				if err != nil || got != tt.value {
					t.Fatalf("PathID = %q, %v, want %q, nil", got, err, tt.value)
				}
				return
			}
			if !domain.IsKind(err, domain.KindInvalid) {
				t.Fatalf("PathID(%q) error = %v, want kind %s", tt.value, err, domain.KindInvalid)
			}
			if got != "" {
				t.Errorf("PathID(%q) = %q on error, want empty", tt.value, got)
			}
			var de *domain.Error
			if !errors.As(err, &de) || !hasField(de.Fields, "linkId") {
				t.Errorf("PathID(%q) error %v does not name linkId", tt.value, err)
			}
		})
	}
}
