package sim_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
	"github.com/cloudconnector/cloudconnector/shared/datacenter"
)

const credentialPath = "/rest/cloudconnector/1.0/links/%s/credentials/%s"

// instance is a simulator served on 127.0.0.1 with connectors con_1 and
// con_2 installed.
type instance struct {
	sim    *sim.Simulator
	root   string // server URL
	url    string // server URL and context path
	client *http.Client
	keys   map[string][]byte
	logs   *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start serves a simulator under contextPath; in.url includes it.
func start(t *testing.T, contextPath string) *instance {
	t.Helper()
	logs := &syncBuffer{}
	s := sim.New(nil, sim.WithLogger(slog.New(slog.NewJSONHandler(logs, nil))), sim.WithContextPath(contextPath))

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	server := &httptest.Server{Listener: listener, Config: &http.Server{Handler: s.Handler()}}
	server.Start()
	t.Cleanup(server.Close)

	in := &instance{sim: s, root: server.URL, url: server.URL + contextPath, client: server.Client(), keys: map[string][]byte{}, logs: logs}
	for _, id := range []string{"con_1", "con_2"} {
		key := datacenter.NewConnectorKey()
		in.keys[id] = []byte(key)
		status, body := in.do(t, http.MethodPost, "/_sim/connectors/"+id, nil, fmt.Sprintf(`{"key":%q}`, key))
		if status != http.StatusCreated {
			t.Fatalf("install key of %s: status %d, want 201; body %s", id, status, body)
		}
	}
	return in
}

// do sends a request and returns the status and body. header, if not nil,
// is applied before the request is sent.
func (in *instance) do(t *testing.T, method, path string, header func(*http.Request), body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, in.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("build %s %s: %v", method, path, err)
	}
	if header != nil {
		header(req)
	}
	resp, err := in.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s response: %v", method, path, err)
	}
	return resp.StatusCode, string(respBody)
}

// signedBy returns a header function that signs body for connectorID.
func (in *instance) signedBy(connectorID, body string) func(*http.Request) {
	return func(r *http.Request) {
		datacenter.Sign(r, connectorID, in.keys[connectorID], []byte(body), time.Now())
	}
}

func (in *instance) stage(t *testing.T, connectorID, linkID, clientID, body string) (int, string) {
	t.Helper()
	return in.do(t, http.MethodPut, fmt.Sprintf(credentialPath, linkID, clientID), in.signedBy(connectorID, body), body)
}

func (in *instance) revoke(t *testing.T, connectorID, linkID, clientID string) (int, string) {
	t.Helper()
	return in.do(t, http.MethodDelete, fmt.Sprintf(credentialPath, linkID, clientID), in.signedBy(connectorID, ""), "")
}

// token sends a form-encoded token request, signed by connectorID unless it
// is empty.
func (in *instance) token(t *testing.T, connectorID string, form url.Values) (int, map[string]any) {
	t.Helper()
	body := form.Encode()
	status, respBody := in.do(t, http.MethodPost, "/rest/oauth2/latest/token", func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if connectorID != "" {
			in.signedBy(connectorID, body)(r)
		}
	}, body)
	var decoded map[string]any
	if err := json.Unmarshal([]byte(respBody), &decoded); err != nil {
		t.Fatalf("token response %q is not JSON: %v", respBody, err)
	}
	return status, decoded
}

func (in *instance) stats(t *testing.T) sim.Stats {
	t.Helper()
	status, body := in.do(t, http.MethodGet, "/_sim/stats", nil, "")
	if status != http.StatusOK {
		t.Fatalf("GET /_sim/stats status %d, want 200", status)
	}
	var stats sim.Stats
	if err := json.Unmarshal([]byte(body), &stats); err != nil {
		t.Fatalf("decode stats %s: %v", body, err)
	}
	return stats
}

func stageBody(secret string, scopes ...string) string {
	b, _ := json.Marshal(map[string]any{"clientSecret": secret, "scopes": scopes, "siteId": "site-1", "credentialVersion": 1})
	return string(b)
}

func credentialsForm(clientID, secret, scope string) url.Values {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return form
}

