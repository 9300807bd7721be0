package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
)

// Limits on the values of a stage call.
const (
	maxIDLength     = 128
	maxSecretLength = 1024
	maxScopes       = 32
	maxScopeLength  = 64
)

// stageRequest is the JSON body of a stage call.
type stageRequest struct {
	ClientSecret      string   `json:"clientSecret"`
	Scopes            []string `json:"scopes"`
	SiteID            string   `json:"siteId"`
	CredentialVersion int      `json:"credentialVersion"`
}

// stageResponse is the JSON body of a successful stage call.
type stageResponse struct {
	ClientID string `json:"clientId"`
	State    string `json:"state"`
}

// handleStage installs a staged credential: 201 when new, 200 for a repeat
// of the same stage, 409 for a revoked client id or different values.
func (s *Simulator) handleStage(w http.ResponseWriter, r *http.Request) {
	linkID, clientID := r.PathValue("linkId"), r.PathValue("clientId")
	attrs := []slog.Attr{slog.String("linkId", linkID), slog.String("clientId", clientID)}
	body, ok := s.readBody(w, r, attrs...)
	if !ok {
		return
	}
	if s.injectFault(w, r, RouteStage, attrs) {
		return
	}
	connectorID, ok := s.verify(w, r, body, attrs)
	if !ok {
		return
	}
	attrs = append(attrs, slog.String("connectorId", connectorID))

	var req stageRequest
	if err := decodeJSON(body, &req); err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error(), attrs...)
		return
	}
	in, err := checkStage(connectorID, linkID, clientID, req)
	if err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error(), attrs...)
		return
	}

	s.mu.Lock()
	outcome, reason := s.stage(in)
	s.mu.Unlock()

	switch outcome {
	case stageCreated:
		s.reply(w, r, http.StatusCreated, stageResponse{ClientID: clientID, State: StateStaged}, attrs...)
	case stageRepeated:
		s.reply(w, r, http.StatusOK, stageResponse{ClientID: clientID, State: s.credentialState(clientID)}, attrs...)
	default:
		s.replyError(w, r, http.StatusConflict, "conflict", reason, attrs...)
	}
}

// handleRevoke revokes a credential: 204 whether or not it existed, 409
// for a client id of another connector or link.
func (s *Simulator) handleRevoke(w http.ResponseWriter, r *http.Request) {
	linkID, clientID := r.PathValue("linkId"), r.PathValue("clientId")
	attrs := []slog.Attr{slog.String("linkId", linkID), slog.String("clientId", clientID)}
	body, ok := s.readBody(w, r, attrs...)
	if !ok {
		return
	}
	if s.injectFault(w, r, RouteRevoke, attrs) {
		return
	}
	connectorID, ok := s.verify(w, r, body, attrs)
	if !ok {
		return
	}
	attrs = append(attrs, slog.String("connectorId", connectorID))
	if err := errors.Join(checkID("link id", linkID), checkID("client id", clientID)); err != nil {
		s.replyError(w, r, http.StatusBadRequest, "invalid_request", err.Error(), attrs...)
		return
	}

	s.mu.Lock()
	revoked, reason := s.revoke(connectorID, linkID, clientID)
	s.mu.Unlock()

	if !revoked {
		s.replyError(w, r, http.StatusConflict, "conflict", reason, attrs...)
		return
	}
	s.reply(w, r, http.StatusNoContent, nil, attrs...)
}

// injectFault uses up an injected timeout or failure for route, if one
// applies, and responds to the call with it. It reports whether it
// responded.
// The caller must have read the request body: only then does net/http
// notice a client that hangs up and cancel the request context.
func (s *Simulator) injectFault(w http.ResponseWriter, r *http.Request, route string, attrs []slog.Attr) bool {
	s.mu.Lock()
	fault := s.takeFault(route)
	if fault.status != 0 && route == RouteToken {
		s.tokenStats.Fault++
	}
	s.mu.Unlock()
	if fault.status == 0 {
		return false
	}

	attrs = append(attrs, slog.Bool("injectedFault", true))
	if fault.timeout > 0 {
		// Hang like an overloaded instance, but stop as soon as the client
		// gives up so that a server shutdown is not held up.
		timer := time.NewTimer(fault.timeout)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
		}
		s.replyError(w, r, fault.status, "timeout", fmt.Sprintf("injected timeout of %s", fault.timeout), attrs...)
		return true
	}
	s.replyError(w, r, fault.status, "injected_fault", fmt.Sprintf("injected failure with HTTP %d", fault.status), attrs...)
	return true
}

// verify checks the connector signature and returns the connector id. On
// failure it counts the rejection and responds with 401.
func (s *Simulator) verify(w http.ResponseWriter, r *http.Request, body []byte, attrs []slog.Attr) (string, bool) {
	connectorID, err := datacenter.Verify(r, body, s.lookupKey, s.clock())
	if err == nil {
		return connectorID, true
	}
	s.mu.Lock()
	s.rejectedSignatures++
	s.mu.Unlock()
	s.replyError(w, r, http.StatusUnauthorized, "invalid_signature", err.Error(), attrs...)
	return "", false
}

// credentialState returns the state of clientID, or "" if it is unknown.
func (s *Simulator) credentialState(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.credentials[clientID]; ok {
		return c.state
	}
	return ""
}

// checkStage validates a stage call and returns it with the scopes sorted
// and without duplicates.
func checkStage(connectorID, linkID, clientID string, req stageRequest) (stageInput, error) {
	var problems []error
	problems = append(problems, checkID("link id", linkID), checkID("client id", clientID), checkID("siteId", req.SiteID))
	if req.ClientSecret == "" || len(req.ClientSecret) > maxSecretLength {
		problems = append(problems, fmt.Errorf("clientSecret must be 1 to %d bytes", maxSecretLength))
	}
	if req.CredentialVersion < 1 {
		problems = append(problems, fmt.Errorf("credentialVersion must be 1 or more, got %d", req.CredentialVersion))
	}
	scopes, err := canonicalScopes(req.Scopes)
	problems = append(problems, err)
	if err := errors.Join(problems...); err != nil {
		return stageInput{}, err
	}
	return stageInput{
		connectorID: connectorID,
		linkID:      linkID,
		clientID:    clientID,
		siteID:      req.SiteID,
		secret:      req.ClientSecret,
		scopes:      scopes,
		version:     req.CredentialVersion,
	}, nil
}

// canonicalScopes checks each scope against the OAuth 2.0 scope-token
// grammar (RFC 6749, section 3.3) and returns them sorted without
// duplicates.
func canonicalScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 || len(scopes) > maxScopes {
		return nil, fmt.Errorf("scopes must list 1 to %d scopes", maxScopes)
	}
	for _, scope := range scopes {
		if !validScopeToken(scope) {
			return nil, fmt.Errorf("scope %q must be 1 to %d visible ASCII characters other than '\"' and '\\'", truncate(scope), maxScopeLength)
		}
	}
	out := slices.Clone(scopes)
	slices.Sort(out)
	return slices.Compact(out), nil
}

func validScopeToken(s string) bool {
	if s == "" || len(s) > maxScopeLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\' {
			return false
		}
	}
	return true
}

// checkID returns an error unless id is 1 to maxIDLength visible ASCII
// characters.
func checkID(name, id string) error {
	if id == "" || len(id) > maxIDLength {
		return fmt.Errorf("%s must be 1 to %d characters", name, maxIDLength)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return fmt.Errorf("%s %q must contain only visible ASCII characters", name, truncate(id))
		}
	}
	return nil
}

// truncate shortens s to at most 64 bytes for a message.
func truncate(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "..."
}
