package datacenter_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// testClock is a settable clock shared by a test and the simulator.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// env is a simulator served over HTTP on 127.0.0.1 and a client of it.
type env struct {
	sim    *sim.Simulator
	server *httptest.Server
	base   string // server URL plus the context path
	clock  *testClock
	target datacenter.Target
	client *datacenter.Client
}

// startLocalServer serves h on 127.0.0.1 on a free port until the test ends.
func startLocalServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	server := &httptest.Server{Listener: listener, Config: &http.Server{Handler: h}}
	server.Start()
	t.Cleanup(server.Close)
	return server
}

// startSim starts a simulator with connector con_1 installed and returns a
// client aimed at it.
func startSim(t *testing.T, contextPath string) *env {
	t.Helper()
	clock := &testClock{now: time.Now()}
	s := sim.New(clock.Now, sim.WithLogger(slog.New(slog.DiscardHandler)), sim.WithContextPath(contextPath))
	server := startLocalServer(t, s.Handler())
	e := &env{
		sim:    s,
		server: server,
		base:   server.URL + contextPath,
		clock:  clock,
		target: datacenter.Target{ConnectorID: "con_1", RPCURL: server.URL + contextPath, Key: []byte(datacenter.NewConnectorKey())},
		client: datacenter.New(nil, clock.Now),
	}
	e.control(t, http.MethodPost, "/_sim/connectors/con_1", map[string]string{"key": string(e.target.Key)}, nil, http.StatusCreated)
	return e
}

// control calls a control route over HTTP, checks the status and decodes
// the JSON response into out when out is not nil.
func (e *env) control(t *testing.T, method, path string, body, out any, wantStatus int) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode %s %s body: %v", method, path, err)
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.base+path, reader)
	if err != nil {
		t.Fatalf("build %s %s: %v", method, path, err)
	}
	resp, err := e.server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	respBody, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s status = %d, want %d; body %s", method, path, resp.StatusCode, wantStatus, respBody)
	}
	if out != nil {
		if err := json.Unmarshal(respBody, out); err != nil {
			t.Fatalf("decode %s %s response %s: %v", method, path, respBody, err)
		}
	}
}

func (e *env) stats(t *testing.T) sim.Stats {
	t.Helper()
	var stats sim.Stats
	e.control(t, http.MethodGet, "/_sim/stats", nil, &stats, http.StatusOK)
	return stats
}

func (e *env) faults(t *testing.T, faults map[string]any) {
	t.Helper()
	e.control(t, http.MethodPost, "/_sim/faults", faults, nil, http.StatusOK)
}

// credentialState returns the state the simulator lists for clientID.
func (e *env) credentialState(t *testing.T, clientID string) string {
	t.Helper()
	var creds []sim.Credential
	e.control(t, http.MethodGet, "/_sim/credentials", nil, &creds, http.StatusOK)
	for _, c := range creds {
		if c.ClientID == clientID {
			return c.State
		}
	}
	return ""
}

func testCredential(clientID string) datacenter.StagedCredential {
	return datacenter.StagedCredential{
		LinkID:       "lnk_1",
		SiteID:       "site-1",
		ClientID:     clientID,
		ClientSecret: "secret-" + clientID + "-0123456789abcdef",
		Scopes:       []string{"READ", "WRITE"},
		Version:      1,
	}
}

// upstreamError checks that err is a KindUpstream *domain.Error and returns it.
func upstreamError(t *testing.T, err error) *domain.Error {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want a *domain.Error", err, err)
	}
	if de.Kind != domain.KindUpstream {
		t.Fatalf("error kind = %q, want %q; error %v", de.Kind, domain.KindUpstream, err)
	}
	return de
}

// statusOf returns the status and OAuth error code of an upstream error
// whose cause is a *datacenter.StatusError.
func statusOf(t *testing.T, err error) (int, string) {
	t.Helper()
	upstreamError(t, err)
	var statusErr *datacenter.StatusError
	if !errors.As(err, &statusErr) {
		t.Fatalf("error = %v, want a *datacenter.StatusError cause", err)
	}
	return statusErr.StatusCode, statusErr.Code
}
