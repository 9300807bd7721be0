package sim

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Routes of the Data Center protocol and of the control API, under the
// context path.
const (
	credentialRoute = "/rest/cloudconnector/1.0/links/{linkId}/credentials/{clientId}"
	tokenRoute      = "/rest/oauth2/latest/token"
	controlPrefix   = "/_sim"
)

// Simulator is one simulated Data Center instance. Its methods are safe for
// concurrent use.
type Simulator struct {
	clock       func() time.Time
	logger      *slog.Logger
	contextPath string
	configErr   error

	mu                 sync.Mutex
	keys               map[string][]byte      // connector id to connector key
	credentials        map[string]*credential // client id to credential
	tokenStats         TokenRequestStats
	rejectedSignatures int
	faults             faultState
}

// Option configures a Simulator.
type Option func(*Simulator)

// WithLogger makes the simulator log to l instead of slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *Simulator) {
		if l != nil {
			s.logger = l
		}
	}
}

// WithContextPath serves every route under p, such as "/jira", the way a
// Data Center instance runs under a context path. p must pass
// ValidContextPath; otherwise the handler responds to every request with
// 500.
func WithContextPath(p string) Option {
	return func(s *Simulator) {
		if !ValidContextPath(p) {
			s.configErr = fmt.Errorf("invalid context path %q: use \"\" or segments such as /jira of letters, digits, '-', '.', '_' and '~'", p)
			return
		}
		s.contextPath = p
	}
}

// ValidContextPath reports whether p is "" or one or more segments of URL
// unreserved characters, each after a slash, with no trailing slash.
func ValidContextPath(p string) bool {
	if p == "" {
		return true
	}
	if len(p) > 256 || p[0] != '/' || p[len(p)-1] == '/' {
		return false
	}
	for i := 1; i < len(p); i++ {
		ch := p[i]
		switch {
		case ch == '/' && p[i-1] == '/':
			return false
		case ch == '/', ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '.', ch == '_', ch == '~':
		default:
			return false
		}
	}
	return true
}

// New returns a Simulator with no keys, credentials or faults. clock is the
// time signatures are checked against; nil means time.Now.
func New(clock func() time.Time, opts ...Option) *Simulator {
	if clock == nil {
		clock = time.Now
	}
	s := &Simulator{
		clock:       clock,
		logger:      slog.Default(),
		keys:        make(map[string][]byte),
		credentials: make(map[string]*credential),
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.configErr != nil {
		s.logger.Error("simulator misconfigured", "error", s.configErr)
	}
	return s
}

// Handler returns the HTTP handler of the protocol and control routes.
func (s *Simulator) Handler() http.Handler {
	if s.configErr != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.replyError(w, r, http.StatusInternalServerError, "misconfigured", s.configErr.Error())
		})
	}

	p := s.contextPath
	mux := http.NewServeMux()
	mux.HandleFunc("PUT "+p+credentialRoute, s.handleStage)
	mux.HandleFunc("DELETE "+p+credentialRoute, s.handleRevoke)
	mux.HandleFunc("POST "+p+tokenRoute, s.handleToken)

	mux.HandleFunc("POST "+p+controlPrefix+"/connectors/{connectorId}", s.handleInstallKey)
	mux.HandleFunc("GET "+p+controlPrefix+"/stats", s.handleStats)
	mux.HandleFunc("GET "+p+controlPrefix+"/faults", s.handleGetFaults)
	mux.HandleFunc("POST "+p+controlPrefix+"/faults", s.handleUpdateFaults)
	mux.HandleFunc("DELETE "+p+controlPrefix+"/faults", s.handleClearFaults)
	mux.HandleFunc("GET "+p+controlPrefix+"/credentials", s.handleListCredentials)
	mux.HandleFunc("POST "+p+controlPrefix+"/reset", s.handleReset)
	return mux
}
