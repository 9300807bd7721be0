package datacenter

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	testKey   = []byte("cck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	otherKey  = []byte("cck_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
	testNow   = time.Unix(1_750_000_000, 0)
	testBody  = []byte(`{"clientSecret":"s3cret","scopes":["READ"]}`)
	testRoute = "http://127.0.0.1:8099/jira/rest/cloudconnector/1.0/links/lnk_1/credentials/cli_1"
)

func lookupTestKey(id string) ([]byte, bool) {
	if id == "con_1" {
		return testKey, true
	}
	return nil, false
}

// signedRequest returns a request to testRoute signed with testKey at now.
func signedRequest(t *testing.T, method string, body []byte, now time.Time) *http.Request {
	t.Helper()
	req := httptest.NewRequest(method, testRoute, bytes.NewReader(body))
	Sign(req, "con_1", testKey, body, now)
	return req
}

func TestSignCanonicalForm(t *testing.T) {
	req := signedRequest(t, http.MethodPut, testBody, testNow)

	bodySum := sha256.Sum256(testBody)
	canonical := "PUT\n/jira/rest/cloudconnector/1.0/links/lnk_1/credentials/cli_1\n1750000000\n" + hex.EncodeToString(bodySum[:])
	m := hmac.New(sha256.New, testKey)
	m.Write([]byte(canonical))
	want := "v1=" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))

	if got := req.Header.Get(HeaderSignature); got != want {
		t.Errorf("%s = %q, want %q", HeaderSignature, got, want)
	}
	if got := req.Header.Get(HeaderTimestamp); got != "1750000000" {
		t.Errorf("%s = %q, want %q", HeaderTimestamp, got, "1750000000")
	}
	if got := req.Header.Get(HeaderConnectorID); got != "con_1" {
		t.Errorf("%s = %q, want %q", HeaderConnectorID, got, "con_1")
	}
}

func TestSignEmptyBodyHashesEmptyString(t *testing.T) {
	req := httptest.NewRequest(http.MethodDelete, testRoute, nil)
	Sign(req, "con_1", testKey, nil, testNow)

	emptySum := sha256.Sum256(nil)
	m := hmac.New(sha256.New, testKey)
	m.Write([]byte("DELETE\n/jira/rest/cloudconnector/1.0/links/lnk_1/credentials/cli_1\n1750000000\n" + hex.EncodeToString(emptySum[:])))
	want := "v1=" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if got := req.Header.Get(HeaderSignature); got != want {
		t.Errorf("%s = %q, want %q", HeaderSignature, got, want)
	}
}

func TestSignUsesEscapedPathWithoutQuery(t *testing.T) {
	withQuery := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/a%2Fb/c?x=1", nil)
	withoutQuery := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/a%2Fb/c", nil)
	unescaped := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/a/b/c", nil)
	Sign(withQuery, "con_1", testKey, nil, testNow)
	Sign(withoutQuery, "con_1", testKey, nil, testNow)
	Sign(unescaped, "con_1", testKey, nil, testNow)

	if got, want := withQuery.Header.Get(HeaderSignature), withoutQuery.Header.Get(HeaderSignature); got != want {
		t.Errorf("signature with query = %q, want the one without query %q", got, want)
	}
	if got, other := withoutQuery.Header.Get(HeaderSignature), unescaped.Header.Get(HeaderSignature); got == other {
		t.Errorf("signature of /a%%2Fb/c equals that of /a/b/c (%q), want them to differ", got)
	}
}

func TestVerifyRoundTrip(t *testing.T) {
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPost} {
		req := signedRequest(t, method, testBody, testNow)
		id, err := Verify(req, testBody, lookupTestKey, testNow)
		if err != nil || id != "con_1" {
			t.Errorf("Verify(%s) = %q, %v; want %q, nil", method, id, err, "con_1")
		}
	}
}

