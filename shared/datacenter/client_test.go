package datacenter_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
)

func TestCredentialLifecycle(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	cred := testCredential("cli_1")

	if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
		t.Fatalf("StageCredential: %v", err)
	}
	if got := e.credentialState(t, "cli_1"); got != sim.StateStaged {
		t.Errorf("state after stage = %q, want %q", got, sim.StateStaged)
	}

	token, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, []string{"READ", "WRITE"})
	if err != nil {
		t.Fatalf("RequestToken: %v", err)
	}
	if token.AccessToken == "" || token.TokenType != "Bearer" || token.ExpiresIn != 3600 || token.Scope != "READ WRITE" {
		t.Errorf("token = {type %q, expires in %d, scope %q, access token set %t}, want {Bearer, 3600, \"READ WRITE\", true}",
			token.TokenType, token.ExpiresIn, token.Scope, token.AccessToken != "")
	}
	if got := e.credentialState(t, "cli_1"); got != sim.StateActive {
		t.Errorf("state after token = %q, want %q", got, sim.StateActive)
	}

	if err := e.client.RevokeCredential(ctx, e.target, cred.LinkID, cred.ClientID); err != nil {
		t.Fatalf("RevokeCredential: %v", err)
	}
	if got := e.credentialState(t, "cli_1"); got != sim.StateRevoked {
		t.Errorf("state after revoke = %q, want %q", got, sim.StateRevoked)
	}

	_, err = e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, nil)
	if status, code := statusOf(t, err); status != http.StatusUnauthorized || code != "invalid_client" {
		t.Errorf("token after revoke = HTTP %d %q, want 401 invalid_client", status, code)
	}

	stats := e.stats(t)
	want := sim.Stats{
		TokenRequests: sim.TokenRequestStats{OK: 1, InvalidClient: 1},
		Credentials:   sim.CredentialStats{Revoked: 1},
	}
	if stats != want {
		t.Errorf("stats = %+v, want %+v", stats, want)
	}
}

func TestStageAndRevokeAreIdempotent(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	cred := testCredential("cli_1")

	for i := range 3 {
		if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
			t.Fatalf("StageCredential, call %d: %v", i+1, err)
		}
	}
	for i := range 3 {
		if err := e.client.RevokeCredential(ctx, e.target, cred.LinkID, cred.ClientID); err != nil {
			t.Fatalf("RevokeCredential, call %d: %v", i+1, err)
		}
	}
	if got := e.stats(t).Credentials; got != (sim.CredentialStats{Revoked: 1}) {
		t.Errorf("credential stats = %+v, want one revoked", got)
	}
}

func TestStageConflicts(t *testing.T) {
	ctx := context.Background()

	t.Run("revoked client id", func(t *testing.T) {
		e := startSim(t, "")
		cred := testCredential("cli_1")
		if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
			t.Fatalf("StageCredential: %v", err)
		}
		if err := e.client.RevokeCredential(ctx, e.target, cred.LinkID, cred.ClientID); err != nil {
			t.Fatalf("RevokeCredential: %v", err)
		}
		err := e.client.StageCredential(ctx, e.target, cred)
		if status, _ := statusOf(t, err); status != http.StatusConflict {
			t.Errorf("stage after revoke status = %d, want 409", status)
		}
		if datacenter.Retryable(err) {
			t.Errorf("Retryable(409) = true, want false")
		}
	})

	t.Run("unknown client id revoked first", func(t *testing.T) {
		e := startSim(t, "")
		if err := e.client.RevokeCredential(ctx, e.target, "lnk_1", "cli_never"); err != nil {
			t.Fatalf("RevokeCredential of an unknown client id: %v", err)
		}
		err := e.client.StageCredential(ctx, e.target, testCredential("cli_never"))
		if status, _ := statusOf(t, err); status != http.StatusConflict {
			t.Errorf("stage after revoke status = %d, want 409", status)
		}
	})

	t.Run("different secret", func(t *testing.T) {
		e := startSim(t, "")
		cred := testCredential("cli_1")
		if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
			t.Fatalf("StageCredential: %v", err)
		}
		cred.ClientSecret = "another-secret-0123456789"
		err := e.client.StageCredential(ctx, e.target, cred)
		if status, _ := statusOf(t, err); status != http.StatusConflict {
			t.Errorf("stage with another secret status = %d, want 409", status)
		}
		if detail := upstreamError(t, err).Detail; !strings.Contains(detail, "different secret") {
			t.Errorf("detail = %q, want it to mention the different secret", detail)
		}
	})
}

