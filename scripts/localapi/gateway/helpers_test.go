package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/cloudconnector/cloudconnector/scripts/internal/devjwt"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

var (
	signingKeyOnce sync.Once
	signingKey     *devjwt.Key
	signingKeyErr  error
)

// testKey returns a signing key shared by the tests of this package, because
// generating RSA keys is slow.
func testKey(t *testing.T) *devjwt.Key {
	t.Helper()
	signingKeyOnce.Do(func() {
		private, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			signingKeyErr = err
			return
		}
		signingKey, signingKeyErr = devjwt.NewKey(private)
	})
	if signingKeyErr != nil {
		t.Fatalf("generate signing key: %v", signingKeyErr)
	}
	return signingKey
}

// invocation is one call of a stub handler.
type invocation struct {
	function string
	event    events.APIGatewayV2HTTPRequest
	ctx      context.Context
}

// stubs records the calls of the stub handlers and returns what respond returns.
type stubs struct {
	mu      sync.Mutex
	calls   []invocation
	respond func(fn string, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

func (s *stubs) functions() Functions {
	fns := Functions{HTTP: map[string]HTTPHandler{}}
	for _, name := range routes.HTTPFunctions() {
		fns.HTTP[name] = func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			s.mu.Lock()
			s.calls = append(s.calls, invocation{function: name, event: ev, ctx: ctx})
			respond := s.respond
			s.mu.Unlock()
			if respond != nil {
				return respond(name, ev)
			}
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Body: `{"ok":true}`, Headers: map[string]string{"Content-Type": "application/json"}}, nil
		}
	}
	return fns
}

func (s *stubs) invocations() []invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]invocation(nil), s.calls...)
}

// onlyCall returns the only recorded call, failing the test unless there is
// exactly one.
func (s *stubs) onlyCall(t *testing.T) invocation {
	t.Helper()
	calls := s.invocations()
	if len(calls) != 1 {
		t.Fatalf("handler calls: got %d, want 1", len(calls))
	}
	return calls[0]
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

// testServer is a Gateway with stub handlers behind a real HTTP server on
// 127.0.0.1.
type testServer struct {
	url   string
	stubs *stubs
	key   *devjwt.Key
	logs  *syncBuffer
}

func newTestServer(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	key := testKey(t)
	logs := &syncBuffer{}
	st := &stubs{}

	cfg := Config{
		Verifier: key.Verifier(),
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	gw, err := New(st.functions(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	server := httptest.NewServer(gw)
	t.Cleanup(server.Close)
	return &testServer{url: server.URL, stubs: st, key: key, logs: logs}
}

// token signs claims edited from a valid default set.
func (s *testServer) token(t *testing.T, edit func(jwt.MapClaims)) string {
	t.Helper()
	claims, err := devjwt.NewClaims(devjwt.Actor{Org: "org-1", Sub: "user-1", Roles: []string{"org-admin", "site-admin:s1"}}, time.Hour, time.Now())
	if err != nil {
		t.Fatalf("NewClaims: %v", err)
	}
	if edit != nil {
		edit(claims)
	}
	token, err := s.key.Sign(claims)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return token
}

// do sends a request and returns the response with its body read.
func (s *testServer) do(t *testing.T, method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, path, err)
	}
	for name, values := range header {
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response of %s %s: %v", method, path, err)
	}
	return resp, data
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func mustRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	private, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}
	return private
}