func TestVerifyReplayWindow(t *testing.T) {
	tests := []struct {
		name    string
		signed  time.Time
		wantErr error
	}{
		{name: "now", signed: testNow},
		{name: "5 minutes old", signed: testNow.Add(-5 * time.Minute)},
		{name: "5 minutes ahead", signed: testNow.Add(5 * time.Minute)},
		{name: "5 minutes 1 second old", signed: testNow.Add(-5*time.Minute - time.Second), wantErr: ErrTimestampOutsideWindow},
		{name: "6 minutes old", signed: testNow.Add(-6 * time.Minute), wantErr: ErrTimestampOutsideWindow},
		{name: "6 minutes ahead", signed: testNow.Add(6 * time.Minute), wantErr: ErrTimestampOutsideWindow},
		{name: "epoch", signed: time.Unix(0, 0), wantErr: ErrTimestampOutsideWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedRequest(t, http.MethodPut, testBody, tt.signed)
			_, err := Verify(req, testBody, lookupTestKey, testNow)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Verify error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(r *http.Request) []byte
		want   error
	}{
		{name: "body", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte {
			return []byte(`{"clientSecret":"other","scopes":["READ"]}`)
		}},
		{name: "empty body", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte { return nil }},
		{name: "method", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte {
			r.Method = http.MethodDelete
			return testBody
		}},
		{name: "path", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte {
			r.URL.Path = strings.Replace(r.URL.Path, "cli_1", "cli_2", 1)
			return testBody
		}},
		{name: "path prefix dropped", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte {
			r.URL.Path = strings.TrimPrefix(r.URL.Path, "/jira")
			return testBody
		}},
		{name: "timestamp", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte {
			r.Header.Set(HeaderTimestamp, strconv.FormatInt(testNow.Unix()+1, 10))
			return testBody
		}},
		{name: "connector id", want: ErrUnknownConnector, tamper: func(r *http.Request) []byte {
			r.Header.Set(HeaderConnectorID, "con_2")
			return testBody
		}},
		{name: "signature bit", want: ErrSignatureMismatch, tamper: func(r *http.Request) []byte {
			sig := r.Header.Get(HeaderSignature)
			last := sig[len(sig)-1]
			replacement := "A"
			if last == 'A' {
				replacement = "Q"
			}
			r.Header.Set(HeaderSignature, sig[:len(sig)-1]+replacement)
			return testBody
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedRequest(t, http.MethodPut, testBody, testNow)
			body := tt.tamper(req)
			id, err := Verify(req, body, lookupTestKey, testNow)
			if !errors.Is(err, tt.want) {
				t.Errorf("Verify error = %v, want %v", err, tt.want)
			}
			if id != "" {
				t.Errorf("Verify id = %q on failure, want empty", id)
			}
		})
	}
}

func TestVerifyWrongKey(t *testing.T) {
	req := httptest.NewRequest(http.MethodPut, testRoute, bytes.NewReader(testBody))
	Sign(req, "con_1", otherKey, testBody, testNow)
	if _, err := Verify(req, testBody, lookupTestKey, testNow); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("Verify error = %v, want %v", err, ErrSignatureMismatch)
	}
}