func TestStageStatuses(t *testing.T) {
	in := start(t, "")
	body := stageBody("secret-1", "READ", "WRITE")

	steps := []struct {
		name        string
		connectorID string
		linkID      string
		clientID    string
		body        string
		want        int
	}{
		{name: "new", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", body: body, want: http.StatusCreated},
		{name: "repeat", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", body: body, want: http.StatusOK},
		{name: "scopes in another order", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", body: stageBody("secret-1", "WRITE", "READ", "READ"), want: http.StatusOK},
		{name: "other secret", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", body: stageBody("secret-2", "READ", "WRITE"), want: http.StatusConflict},
		{name: "other scopes", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", body: stageBody("secret-1", "READ"), want: http.StatusConflict},
		{name: "other link", connectorID: "con_1", linkID: "lnk_2", clientID: "cli_1", body: body, want: http.StatusConflict},
		{name: "other connector", connectorID: "con_2", linkID: "lnk_1", clientID: "cli_1", body: body, want: http.StatusConflict},
		{name: "no secret", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: stageBody("", "READ"), want: http.StatusBadRequest},
		{name: "no scopes", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: stageBody("s"), want: http.StatusBadRequest},
		{name: "scope with a space", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: stageBody("s", "READ WRITE"), want: http.StatusBadRequest},
		{name: "version 0", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: `{"clientSecret":"s","scopes":["READ"],"siteId":"site-1"}`, want: http.StatusBadRequest},
		{name: "no site", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: `{"clientSecret":"s","scopes":["READ"],"credentialVersion":1}`, want: http.StatusBadRequest},
		{name: "not JSON", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: `clientSecret=s`, want: http.StatusBadRequest},
		{name: "two JSON values", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: body + body, want: http.StatusBadRequest},
		{name: "over 64 KiB", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_2", body: stageBody(strings.Repeat("s", 70_000), "READ"), want: http.StatusRequestEntityTooLarge},
	}
	for _, step := range steps {
		status, respBody := in.stage(t, step.connectorID, step.linkID, step.clientID, step.body)
		if status != step.want {
			t.Errorf("%s: status %d, want %d; body %s", step.name, status, step.want, respBody)
		}
	}

	creds := in.sim.Credentials()
	if len(creds) != 1 {
		t.Fatalf("credentials = %+v, want only cli_1", creds)
	}
	want := sim.Credential{ClientID: "cli_1", LinkID: "lnk_1", ConnectorID: "con_1", SiteID: "site-1", State: sim.StateStaged, Scopes: []string{"READ", "WRITE"}, Version: 1}
	if got := creds[0]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("credential = %+v, want %+v", got, want)
	}
}

func TestRevokeStatuses(t *testing.T) {
	in := start(t, "")
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("s", "READ")); status != http.StatusCreated {
		t.Fatalf("stage status %d, want 201; body %s", status, body)
	}

	steps := []struct {
		name        string
		connectorID string
		linkID      string
		clientID    string
		want        int
	}{
		{name: "other connector", connectorID: "con_2", linkID: "lnk_1", clientID: "cli_1", want: http.StatusConflict},
		{name: "other link", connectorID: "con_1", linkID: "lnk_2", clientID: "cli_1", want: http.StatusConflict},
		{name: "owner", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", want: http.StatusNoContent},
		{name: "owner again", connectorID: "con_1", linkID: "lnk_1", clientID: "cli_1", want: http.StatusNoContent},
		{name: "unknown client id", connectorID: "con_2", linkID: "lnk_9", clientID: "cli_9", want: http.StatusNoContent},
	}
	for _, step := range steps {
		if status, body := in.revoke(t, step.connectorID, step.linkID, step.clientID); status != step.want {
			t.Errorf("%s: status %d, want %d; body %s", step.name, status, step.want, body)
		}
	}

	if status, body := in.stage(t, "con_2", "lnk_9", "cli_9", stageBody("s", "READ")); status != http.StatusConflict {
		t.Errorf("stage of a client id revoked while unknown: status %d, want 409; body %s", status, body)
	}
	if got := in.stats(t).Credentials; got != (sim.CredentialStats{Revoked: 2}) {
		t.Errorf("credential stats = %+v, want 2 revoked", got)
	}
}

func TestUnsignedProtocolCallsRejected(t *testing.T) {
	in := start(t, "")
	body := stageBody("s", "READ")
	stale := func(r *http.Request) {
		datacenter.Sign(r, "con_1", in.keys["con_1"], []byte(body), time.Now().Add(-6*time.Minute))
	}

	cases := []struct {
		name   string
		method string
		header func(*http.Request)
	}{
		{name: "stage unsigned", method: http.MethodPut},
		{name: "stage stale", method: http.MethodPut, header: stale},
		{name: "stage signed with another key", method: http.MethodPut, header: func(r *http.Request) {
			datacenter.Sign(r, "con_1", in.keys["con_2"], []byte(body), time.Now())
		}},
		{name: "revoke unsigned", method: http.MethodDelete},
	}
	for _, c := range cases {
		status, respBody := in.do(t, c.method, fmt.Sprintf(credentialPath, "lnk_1", "cli_1"), c.header, body)
		if status != http.StatusUnauthorized || !strings.Contains(respBody, `"error":"invalid_signature"`) {
			t.Errorf("%s: status %d body %s, want 401 invalid_signature", c.name, status, respBody)
		}
	}
	if got := in.stats(t).RejectedSignatures; got != len(cases) {
		t.Errorf("rejectedSignatures = %d, want %d", got, len(cases))
	}
	if got := len(in.sim.Credentials()); got != 0 {
		t.Errorf("%d credentials stored, want 0", got)
	}
}

func TestTokenEndpoint(t *testing.T) {
	in := start(t, "")
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("secret-1", "READ", "WRITE")); status != http.StatusCreated {
		t.Fatalf("stage status %d, want 201; body %s", status, body)
	}

	tests := []struct {
		name       string
		signer     string
		form       url.Values
		wantStatus int
		wantError  string
		wantScope  string
	}{
		{name: "unsigned", form: credentialsForm("cli_1", "secret-1", ""), wantStatus: 200, wantScope: "READ WRITE"},
		{name: "signed by owner", signer: "con_1", form: credentialsForm("cli_1", "secret-1", "WRITE"), wantStatus: 200, wantScope: "WRITE"},
		{name: "signed by another connector", signer: "con_2", form: credentialsForm("cli_1", "secret-1", ""), wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong secret", form: credentialsForm("cli_1", "secret-2", ""), wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", form: credentialsForm("cli_2", "secret-1", ""), wantStatus: 401, wantError: "invalid_client"},
		{name: "scope outside", form: credentialsForm("cli_1", "secret-1", "READ ADMIN"), wantStatus: 400, wantError: "invalid_scope"},
		{name: "password grant", form: url.Values{"grant_type": {"password"}, "client_id": {"cli_1"}, "client_secret": {"secret-1"}}, wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "no grant type", form: url.Values{"client_id": {"cli_1"}, "client_secret": {"secret-1"}}, wantStatus: 400, wantError: "invalid_request"},
		{name: "no secret", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"cli_1"}}, wantStatus: 400, wantError: "invalid_request"},
		{name: "repeated parameter", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"cli_1", "cli_1"}, "client_secret": {"secret-1"}}, wantStatus: 400, wantError: "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := in.token(t, tt.signer, tt.form)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %v", status, tt.wantStatus, body)
			}
			if tt.wantError != "" {
				if body["error"] != tt.wantError {
					t.Errorf("error = %v, want %q", body["error"], tt.wantError)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != 3600.0 || body["scope"] != tt.wantScope || body["access_token"] == "" {
				t.Errorf("response = %v, want a Bearer token for 3600 s with scope %q", body, tt.wantScope)
			}
		})
	}

	want := sim.TokenRequestStats{OK: 2, InvalidClient: 3, InvalidScope: 1, InvalidRequest: 3, UnsupportedGrantType: 1}
	if got := in.stats(t).TokenRequests; got != want {
		t.Errorf("token request stats = %+v, want %+v", got, want)
	}
}

