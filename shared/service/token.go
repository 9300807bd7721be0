package service

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/metrics"
)

// TokenInput is the optional body of POST /links/{linkId}/token: a subset of
// the link's accepted scopes; empty means all of them.
type TokenInput struct {
	Scopes []string `json:"scopes"`
}

// AccessToken is the token broker's response, in OAuth 2.0 token response form.
type AccessToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// maxTokenLifetime bounds the expires_in the broker accepts from an
// instance, in seconds: one day.
const maxTokenLifetime = 24 * 60 * 60

// canonicalScopeList splits a space-separated OAuth scope string into the
// sorted, de-duplicated, upper-case form the link stores.
func canonicalScopeList(scope string) []string {
	out := strings.Fields(strings.ToUpper(scope))
	slices.Sort(out)
	return slices.Compact(out)
}

// tokenRefreshMargin is how long before its expiry a cached token is
// replaced, so a caller never receives a token about to expire.
const tokenRefreshMargin = 60 * time.Second

// RequestToken obtains an access token for the Data Center instance of a
// connected link with its current credential. Tokens are cached per link,
// credential and scope set until shortly before they expire.
func (s *Service) RequestToken(ctx context.Context, p domain.Principal, id string, in TokenInput) (AccessToken, error) {
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return AccessToken{}, err
	}
	if err := domain.Authorize(p, domain.RequestToken, linkResource(l)); err != nil {
		return AccessToken{}, err
	}
	if (l.Status != domain.StatusConnected && l.Status != domain.StatusRotating) || l.Credential == nil {
		cur := l.Effective(s.now())
		s.Metrics.TokenRequest(id, metrics.TokenConflict)
		return AccessToken{}, domain.Conflict(cur, "link %s is %s: tokens are issued only for connected links", id, cur.Status)
	}
	scopes := l.ScopesAccepted
	if len(in.Scopes) > 0 {
		if len(in.Scopes) > domain.MaxScopes {
			return AccessToken{}, domain.Invalid("too many scopes", domain.FieldError{Field: "scopes", Reason: "at most 32"})
		}
		scopes = make([]string, len(in.Scopes))
		for i, sc := range in.Scopes {
			scopes[i] = strings.ToUpper(strings.TrimSpace(sc))
		}
		slices.Sort(scopes)
		scopes = slices.Compact(scopes)
		if _, extra := domain.ScopeDiff(l.ScopesAccepted, scopes); len(extra) > 0 {
			return AccessToken{}, &domain.Error{Kind: domain.KindUnprocessable,
				Detail: "requested scopes exceed the link's accepted scopes " + strings.Join(l.ScopesAccepted, ", "),
				Fields: []domain.FieldError{{Field: "scopes", Reason: "must be a subset of the accepted scopes"}},
				Extra:  map[string]any{"extra": extra}}
		}
	}

	now := s.now()
	key := l.ID + "|" + l.Credential.ClientID + "|" + strings.Join(scopes, " ")
	if t, ok := s.tokens.get(key, now); ok {
		s.Metrics.TokenRequest(id, metrics.TokenCached)
		return t, nil
	}
	conn, err := s.Store.GetConnector(ctx, l.ConnectorID)
	if err != nil {
		return AccessToken{}, err
	}
	target, err := s.target(ctx, conn)
	if err != nil {
		return AccessToken{}, err
	}
	secret, err := s.openSecret(ctx, l.ID, l.Credential)
	if err != nil {
		return AccessToken{}, err
	}
	tok, err := s.DataCenter.RequestToken(ctx, target, l.Credential.ClientID, secret, scopes)
	if err != nil {
		if domain.IsKind(err, domain.KindUpstream) {
			s.Metrics.TokenRequest(id, metrics.TokenUpstreamError)
		}
		return AccessToken{}, err
	}
	// The instance's response is checked, not trusted: a token with more
	// scope than the link was accepted for is not passed on, and its
	// lifetime is bounded so the cache arithmetic cannot overflow.
	if _, extra := domain.ScopeDiff(scopes, canonicalScopeList(tok.Scope)); len(extra) > 0 {
		s.Metrics.TokenRequest(l.ID, metrics.TokenUpstreamError)
		return AccessToken{}, &domain.Error{Kind: domain.KindUpstream,
			Detail: "the Data Center instance issued a token with more scope than the link allows", Extra: map[string]any{"extra": extra}}
	}
	tok.ExpiresIn = min(max(tok.ExpiresIn, 0), maxTokenLifetime)
	out := AccessToken{AccessToken: tok.AccessToken, TokenType: tok.TokenType, ExpiresIn: tok.ExpiresIn, Scope: tok.Scope}
	if out.TokenType == "" {
		out.TokenType = "Bearer"
	}
	s.tokens.put(key, out, now.Add(time.Duration(tok.ExpiresIn)*time.Second))
	s.Metrics.TokenRequest(id, metrics.TokenOK)
	return out, nil
}

// tokenCache keeps access tokens in memory until tokenRefreshMargin before
// they expire. It holds at most max entries and drops expired ones first.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]cachedToken
}

type cachedToken struct {
	token     AccessToken
	expiresAt time.Time
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, entries: map[string]cachedToken{}}
}

func (c *tokenCache) get(key string, now time.Time) (AccessToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !now.Before(e.expiresAt.Add(-tokenRefreshMargin)) {
		return AccessToken{}, false
	}
	t := e.token
	t.ExpiresIn = int(e.expiresAt.Sub(now) / time.Second)
	return t, true
}

func (c *tokenCache) put(key string, t AccessToken, expiresAt time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		now := time.Now()
		for k, e := range c.entries {
			if now.After(e.expiresAt) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.max {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = cachedToken{token: t, expiresAt: expiresAt}
}