func TestVerifyMalformedHeaders(t *testing.T) {
	valid := signedRequest(t, http.MethodPut, testBody, testNow)
	validSig := valid.Header.Get(HeaderSignature)

	tests := []struct {
		name   string
		header map[string][]string
		want   error
	}{
		{name: "no headers", header: map[string][]string{}, want: ErrSignatureMissing},
		{name: "signature only", header: map[string][]string{HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "no timestamp", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "empty connector id", header: map[string][]string{HeaderConnectorID: {""}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "connector id with space", header: map[string][]string{HeaderConnectorID: {"con 1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "connector id too long", header: map[string][]string{HeaderConnectorID: {strings.Repeat("c", 129)}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "two connector ids", header: map[string][]string{HeaderConnectorID: {"con_1", "con_1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "signed timestamp", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"+1750000000"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "negative timestamp", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"-1"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "fractional timestamp", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"1750000000.5"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "timestamp overflow", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"9999999999999999999"}, HeaderSignature: {validSig}}, want: ErrSignatureMalformed},
		{name: "no version", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {strings.TrimPrefix(validSig, "v1=")}}, want: ErrSignatureMalformed},
		{name: "version 2", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {"v2=" + strings.TrimPrefix(validSig, "v1=")}}, want: ErrSignatureMalformed},
		{name: "padded base64", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {validSig + "="}}, want: ErrSignatureMalformed},
		{name: "standard base64", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {"v1=" + strings.Repeat("+", 43)}}, want: ErrSignatureMalformed},
		{name: "short MAC", header: map[string][]string{HeaderConnectorID: {"con_1"}, HeaderTimestamp: {"1750000000"}, HeaderSignature: {"v1=AAAA"}}, want: ErrSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPut, testRoute, nil)
			for name, values := range tt.header {
				for _, v := range values {
					req.Header.Add(name, v)
				}
			}
			if _, err := Verify(req, testBody, lookupTestKey, testNow); !errors.Is(err, tt.want) {
				t.Errorf("Verify error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestHasSignature(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, testRoute, nil)
	if HasSignature(req.Header) {
		t.Errorf("HasSignature of an unsigned request = true, want false")
	}
	req.Header.Set(HeaderTimestamp, "1")
	if !HasSignature(req.Header) {
		t.Errorf("HasSignature with only %s = false, want true", HeaderTimestamp)
	}
}

func TestConnectorKey(t *testing.T) {
	seen := make(map[string]bool)
	for range 100 {
		key := NewConnectorKey()
		if !ValidConnectorKey(key) {
			t.Fatalf("ValidConnectorKey(NewConnectorKey()) = false for %q, want true", key)
		}
		if seen[key] {
			t.Fatalf("NewConnectorKey returned %q twice", key)
		}
		seen[key] = true
	}

	invalid := []string{
		"",
		"cck_",
		"cck_" + strings.Repeat("A", 42),
		"cck_" + strings.Repeat("A", 44),
		"cck_" + strings.Repeat("+", 43),
		"cck_" + strings.Repeat("A", 42) + "B", // nonzero trailing bits: not a canonical encoding
		"key_" + strings.Repeat("A", 43),
		strings.Repeat("A", 47),
	}
	for _, key := range invalid {
		if ValidConnectorKey(key) {
			t.Errorf("ValidConnectorKey(%q) = true, want false", key)
		}
	}
}

// FuzzVerifyHeaders checks that arbitrary signature headers never panic
// Verify, and that whatever it accepts carries the MAC of the only key its
// lookup returns.
func FuzzVerifyHeaders(f *testing.F) {
	valid := httptest.NewRequest(http.MethodPut, testRoute, nil)
	Sign(valid, "con_1", testKey, testBody, testNow)
	f.Add(valid.Header.Get(HeaderConnectorID), valid.Header.Get(HeaderTimestamp), valid.Header.Get(HeaderSignature))
	f.Add("con_1", "1750000000", "v1=")
	f.Add("", "", "")
	f.Add("con_1", "17500000000000000000000", "v1=AAAA")
	f.Add("con\x00", "-5", "v1====")

	f.Fuzz(func(t *testing.T, id, timestamp, signature string) {
		req := httptest.NewRequest(http.MethodPut, testRoute, nil)
		req.Header[HeaderConnectorID] = []string{id}
		req.Header[HeaderTimestamp] = []string{timestamp}
		req.Header[HeaderSignature] = []string{signature}

		got, err := Verify(req, testBody, lookupTestKey, testNow)
		if err != nil {
			if got != "" {
				t.Errorf("Verify returned id %q with error %v, want empty", got, err)
			}
			return
		}
		if got != "con_1" {
			t.Errorf("Verify accepted connector %q, want only con_1", got)
		}
		resigned := httptest.NewRequest(http.MethodPut, testRoute, nil)
		seconds, _ := strconv.ParseInt(timestamp, 10, 64)
		Sign(resigned, got, testKey, testBody, time.Unix(seconds, 0))
		if want := resigned.Header.Get(HeaderSignature); signature != want {
			t.Errorf("Verify accepted signature %q, want only %q", signature, want)
		}
	})
}
