package sim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
)

// accessTokenLifetime is the expires_in of every issued token, in seconds.
const accessTokenLifetime = 3600

// OAuth 2.0 error codes of the token endpoint (RFC 6749, section 5.2).
const (
	errInvalidRequest       = "invalid_request"
	errInvalidClient        = "invalid_client"
	errInvalidScope         = "invalid_scope"
	errUnsupportedGrantType = "unsupported_grant_type"
)

// tokenResponse is the JSON body of a successful token request.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// oauthError is the JSON body of a failed token request.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// tokenRequest is a parsed client credentials request.
type tokenRequest struct {
	clientID     string
	clientSecret string
	scopes       []string // as requested, possibly empty
	basicAuth    bool     // the client authenticated with HTTP Basic
}

// handleToken is the standard OAuth 2.0 token endpoint for the client
// credentials grant. A signed request must carry a valid signature and may
// only use credentials of its own connector; an unsigned one is accepted.
// The first successful request with a staged credential makes it active.
func (s *Simulator) handleToken(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	if s.injectFault(w, r, RouteToken, nil) {
		return
	}
	signer := ""
	if datacenter.HasSignature(r.Header) {
		if signer, ok = s.verify(w, r, body, nil); !ok {
			return
		}
	}

	req, code, err := parseTokenRequest(r, body)
	if err != nil {
		s.replyOAuthError(w, r, http.StatusBadRequest, code, err.Error(), req.basicAuth, slog.String("clientId", req.clientID))
		return
	}

	attrs := []slog.Attr{slog.String("clientId", req.clientID)}
	if signer != "" {
		attrs = append(attrs, slog.String("connectorId", signer))
	}
	s.mu.Lock()
	granted, code, reason := s.authorizeToken(signer, req)
	s.mu.Unlock()

	switch code {
	case "":
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		s.reply(w, r, http.StatusOK, tokenResponse{
			AccessToken: "dcsim_" + rand.Text(),
			TokenType:   "Bearer",
			ExpiresIn:   accessTokenLifetime,
			Scope:       strings.Join(granted, " "),
		}, attrs...)
	case errInvalidClient:
		// The client learns only that authentication failed; the log has
		// the reason.
		attrs = append(attrs, slog.String("reason", reason))
		s.replyOAuthError(w, r, http.StatusUnauthorized, code, "client authentication failed", req.basicAuth, attrs...)
	default:
		s.replyOAuthError(w, r, http.StatusBadRequest, code, reason, req.basicAuth, attrs...)
	}
}

// authorizeToken authenticates the client and checks the requested scopes.
// It returns the granted scopes, or an OAuth error code and the reason. On
// success it counts the request and activates a staged credential. The
// caller holds s.mu.
func (s *Simulator) authorizeToken(signer string, req tokenRequest) (granted []string, code, reason string) {
	cred, ok := s.credentials[req.clientID]
	hash := sha256.Sum256([]byte(req.clientSecret))
	switch {
	case !ok:
		code, reason = errInvalidClient, "unknown client id"
	case cred.state == StateRevoked:
		code, reason = errInvalidClient, "credential revoked"
	case signer != "" && cred.connectorID != signer:
		code, reason = errInvalidClient, fmt.Sprintf("credential belongs to connector %s, not the signing connector", cred.connectorID)
	case subtle.ConstantTimeCompare(cred.secretHash[:], hash[:]) != 1:
		code, reason = errInvalidClient, "wrong client secret"
	case s.faults.refuseStaged && cred.state == StateStaged:
		code, reason = errInvalidClient, "credential not active yet and the refuseStaged fault is on"
	}
	if code != "" {
		return nil, code, reason
	}

	granted = cred.scopes
	if len(req.scopes) > 0 {
		for _, scope := range req.scopes {
			if !slices.Contains(cred.scopes, scope) {
				return nil, errInvalidScope, fmt.Sprintf("scope %q is not granted to this client; granted scopes: %s",
					truncate(scope), strings.Join(cred.scopes, " "))
			}
		}
		granted = slices.Clone(req.scopes)
		slices.Sort(granted)
		granted = slices.Compact(granted)
	}

	cred.state = StateActive
	s.tokenStats.OK++
	return granted, "", ""
}

// parseTokenRequest reads a form-encoded client credentials request. Client
// authentication may use the form or HTTP Basic, not both. On failure it
// returns the OAuth error code.
func parseTokenRequest(r *http.Request, body []byte) (tokenRequest, string, error) {
	var req tokenRequest
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return req, errInvalidRequest, errors.New("Content-Type must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return req, errInvalidRequest, fmt.Errorf("request body is not valid form encoding: %w", err)
	}
	for name, values := range form {
		if len(values) > 1 {
			return req, errInvalidRequest, fmt.Errorf("parameter %q sent more than once", truncate(name))
		}
	}

	req.clientID, req.clientSecret = form.Get("client_id"), form.Get("client_secret")
	if user, password, ok := r.BasicAuth(); ok {
		if form.Has("client_secret") {
			return req, errInvalidRequest, errors.New("client authenticated with both HTTP Basic and client_secret")
		}
		req.basicAuth = true
		// RFC 6749, section 2.3.1: both parts are form-encoded before Basic.
		user, errUser := url.QueryUnescape(user)
		password, errPassword := url.QueryUnescape(password)
		if errUser != nil || errPassword != nil {
			return req, errInvalidRequest, errors.New("HTTP Basic credentials are not valid form encoding")
		}
		if req.clientID != "" && req.clientID != user {
			return req, errInvalidRequest, errors.New("client_id differs from the HTTP Basic user")
		}
		req.clientID, req.clientSecret = user, password
	}
	req.scopes = strings.Fields(form.Get("scope"))

	switch grant := form.Get("grant_type"); {
	case grant == "":
		return req, errInvalidRequest, errors.New("grant_type is missing")
	case grant != "client_credentials":
		return req, errUnsupportedGrantType, fmt.Errorf("grant_type %q is not supported; use client_credentials", truncate(grant))
	}
	if req.clientID == "" || req.clientSecret == "" {
		return req, errInvalidRequest, errors.New("client_id and client_secret are required")
	}
	return req, "", nil
}

// replyOAuthError responds to a token request with an OAuth 2.0 error body and
// counts it.
func (s *Simulator) replyOAuthError(w http.ResponseWriter, r *http.Request, status int, code, description string, basicAuth bool, attrs ...slog.Attr) {
	s.mu.Lock()
	switch code {
	case errInvalidRequest:
		s.tokenStats.InvalidRequest++
	case errUnsupportedGrantType:
		s.tokenStats.UnsupportedGrantType++
	case errInvalidClient:
		s.tokenStats.InvalidClient++
	case errInvalidScope:
		s.tokenStats.InvalidScope++
	}
	s.mu.Unlock()

	if status == http.StatusUnauthorized && basicAuth {
		w.Header().Set("WWW-Authenticate", `Basic realm="dcsim"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	attrs = append(attrs, slog.String("error", code))
	s.reply(w, r, status, oauthError{Error: code, ErrorDescription: description}, attrs...)
}