func TestSignatureRejectedByInstance(t *testing.T) {
	tests := []struct {
		name   string
		target func(e *env) datacenter.Target
		clock  time.Duration // client clock offset from the simulator's
	}{
		{name: "wrong key", target: func(e *env) datacenter.Target {
			t := e.target
			t.Key = []byte(datacenter.NewConnectorKey())
			return t
		}},
		{name: "unknown connector", target: func(e *env) datacenter.Target {
			t := e.target
			t.ConnectorID = "con_unknown"
			return t
		}},
		{name: "timestamp 6 minutes old", clock: -6 * time.Minute},
		{name: "timestamp 6 minutes ahead", clock: 6 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startSim(t, "")
			target := e.target
			if tt.target != nil {
				target = tt.target(e)
			}
			client := datacenter.New(nil, func() time.Time { return e.clock.Now().Add(tt.clock) })

			err := client.StageCredential(context.Background(), target, testCredential("cli_1"))
			if status, code := statusOf(t, err); status != http.StatusUnauthorized || code != "invalid_signature" {
				t.Errorf("stage = HTTP %d %q, want 401 invalid_signature", status, code)
			}
			_, err = client.RequestToken(context.Background(), target, "cli_1", "secret", nil)
			if status, code := statusOf(t, err); status != http.StatusUnauthorized || code != "invalid_signature" {
				t.Errorf("token = HTTP %d %q, want 401 invalid_signature", status, code)
			}
			if got := e.stats(t).RejectedSignatures; got != 2 {
				t.Errorf("rejectedSignatures = %d, want 2", got)
			}
			if got := e.stats(t).Credentials; got != (sim.CredentialStats{}) {
				t.Errorf("credential stats = %+v, want none", got)
			}
		})
	}
}

func TestSignatureWithinWindowAccepted(t *testing.T) {
	e := startSim(t, "")
	client := datacenter.New(nil, func() time.Time { return e.clock.Now().Add(-4 * time.Minute) })
	if err := client.StageCredential(context.Background(), e.target, testCredential("cli_1")); err != nil {
		t.Errorf("StageCredential signed 4 minutes ago: %v", err)
	}
}

func TestRequestTokenScopes(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	cred := testCredential("cli_1")
	if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
		t.Fatalf("StageCredential: %v", err)
	}

	tests := []struct {
		name      string
		scopes    []string
		wantScope string
		wantCode  string
	}{
		{name: "all by default", scopes: nil, wantScope: "READ WRITE"},
		{name: "subset", scopes: []string{"READ"}, wantScope: "READ"},
		{name: "outside the credential", scopes: []string{"READ", "ADMIN"}, wantCode: "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, tt.scopes)
			if tt.wantCode != "" {
				if status, code := statusOf(t, err); status != http.StatusBadRequest || code != tt.wantCode {
					t.Errorf("RequestToken = HTTP %d %q, want 400 %q", status, code, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("RequestToken: %v", err)
			}
			if token.Scope != tt.wantScope {
				t.Errorf("scope = %q, want %q", token.Scope, tt.wantScope)
			}
		})
	}

	if got := e.stats(t).TokenRequests; got.OK != 2 || got.InvalidScope != 1 {
		t.Errorf("token request stats = %+v, want 2 ok and 1 invalid_scope", got)
	}
}

func TestWrongSecretIsInvalidClient(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	cred := testCredential("cli_1")
	if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
		t.Fatalf("StageCredential: %v", err)
	}
	_, err := e.client.RequestToken(ctx, e.target, cred.ClientID, "wrong-secret", nil)
	if status, code := statusOf(t, err); status != http.StatusUnauthorized || code != "invalid_client" {
		t.Errorf("RequestToken = HTTP %d %q, want 401 invalid_client", status, code)
	}
	if got := e.credentialState(t, "cli_1"); got != sim.StateStaged {
		t.Errorf("state after a failed token request = %q, want %q", got, sim.StateStaged)
	}
}