func TestTokenEndpointRequestChecks(t *testing.T) {
	in := start(t, "")
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("secret:1", "READ")); status != http.StatusCreated {
		t.Fatalf("stage status %d, want 201; body %s", status, body)
	}
	form := "grant_type=client_credentials"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("cli_1:"+url.QueryEscape("secret:1")))

	tests := []struct {
		name       string
		body       string
		header     map[string]string
		wantStatus int
		wantError  string
	}{
		{name: "HTTP Basic", body: form, header: map[string]string{"Authorization": basic}, wantStatus: 200},
		{name: "HTTP Basic and client_secret", body: form + "&client_secret=secret%3A1", header: map[string]string{"Authorization": basic}, wantStatus: 400, wantError: "invalid_request"},
		{name: "HTTP Basic with wrong secret", body: form, header: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("cli_1:nope"))}, wantStatus: 401, wantError: "invalid_client"},
		{name: "JSON body", body: `{"grant_type":"client_credentials"}`, header: map[string]string{"Content-Type": "application/json"}, wantStatus: 400, wantError: "invalid_request"},
		{name: "bad signature", body: form + "&client_id=cli_1&client_secret=secret%3A1", header: map[string]string{datacenter.HeaderConnectorID: "con_1"}, wantStatus: 401, wantError: "invalid_signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := in.do(t, http.MethodPost, "/rest/oauth2/latest/token", func(r *http.Request) {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for name, value := range tt.header {
					r.Header.Set(name, value)
				}
			}, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", status, tt.wantStatus, body)
			}
			if tt.wantError != "" && !strings.Contains(body, `"error":"`+tt.wantError+`"`) {
				t.Errorf("body %s, want error %q", body, tt.wantError)
			}
		})
	}
	if got := in.stats(t).RejectedSignatures; got != 1 {
		t.Errorf("rejectedSignatures = %d, want 1", got)
	}
}

