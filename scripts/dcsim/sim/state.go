package sim

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"sort"
)

// Credential states.
const (
	StateStaged  = "staged"
	StateActive  = "active"
	StateRevoked = "revoked"
)

// credential is one OAuth 2.0 client credential of an incoming link.
type credential struct {
	clientID    string
	linkID      string
	connectorID string
	siteID      string
	secretHash  [sha256.Size]byte
	scopes      []string // sorted, without duplicates
	version     int
	state       string
}

// Credential is the public view of a credential: everything but the secret.
type Credential struct {
	ClientID    string   `json:"clientId"`
	LinkID      string   `json:"linkId"`
	ConnectorID string   `json:"connectorId"`
	SiteID      string   `json:"siteId,omitempty"`
	State       string   `json:"state"`
	Scopes      []string `json:"scopes"`
	Version     int      `json:"version"`
}

// Stats counts what the simulator has seen since it started or was reset.
type Stats struct {
	TokenRequests      TokenRequestStats `json:"tokenRequests"`
	Credentials        CredentialStats   `json:"credentials"`
	RejectedSignatures int               `json:"rejectedSignatures"`
}

// TokenRequestStats counts token requests by outcome. A request rejected
// for its signature counts in Stats.RejectedSignatures only.
type TokenRequestStats struct {
	OK                   int `json:"ok"`
	InvalidClient        int `json:"invalid_client"`
	InvalidScope         int `json:"invalid_scope"`
	InvalidRequest       int `json:"invalid_request"`
	UnsupportedGrantType int `json:"unsupported_grant_type"`
	// Fault counts token requests failed by an injected failure or timeout.
	Fault int `json:"fault"`
}

// CredentialStats counts the credentials held in each state.
type CredentialStats struct {
	Staged  int `json:"staged"`
	Active  int `json:"active"`
	Revoked int `json:"revoked"`
}

// stageInput is a validated stage call.
type stageInput struct {
	connectorID, linkID, clientID, siteID string
	secret                                string
	scopes                                []string // sorted, without duplicates
	version                               int
}

// stageOutcome is the result of a stage call.
type stageOutcome int

const (
	stageCreated stageOutcome = iota
	stageRepeated
	stageConflict
)

// stage installs a staged credential. The caller holds s.mu. A repeat of an
// earlier stage with the same secret, site, scopes and version is
// stageRepeated. A revoked client id, one of another connector or link, or
// one stored with different values is stageConflict with the reason.
func (s *Simulator) stage(in stageInput) (stageOutcome, string) {
	hash := sha256.Sum256([]byte(in.secret))
	existing, ok := s.credentials[in.clientID]
	if !ok {
		s.credentials[in.clientID] = &credential{
			clientID:    in.clientID,
			linkID:      in.linkID,
			connectorID: in.connectorID,
			siteID:      in.siteID,
			secretHash:  hash,
			scopes:      in.scopes,
			version:     in.version,
			state:       StateStaged,
		}
		return stageCreated, ""
	}

	switch {
	case existing.state == StateRevoked:
		return stageConflict, fmt.Sprintf("client id %s was revoked and cannot be staged again", in.clientID)
	case existing.connectorID != in.connectorID || existing.linkID != in.linkID:
		return stageConflict, fmt.Sprintf("client id %s belongs to another link", in.clientID)
	case subtle.ConstantTimeCompare(existing.secretHash[:], hash[:]) != 1:
		return stageConflict, fmt.Sprintf("client id %s is already staged with a different secret", in.clientID)
	case existing.siteID != in.siteID || existing.version != in.version || !slices.Equal(existing.scopes, in.scopes):
		return stageConflict, fmt.Sprintf("client id %s is already staged with a different site, version or scopes", in.clientID)
	default:
		return stageRepeated, ""
	}
}

// revoke marks a credential revoked, and records an unknown client id as
// revoked so that a later stage of it is rejected. The caller holds s.mu.
// A client id of another connector or link is rejected with the reason.
func (s *Simulator) revoke(connectorID, linkID, clientID string) (ok bool, reason string) {
	existing, found := s.credentials[clientID]
	if !found {
		s.credentials[clientID] = &credential{
			clientID:    clientID,
			linkID:      linkID,
			connectorID: connectorID,
			state:       StateRevoked,
		}
		return true, ""
	}
	if existing.connectorID != connectorID || existing.linkID != linkID {
		return false, fmt.Sprintf("client id %s belongs to another link", clientID)
	}
	existing.state = StateRevoked
	existing.secretHash = [sha256.Size]byte{}
	return true, ""
}

// InstallKey installs key as the connector key of connectorID, replacing
// any earlier key, as a Data Center admin does. It reports whether the
// connector had no key before.
func (s *Simulator) InstallKey(connectorID, key string) (created bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, existed := s.keys[connectorID]
	s.keys[connectorID] = []byte(key)
	return !existed
}

// lookupKey returns the key of connectorID. It takes s.mu itself.
func (s *Simulator) lookupKey(connectorID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, ok := s.keys[connectorID]
	return key, ok
}

// Stats returns the counters and the number of credentials in each state.
func (s *Simulator) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	stats := Stats{TokenRequests: s.tokenStats, RejectedSignatures: s.rejectedSignatures}
	for _, c := range s.credentials {
		switch c.state {
		case StateStaged:
			stats.Credentials.Staged++
		case StateActive:
			stats.Credentials.Active++
		case StateRevoked:
			stats.Credentials.Revoked++
		}
	}
	return stats
}

// Credentials returns every credential, secrets left out, sorted by client id.
func (s *Simulator) Credentials() []Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Credential, 0, len(s.credentials))
	for _, c := range s.credentials {
		out = append(out, Credential{
			ClientID:    c.clientID,
			LinkID:      c.linkID,
			ConnectorID: c.connectorID,
			SiteID:      c.siteID,
			State:       c.state,
			Scopes:      append([]string{}, c.scopes...),
			Version:     c.version,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ClientID < out[j].ClientID })
	return out
}

// Reset deletes every credential and clears the counters and faults.
// Installed connector keys stay.
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credentials = make(map[string]*credential)
	s.tokenStats = TokenRequestStats{}
	s.rejectedSignatures = 0
	s.faults = faultState{}
}