func TestFailNextThenSuccess(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	cred := testCredential("cli_1")
	if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
		t.Fatalf("StageCredential: %v", err)
	}
	e.faults(t, map[string]any{"failNext": 3, "failStatus": 503, "routes": []string{"token"}})

	for i := range 3 {
		_, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, nil)
		if status, _ := statusOf(t, err); status != http.StatusServiceUnavailable {
			t.Errorf("call %d status = %d, want 503", i+1, status)
		}
		if !datacenter.Retryable(err) {
			t.Errorf("call %d: Retryable(503) = false, want true", i+1)
		}
	}
	if _, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, nil); err != nil {
		t.Fatalf("fourth call: %v, want success", err)
	}

	if got := e.stats(t).TokenRequests; got.Fault != 3 || got.OK != 1 {
		t.Errorf("token request stats = %+v, want 3 fault and 1 ok", got)
	}
}

func TestFaultRoutesFilter(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	e.faults(t, map[string]any{"failNext": 1, "failStatus": 500, "routes": []string{"revoke"}})

	if err := e.client.StageCredential(ctx, e.target, testCredential("cli_1")); err != nil {
		t.Fatalf("StageCredential with a fault on revoke only: %v", err)
	}
	err := e.client.RevokeCredential(ctx, e.target, "lnk_1", "cli_1")
	if status, _ := statusOf(t, err); status != http.StatusInternalServerError {
		t.Errorf("revoke status = %d, want 500", status)
	}
	if err := e.client.RevokeCredential(ctx, e.target, "lnk_1", "cli_1"); err != nil {
		t.Errorf("second RevokeCredential: %v, want success", err)
	}
}

func TestTimeoutFault(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	e.faults(t, map[string]any{"timeoutNext": 1, "timeout": "1m"})

	client := datacenter.New(&http.Client{Timeout: 200 * time.Millisecond}, e.clock.Now)
	err := client.StageCredential(ctx, e.target, testCredential("cli_1"))
	de := upstreamError(t, err)
	if !strings.Contains(de.Detail, "did not respond in time") {
		t.Errorf("detail = %q, want it to say the instance did not respond in time", de.Detail)
	}
	if !datacenter.Retryable(err) {
		t.Errorf("Retryable(timeout) = false, want true")
	}

	if err := client.StageCredential(ctx, e.target, testCredential("cli_1")); err != nil {
		t.Errorf("StageCredential after the timeout was used up: %v", err)
	}
}

func TestContextDeadline(t *testing.T) {
	e := startSim(t, "")
	e.faults(t, map[string]any{"timeoutNext": 1, "timeout": "1m"})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.client.RequestToken(ctx, e.target, "cli_1", "secret", nil)
	upstreamError(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
	}
}

func TestRefuseStagedFault(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	cred := testCredential("cli_1")
	if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
		t.Fatalf("StageCredential: %v", err)
	}

	e.faults(t, map[string]any{"refuseStaged": true})
	for range 2 {
		_, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, nil)
		if status, code := statusOf(t, err); status != http.StatusUnauthorized || code != "invalid_client" {
			t.Errorf("token with refuseStaged = HTTP %d %q, want 401 invalid_client", status, code)
		}
	}
	if got := e.credentialState(t, "cli_1"); got != sim.StateStaged {
		t.Errorf("state = %q, want %q", got, sim.StateStaged)
	}

	e.faults(t, map[string]any{"refuseStaged": false})
	if _, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, nil); err != nil {
		t.Fatalf("RequestToken after refuseStaged was switched off: %v", err)
	}

	// An active credential is not affected by refuseStaged.
	e.faults(t, map[string]any{"refuseStaged": true})
	if _, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, nil); err != nil {
		t.Errorf("RequestToken with an active credential and refuseStaged: %v", err)
	}
	if got := e.stats(t).TokenRequests; got.OK != 2 || got.InvalidClient != 2 {
		t.Errorf("token request stats = %+v, want 2 ok and 2 invalid_client", got)
	}
}