func TestConcurrentStageOfOneClientID(t *testing.T) {
	in := start(t, "")
	body := stageBody("secret-1", "READ")
	const workers = 20

	statuses := make(chan int, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := in.stage(t, "con_1", "lnk_1", "cli_1", body)
			statuses <- status
		}()
	}
	wg.Wait()
	close(statuses)

	counts := map[int]int{}
	for status := range statuses {
		counts[status]++
	}
	if counts[http.StatusCreated] != 1 || counts[http.StatusOK] != workers-1 {
		t.Errorf("status counts = %v, want one 201 and %d 200", counts, workers-1)
	}
}

func TestFaultsControl(t *testing.T) {
	in := start(t, "")

	invalid := []string{
		`{"failNext":-1}`,
		`{"failStatus":200}`,
		`{"timeout":"soon"}`,
		`{"timeout":"0s"}`,
		`{"timeout":"11m"}`,
		`{"routes":["stage","accept"]}`,
		`not json`,
	}
	for _, body := range invalid {
		if status, resp := in.do(t, http.MethodPost, "/_sim/faults", nil, body); status != http.StatusBadRequest {
			t.Errorf("POST /_sim/faults %s: status %d, want 400; body %s", body, status, resp)
		}
	}

	steps := []struct {
		body string
		want sim.Faults
	}{
		{body: `{"failNext":2,"routes":["stage"]}`, want: sim.Faults{FailNext: 2, FailStatus: 503, Timeout: "15s", Routes: []string{"stage"}}},
		{body: `{"refuseStaged":true,"timeoutNext":1,"timeout":"50ms"}`, want: sim.Faults{FailNext: 2, FailStatus: 503, TimeoutNext: 1, Timeout: "50ms", RefuseStaged: true, Routes: []string{"stage"}}},
		{body: `{"routes":[]}`, want: sim.Faults{FailNext: 2, FailStatus: 503, TimeoutNext: 1, Timeout: "50ms", RefuseStaged: true, Routes: []string{}}},
	}
	for _, step := range steps {
		status, resp := in.do(t, http.MethodPost, "/_sim/faults", nil, step.body)
		if status != http.StatusOK {
			t.Fatalf("POST /_sim/faults %s: status %d, want 200; body %s", step.body, status, resp)
		}
		var got sim.Faults
		if err := json.Unmarshal([]byte(resp), &got); err != nil {
			t.Fatalf("decode faults %s: %v", resp, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(step.want) {
			t.Errorf("after %s: faults %+v, want %+v", step.body, got, step.want)
		}
	}

	// The timeout is used up first and fails with 504 once it elapses,
	// then the two failures.
	body := stageBody("s", "READ")
	for i, want := range []int{http.StatusGatewayTimeout, http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusCreated} {
		if status, resp := in.stage(t, "con_1", "lnk_1", "cli_1", body); status != want {
			t.Errorf("stage call %d: status %d, want %d; body %s", i+1, status, want, resp)
		}
	}

	if status, _ := in.do(t, http.MethodDelete, "/_sim/faults", nil, ""); status != http.StatusNoContent {
		t.Errorf("DELETE /_sim/faults status %d, want 204", status)
	}
	if got := in.sim.Faults(); got.RefuseStaged || got.FailNext != 0 || got.TimeoutNext != 0 {
		t.Errorf("faults after DELETE = %+v, want none", got)
	}
}

func TestResetKeepsKeys(t *testing.T) {
	in := start(t, "")
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("s", "READ")); status != http.StatusCreated {
		t.Fatalf("stage status %d, want 201; body %s", status, body)
	}
	in.token(t, "", credentialsForm("cli_1", "s", ""))
	if _, err := in.sim.UpdateFaults(sim.FaultsUpdate{RefuseStaged: new(true)}); err != nil {
		t.Fatalf("UpdateFaults: %v", err)
	}

	if status, _ := in.do(t, http.MethodPost, "/_sim/reset", nil, ""); status != http.StatusNoContent {
		t.Fatalf("POST /_sim/reset status %d, want 204", status)
	}
	if got := in.stats(t); got != (sim.Stats{}) {
		t.Errorf("stats after reset = %+v, want zero", got)
	}
	if got := in.sim.Faults(); got.RefuseStaged {
		t.Errorf("faults after reset = %+v, want none", got)
	}
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("s", "READ")); status != http.StatusCreated {
		t.Errorf("stage after reset: status %d, want 201 with the installed key; body %s", status, body)
	}
}

