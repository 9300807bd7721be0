package devjwt

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer and Audience are the iss and aud values of local tokens. The local
// API's authorizer accepts only these.
const (
	Issuer   = "http://127.0.0.1:3000/local"
	Audience = "cloud-connector-local"
)

// Actor is the identity a local token carries.
type Actor struct {
	Org   string   // org claim: the organization id
	Sub   string   // sub claim: the actor id
	Roles []string // roles claim, such as "org-admin" or "site-admin:SITE"
}

// NewClaims returns the claims of a token for actor that is valid from now
// for ttl. The roles claim is a JSON array, as an identity provider would
// issue it.
func NewClaims(actor Actor, ttl time.Duration, now time.Time) (jwt.MapClaims, error) {
	if actor.Org == "" {
		return nil, errors.New("new claims: org is empty")
	}
	if actor.Sub == "" {
		return nil, errors.New("new claims: sub is empty")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("new claims: ttl is %s, want a positive duration", ttl)
	}

	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, fmt.Errorf("new claims: generate jti: %w", err)
	}
	roles := actor.Roles
	if roles == nil {
		roles = []string{}
	}
	return jwt.MapClaims{
		"iss":   Issuer,
		"aud":   Audience,
		"sub":   actor.Sub,
		"org":   actor.Org,
		"roles": roles,
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(ttl).Unix(),
		"jti":   hex.EncodeToString(nonce[:]),
	}, nil
}
