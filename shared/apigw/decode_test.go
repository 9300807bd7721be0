package apigw

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

func jsonRequest(body string) *Request {
	return &Request{
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(body),
	}
}

// nested returns depth levels of objects around an empty array of depth 1,
// so its total nesting depth is depth+1.
func nested(depth int) string {
	return strings.Repeat(`{"a":`, depth) + `[]` + strings.Repeat(`}`, depth)
}

func TestDecodeJSONAccepts(t *testing.T) {
	tests := []struct {
		name string
		body string
		want linkInput
	}{
		{"object", `{"siteId":"S1","connectorId":"con_1","scopes":["READ"]}`, linkInput{SiteID: "S1", ConnectorID: "con_1", Scopes: []string{"READ"}}},
		{"surrounding whitespace", " \r\n\t{\"siteId\":\"S1\"} \n", linkInput{SiteID: "S1"}},
		{"empty object", `{}`, linkInput{}},
		{"nested object", `{"options":{"note":"n","count":3}}`, linkInput{Options: &struct {
			Note  string `json:"note"`
			Count int    `json:"count"`
		}{Note: "n", Count: 3}}},
		{"null member", `{"scopes":null}`, linkInput{}},
		{"unicode escapes", `{"siteId":"caf\u00e9"}`, linkInput{SiteID: "café"}},
		{"same key in sibling objects", `{"options":{"note":"a"},"siteId":"note"}`, linkInput{SiteID: "note", Options: &struct {
			Note  string `json:"note"`
			Count int    `json:"count"`
		}{Note: "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got linkInput
			if err := jsonRequest(tt.body).DecodeJSON(&got); err != nil {
				t.Fatalf("DecodeJSON(%s): %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeJSON(%s) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestDecodeJSONDepth(t *testing.T) {
	var atLimit any
	if err := jsonRequest(nested(MaxJSONDepth - 1)).DecodeJSON(&atLimit); err != nil {
		t.Errorf("depth %d: %v, want no error", MaxJSONDepth, err)
	}

	var overLimit any
	err := jsonRequest(nested(MaxJSONDepth)).DecodeJSON(&overLimit)
	if !domain.IsKind(err, domain.KindInvalid) {
		t.Fatalf("depth %d: error = %v, want kind %s", MaxJSONDepth+1, err, domain.KindInvalid)
	}
	if !strings.Contains(err.Error(), "deeper than 32") {
		t.Errorf("depth error = %q, want it to name the limit", err)
	}

	var arrays any
	err = jsonRequest(strings.Repeat("[", 8000) + strings.Repeat("]", 8000)).DecodeJSON(&arrays)
	if !domain.IsKind(err, domain.KindInvalid) {
		t.Errorf("8000 nested arrays: error = %v, want kind %s", err, domain.KindInvalid)
	}
}

func TestDecodeJSONRejects(t *testing.T) {
	tests := []struct {
		name        string
		contentType []string
		body        string
		kind        domain.Kind
		field       string // a field the error must name; "" for none
		detail      string // a substring of the detail
	}{
		{name: "empty body", body: "", kind: domain.KindInvalid, field: "body", detail: "empty"},
		{name: "whitespace body", body: " \n ", kind: domain.KindInvalid, field: "body", detail: "empty"},
		{name: "missing content type", contentType: []string{}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "text plain", contentType: []string{"text/plain"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "form", contentType: []string{"application/x-www-form-urlencoded"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "json suffix type", contentType: []string{"application/problem+json"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "latin1 charset", contentType: []string{"application/json; charset=iso-8859-1"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "malformed parameter", contentType: []string{"application/json; charset"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "two content types", contentType: []string{"application/json", "application/json"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "comma-joined content types", contentType: []string{"application/json,text/plain"}, body: `{}`, kind: domain.KindUnsupportedMedia},
		{name: "invalid UTF-8", body: "{\"siteId\":\"\xff\"}", kind: domain.KindInvalid, field: "body", detail: "UTF-8"},
		{name: "raw NUL", body: "{\"siteId\":\"a\x00\"}", kind: domain.KindInvalid, field: "body", detail: "NUL"},
		{name: "escaped NUL in value", body: `{"siteId":"a\u0000b"}`, kind: domain.KindInvalid, field: "siteId", detail: "NUL"},
		{name: "escaped NUL in key", body: `{"site\u0000Id":"a"}`, kind: domain.KindInvalid, detail: "NUL"},
		{name: "escaped NUL in array", body: `{"scopes":["READ","\u0000"]}`, kind: domain.KindInvalid, field: "scopes[1]", detail: "NUL"},
		{name: "unknown field", body: `{"siteId":"S1","admin":true}`, kind: domain.KindInvalid, field: "admin", detail: `unknown field "admin"`},
		{name: "unknown nested field", body: `{"options":{"note":"x","role":"org-admin"}}`, kind: domain.KindInvalid, field: "role", detail: `unknown field "role"`},
		{name: "duplicate key", body: `{"siteId":"S1","siteId":"S2"}`, kind: domain.KindInvalid, field: "siteId", detail: `duplicate key "siteId"`},
		{name: "duplicate key differing in case", body: `{"siteId":"S1","SITEID":"S2"}`, kind: domain.KindInvalid, field: "SITEID", detail: "duplicate key"},
		{name: "duplicate key by Kelvin sign", body: `{"k":1,"\u212a":2}`, kind: domain.KindInvalid, detail: "duplicate key"},
		{name: "duplicate nested key", body: `{"options":{"note":"a","note":"b"}}`, kind: domain.KindInvalid, field: "options.note", detail: `duplicate key "options.note"`},
		{name: "duplicate key in array element", body: `{"scopes":[],"x":[{"a":1,"a":2}]}`, kind: domain.KindInvalid, field: "x[0].a", detail: "duplicate key"},
		{name: "duplicate key deep inside unknown field", body: `{"extra":{"a":{"b":1,"b":2}}}`, kind: domain.KindInvalid, field: "extra.a.b", detail: "duplicate key"},
		{name: "trailing object", body: `{"siteId":"S1"}{"siteId":"S2"}`, kind: domain.KindInvalid, field: "body", detail: "after the JSON value"},
		{name: "trailing garbage", body: `{"siteId":"S1"} x`, kind: domain.KindInvalid, field: "body", detail: "after the JSON value"},
		{name: "trailing bracket", body: `{}]`, kind: domain.KindInvalid, field: "body", detail: "after the JSON value"},
		{name: "null body", body: `null`, kind: domain.KindInvalid, field: "body", detail: "null"},
		{name: "array body", body: `["S1"]`, kind: domain.KindInvalid, field: "body", detail: "must be an object"},
		{name: "string body", body: `"S1"`, kind: domain.KindInvalid, field: "body", detail: "must be an object"},
		{name: "string for array", body: `{"scopes":"READ"}`, kind: domain.KindInvalid, field: "scopes", detail: "must be an array"},
		{name: "number for string", body: `{"siteId":5}`, kind: domain.KindInvalid, field: "siteId", detail: "must be a string, got number"},
		{name: "number in string array", body: `{"scopes":["READ",7]}`, kind: domain.KindInvalid, field: "scopes", detail: "must be a string"},
		{name: "string for nested integer", body: `{"options":{"count":"3"}}`, kind: domain.KindInvalid, field: "options.count", detail: "must be an integer"},
		{name: "fraction for integer", body: `{"options":{"count":1.5}}`, kind: domain.KindInvalid, field: "options.count", detail: "must be an integer"},
		{name: "huge number for integer", body: `{"options":{"count":1e999}}`, kind: domain.KindInvalid, field: "options.count", detail: "must be an integer"},
		{name: "syntax error", body: `{"siteId":}`, kind: domain.KindInvalid, field: "body", detail: "not valid JSON"},
		{name: "single quotes", body: `{'siteId':'S1'}`, kind: domain.KindInvalid, field: "body", detail: "not valid JSON"},
		{name: "trailing comma", body: `{"siteId":"S1",}`, kind: domain.KindInvalid, field: "body", detail: "not valid JSON"},
		{name: "truncated", body: `{"siteId":"S1"`, kind: domain.KindInvalid, field: "body", detail: "ends before"},
		{name: "truncated string", body: `{"siteId":"S`, kind: domain.KindInvalid, field: "body"},
		{name: "byte order mark", body: "\xef\xbb\xbf{}", kind: domain.KindInvalid, field: "body", detail: "not valid JSON"},
		{name: "too large", body: `{"siteId":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, kind: domain.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := jsonRequest(tt.body)
			if tt.contentType != nil {
				r.Header = http.Header{"Content-Type": tt.contentType}
			}
			var dst linkInput
			err := r.DecodeJSON(&dst)
			if !domain.IsKind(err, tt.kind) {
				t.Fatalf("DecodeJSON(%q) error = %v, want kind %s", tt.body, err, tt.kind)
			}
			var de *domain.Error
			errors.As(err, &de)
			if tt.field != "" && !hasField(de.Fields, tt.field) {
				t.Errorf("error fields = %+v, want one named %q", de.Fields, tt.field)
			}
			if !strings.Contains(de.Detail, tt.detail) {
				t.Errorf("error detail = %q, want it to contain %q", de.Detail, tt.detail)
			}
		})
	}
}

func TestDecodeJSONContentTypeForms(t *testing.T) {
	for _, ct := range []string{
		"application/json",
		"Application/JSON",
		"application/json; charset=utf-8",
		"application/json;charset=UTF-8",
		`application/json; charset="utf-8"`,
		"application/json; version=2",
	} {
		t.Run(ct, func(t *testing.T) {
			r := &Request{Header: http.Header{"Content-Type": {ct}}, Body: []byte(`{"siteId":"S1"}`)}
			var dst linkInput
			if err := r.DecodeJSON(&dst); err != nil {
				t.Fatalf("DecodeJSON with Content-Type %q: %v", ct, err)
			}
		})
	}
}

func TestDecodeJSONCheckOrder(t *testing.T) {
	// An empty body is reported as missing even without a Content-Type,
	// because a request without a body rarely carries one.
	r := &Request{Header: http.Header{}}
	var dst linkInput
	if err := r.DecodeJSON(&dst); !domain.IsKind(err, domain.KindInvalid) {
		t.Errorf("empty body without Content-Type: error = %v, want kind %s", err, domain.KindInvalid)
	}

	// A wrong Content-Type is reported before the body's content.
	r = &Request{Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte("not json")}
	if err := r.DecodeJSON(&dst); !domain.IsKind(err, domain.KindUnsupportedMedia) {
		t.Errorf("text body: error = %v, want kind %s", err, domain.KindUnsupportedMedia)
	}
}

func TestDecodeJSONBadDestination(t *testing.T) {
	var dst linkInput
	err := jsonRequest(`{}`).DecodeJSON(dst)
	if err == nil {
		t.Fatal("DecodeJSON into a non-pointer: no error")
	}
	if got := domain.KindOf(err); got != domain.KindInternal {
		t.Errorf("kind = %s, want %s, because a bad destination is a bug", got, domain.KindInternal)
	}
}

func TestFoldKey(t *testing.T) {
	tests := []struct {
		a, b  string
		equal bool
	}{
		{"siteId", "SITEID", true},
		{"k", "\u212a", true}, // Kelvin sign folds to k
		{"s", "\u017f", true}, // long s folds to s
		{"straße", "STRASSE", false},
		{"a", "b", false},
	}
	for _, tt := range tests {
		if got := foldKey(tt.a) == foldKey(tt.b); got != tt.equal {
			t.Errorf("foldKey(%q) == foldKey(%q) is %v, want %v", tt.a, tt.b, got, tt.equal)
		}
		if got := strings.EqualFold(tt.a, tt.b); got != tt.equal {
			t.Errorf("strings.EqualFold(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.equal)
		}
	}
}