func TestConcurrentStageAndToken(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	const workers = 50

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cred := testCredential(fmt.Sprintf("cli_%02d", i))
			if err := e.client.StageCredential(ctx, e.target, cred); err != nil {
				errs <- fmt.Errorf("stage %s: %w", cred.ClientID, err)
				return
			}
			if _, err := e.client.RequestToken(ctx, e.target, cred.ClientID, cred.ClientSecret, []string{"READ"}); err != nil {
				errs <- fmt.Errorf("token %s: %w", cred.ClientID, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	want := sim.Stats{
		TokenRequests: sim.TokenRequestStats{OK: workers},
		Credentials:   sim.CredentialStats{Active: workers},
	}
	if got := e.stats(t); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

func TestContextPathInRPCURL(t *testing.T) {
	e := startSim(t, "/dc/jira")
	ctx := context.Background()
	cred := testCredential("cli_1")

	for _, rpcURL := range []string{e.base, e.base + "/"} {
		target := e.target
		target.RPCURL = rpcURL
		if err := e.client.StageCredential(ctx, target, cred); err != nil {
			t.Errorf("StageCredential with RPC URL %q: %v", rpcURL, err)
		}
		if _, err := e.client.RequestToken(ctx, target, cred.ClientID, cred.ClientSecret, nil); err != nil {
			t.Errorf("RequestToken with RPC URL %q: %v", rpcURL, err)
		}
	}

	target := e.target
	target.RPCURL = e.server.URL // without the context path the routes do not exist
	err := e.client.StageCredential(ctx, target, cred)
	if status, _ := statusOf(t, err); status != http.StatusNotFound {
		t.Errorf("stage without the context path status = %d, want 404", status)
	}
}

func TestStoppedServerIsUpstream(t *testing.T) {
	e := startSim(t, "")
	e.server.Close()

	ctx := context.Background()
	calls := map[string]func() error{
		"stage":  func() error { return e.client.StageCredential(ctx, e.target, testCredential("cli_1")) },
		"revoke": func() error { return e.client.RevokeCredential(ctx, e.target, "lnk_1", "cli_1") },
		"token": func() error {
			_, err := e.client.RequestToken(ctx, e.target, "cli_1", "secret", nil)
			return err
		},
	}
	for name, call := range calls {
		err := call()
		de := upstreamError(t, err)
		if !strings.Contains(de.Detail, "unreachable") {
			t.Errorf("%s detail = %q, want it to say unreachable", name, de.Detail)
		}
		if !datacenter.Retryable(err) {
			t.Errorf("%s: Retryable = false, want true", name)
		}
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	e := startSim(t, "")
	var followed atomic.Int32
	landing := startLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
	}))
	redirector := startLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, landing.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))

	target := e.target
	target.RPCURL = redirector.URL
	err := e.client.StageCredential(context.Background(), target, testCredential("cli_1"))
	if status, _ := statusOf(t, err); status != http.StatusTemporaryRedirect {
		t.Errorf("status = %d, want 307", status)
	}
	if detail := upstreamError(t, err).Detail; !strings.Contains(detail, "redirects are not followed") {
		t.Errorf("detail = %q, want it to say redirects are not followed", detail)
	}
	if got := followed.Load(); got != 0 {
		t.Errorf("redirect target called %d times, want 0", got)
	}
}

func TestSecretNeverInError(t *testing.T) {
	// The server echoes the request body in its error, as a careless proxy
	// might.
	echo := startLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 4096)
		n, _ := r.Body.Read(body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"invalid_request","error_description":%q}`, "rejected "+string(body[:n]))
	}))
	client := datacenter.New(nil, nil)
	target := datacenter.Target{ConnectorID: "con_1", RPCURL: echo.URL, Key: []byte(datacenter.NewConnectorKey())}
	cred := testCredential("cli_1")

	errs := []error{client.StageCredential(context.Background(), target, cred)}
	_, err := client.RequestToken(context.Background(), target, cred.ClientID, cred.ClientSecret, nil)
	errs = append(errs, err)
	for _, err := range errs {
		de := upstreamError(t, err)
		if strings.Contains(de.Detail, cred.ClientSecret) || strings.Contains(err.Error(), cred.ClientSecret) {
			t.Errorf("error contains the client secret: %v", err)
		}
		if !strings.Contains(de.Detail, "[redacted]") {
			t.Errorf("detail = %q, want the echoed secret replaced by [redacted]", de.Detail)
		}
	}
}

func TestErrorDetailIsBounded(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	server := startLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>\n"+long+"</html>")
	}))
	client := datacenter.New(nil, nil)
	target := datacenter.Target{ConnectorID: "con_1", RPCURL: server.URL, Key: []byte(datacenter.NewConnectorKey())}

	err := client.RevokeCredential(context.Background(), target, "lnk_1", "cli_1")
	de := upstreamError(t, err)
	if len(de.Detail) > 300 {
		t.Errorf("detail is %d bytes, want at most 300: %q", len(de.Detail), de.Detail)
	}
	if !strings.Contains(de.Detail, "HTTP 502: <html> xxx") {
		t.Errorf("detail = %q, want the status and the start of the body", de.Detail)
	}
}

func TestMalformedTokenResponse(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "not JSON", body: "<html>ok</html>"},
		{name: "no access token", body: `{"token_type":"Bearer","expires_in":3600}`},
		{name: "not bearer", body: `{"access_token":"t","token_type":"mac","expires_in":3600}`},
		{name: "negative lifetime", body: `{"access_token":"t","token_type":"Bearer","expires_in":-1}`},
		{name: "lifetime as string", body: `{"access_token":"t","token_type":"Bearer","expires_in":"3600"}`},
		{name: "over 64 KiB", body: `{"access_token":"` + strings.Repeat("t", 70_000) + `","token_type":"Bearer"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := startLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.body)
			}))
			client := datacenter.New(nil, nil)
			target := datacenter.Target{ConnectorID: "con_1", RPCURL: server.URL, Key: []byte(datacenter.NewConnectorKey())}

			_, err := client.RequestToken(context.Background(), target, "cli_1", "secret", nil)
			de := upstreamError(t, err)
			if !strings.Contains(de.Detail, "malformed response") {
				t.Errorf("detail = %q, want it to say malformed response", de.Detail)
			}
			if datacenter.Retryable(err) {
				t.Errorf("Retryable(malformed) = true, want false")
			}
		})
	}
}