func TestInstallKey(t *testing.T) {
	in := start(t, "")
	tests := []struct {
		name string
		body string
		want int
	}{
		{name: "replace", body: fmt.Sprintf(`{"key":%q}`, datacenter.NewConnectorKey()), want: http.StatusOK},
		{name: "not a connector key", body: `{"key":"hunter2"}`, want: http.StatusBadRequest},
		{name: "empty", body: `{}`, want: http.StatusBadRequest},
	}
	for _, tt := range tests {
		if status, body := in.do(t, http.MethodPost, "/_sim/connectors/con_1", nil, tt.body); status != tt.want {
			t.Errorf("%s: status %d, want %d; body %s", tt.name, status, tt.want, body)
		}
	}
	// con_1's old key no longer verifies.
	if status, _ := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("s", "READ")); status != http.StatusUnauthorized {
		t.Errorf("stage with the replaced key: status %d, want 401", status)
	}
}

func TestSecretsNeverListedOrLogged(t *testing.T) {
	in := start(t, "")
	secret := "very-secret-value-0123456789"
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody(secret, "READ")); status != http.StatusCreated {
		t.Fatalf("stage status %d, want 201; body %s", status, body)
	}
	status, token := in.token(t, "", credentialsForm("cli_1", secret, ""))
	if status != http.StatusOK {
		t.Fatalf("token status %d, want 200", status)
	}
	in.token(t, "", credentialsForm("cli_1", secret+"-wrong", ""))

	_, listing := in.do(t, http.MethodGet, "/_sim/credentials", nil, "")
	if strings.Contains(listing, secret) || strings.Contains(strings.ToLower(listing), "secret") {
		t.Errorf("credential listing %s contains a secret", listing)
	}
	logs := in.logs.String()
	accessToken, _ := token["access_token"].(string)
	for _, value := range []string{secret, accessToken, string(in.keys["con_1"])} {
		if strings.Contains(logs, value) {
			t.Errorf("logs contain a secret value %q", value)
		}
	}
	if !strings.Contains(logs, `"clientId":"cli_1"`) {
		t.Errorf("logs = %s, want lines naming clientId cli_1", logs)
	}
}

func TestContextPath(t *testing.T) {
	in := start(t, "/jira")
	if status, body := in.stage(t, "con_1", "lnk_1", "cli_1", stageBody("s", "READ")); status != http.StatusCreated {
		t.Errorf("stage under /jira: status %d, want 201; body %s", status, body)
	}
	resp, err := in.client.Get(in.root + "/_sim/stats")
	if err != nil {
		t.Fatalf("GET /_sim/stats: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /_sim/stats without the context path: status %d, want 404", resp.StatusCode)
	}

	bad := sim.New(nil, sim.WithLogger(slog.New(slog.DiscardHandler)), sim.WithContextPath("/jira/"))
	rec := httptest.NewRecorder()
	bad.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jira/_sim/stats", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("handler with context path /jira/: status %d, want 500", rec.Code)
	}
}

func TestValidContextPath(t *testing.T) {
	tests := map[string]bool{
		"":            true,
		"/jira":       true,
		"/dc/jira-1":  true,
		"/":           false,
		"jira":        false,
		"/jira/":      false,
		"//jira":      false,
		"/ji ra":      false,
		"/{jira}":     false,
		"/jira%20dc":  false,
		"/confluence": true,
	}
	for path, want := range tests {
		if got := sim.ValidContextPath(path); got != want {
			t.Errorf("ValidContextPath(%q) = %t, want %t", path, got, want)
		}
	}
}