func TestTokenWithoutScopeOrLifetime(t *testing.T) {
	server := startLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"access_token":"t","token_type":"bearer"}`)
	}))
	client := datacenter.New(nil, nil)
	target := datacenter.Target{ConnectorID: "con_1", RPCURL: server.URL, Key: []byte(datacenter.NewConnectorKey())}

	token, err := client.RequestToken(context.Background(), target, "cli_1", "secret", []string{"READ"})
	if err != nil {
		t.Fatalf("RequestToken: %v", err)
	}
	if token.Scope != "READ" || token.ExpiresIn != 0 {
		t.Errorf("token scope %q, expires in %d; want \"READ\", 0", token.Scope, token.ExpiresIn)
	}
}

func TestInvalidArgumentsAreInternal(t *testing.T) {
	e := startSim(t, "")
	ctx := context.Background()
	noKey := e.target
	noKey.Key = nil
	badURL := e.target
	badURL.RPCURL = "ftp://127.0.0.1/"
	withQuery := e.target
	withQuery.RPCURL = e.base + "?x=1"

	tests := []struct {
		name string
		call func() error
	}{
		{name: "stage without secret", call: func() error {
			cred := testCredential("cli_1")
			cred.ClientSecret = ""
			return e.client.StageCredential(ctx, e.target, cred)
		}},
		{name: "stage without scopes", call: func() error {
			cred := testCredential("cli_1")
			cred.Scopes = nil
			return e.client.StageCredential(ctx, e.target, cred)
		}},
		{name: "stage with version 0", call: func() error {
			cred := testCredential("cli_1")
			cred.Version = 0
			return e.client.StageCredential(ctx, e.target, cred)
		}},
		{name: "stage with a slash in the client id", call: func() error {
			return e.client.StageCredential(ctx, e.target, testCredential("cli/../1"))
		}},
		{name: "revoke with dot-dot link id", call: func() error {
			return e.client.RevokeCredential(ctx, e.target, "..", "cli_1")
		}},
		{name: "revoke without key", call: func() error {
			return e.client.RevokeCredential(ctx, noKey, "lnk_1", "cli_1")
		}},
		{name: "token with an ftp URL", call: func() error {
			_, err := e.client.RequestToken(ctx, badURL, "cli_1", "secret", nil)
			return err
		}},
		{name: "token with a query in the URL", call: func() error {
			_, err := e.client.RequestToken(ctx, withQuery, "cli_1", "secret", nil)
			return err
		}},
		{name: "token without secret", call: func() error {
			_, err := e.client.RequestToken(ctx, e.target, "cli_1", "", nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := domain.KindOf(err); got != domain.KindInternal {
				t.Errorf("error kind = %q, want %q; error %v", got, domain.KindInternal, err)
			}
		})
	}
	if got := e.stats(t); got != (sim.Stats{}) {
		t.Errorf("stats = %+v, want no call to have reached the instance", got)
	}
}
