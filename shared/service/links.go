package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// LinkInput is the body of POST /links.
type LinkInput struct {
	SiteID      string   `json:"siteId"`
	ConnectorID string   `json:"connectorId"`
	Scopes      []string `json:"scopes"`
}

// Created is the outcome of a create request: the status and JSON body to
// return, so that a replay with the same Idempotency-Key returns exactly
// the first response.
type Created struct {
	Status   int
	Body     json.RawMessage
	Location string
	Replayed bool
}

// idempotencyRetention is how long the first response to an Idempotency-Key is kept.
const idempotencyRetention = 24 * time.Hour

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 128

// CreateLink creates a pending link request from a site to a connector.
// With an idempotency key, a replay of the same request returns the first
// response, and the same key with another request is KindUnprocessable.
func (s *Service) CreateLink(ctx context.Context, p domain.Principal, in LinkInput, idemKey string) (Created, error) {
	if !domain.ValidSiteID(in.SiteID) {
		return Created{}, domain.Invalid("invalid siteId", domain.FieldError{Field: "siteId", Reason: "1 to 64 letters, digits, '-', '_' or '.'"})
	}
	if !domain.ValidID(domain.PrefixConnector, in.ConnectorID) {
		return Created{}, domain.Invalid("invalid connectorId", domain.FieldError{Field: "connectorId", Reason: "must be con_ followed by a ULID"})
	}
	if err := checkIdempotencyKey(idemKey); err != nil {
		return Created{}, err
	}
	if err := domain.CheckScopeCount(in.Scopes); err != nil {
		return Created{}, err
	}
	site, err := s.Store.GetSite(ctx, in.SiteID)
	if err != nil {
		return Created{}, err
	}
	if err := domain.Authorize(p, domain.CreateLink, domain.Resource{Kind: "site", ID: site.ID, OrgID: site.OrgID, SiteID: site.ID}); err != nil {
		return Created{}, err
	}
	conn, err := s.Store.GetConnector(ctx, in.ConnectorID)
	if err != nil {
		return Created{}, err
	}
	if conn.OrgID != site.OrgID {
		return Created{}, domain.NotFound("connector", in.ConnectorID)
	}
	scopes, err := domain.CanonicalScopes(conn.Product, in.Scopes)
	if err != nil {
		return Created{}, err
	}
	hash := requestHash(site.ID, conn.ID, scopes)

	if idemKey != "" {
		if c, done, err := s.replay(ctx, idempotencyActor(p), idemKey, hash); done || err != nil {
			return c, err
		}
	}
	for attempt := 0; ; attempt++ {
		c, err := s.insertLink(ctx, p, site, conn, scopes, idemKey, hash)
		switch {
		case errors.Is(err, dynamo.ErrIdempotencyKeyUsed):
			if c, done, err := s.replay(ctx, idempotencyActor(p), idemKey, hash); done || err != nil {
				return c, err
			}
		case errors.Is(err, dynamo.ErrPairTaken):
			// A live holder is a conflict; an expired one is expired here
			// and the create is tried again.
			if err := s.freePair(ctx, err); err != nil {
				return Created{}, err
			}
		default:
			return c, err
		}
		if attempt >= 4 {
			return Created{}, domain.Errorf(domain.KindConflict, "site %s and connector %s are being linked by concurrent requests, retry", site.ID, conn.ID)
		}
	}
}

func (s *Service) insertLink(ctx context.Context, p domain.Principal, site domain.Site, conn domain.Connector, scopes []string, idemKey, hash string) (Created, error) {
	now := s.now()
	l := domain.Link{ID: domain.NewID(domain.PrefixLink, now), OrgID: site.OrgID, SiteID: site.ID, ConnectorID: conn.ID,
		Status: domain.StatusPending, ScopesRequested: scopes, RequestExpiresAt: now.Add(s.Config.RequestTTL),
		CreatedAt: now, CreatedBy: p.Subject, UpdatedAt: now}
	body, err := json.Marshal(l)
	if err != nil {
		return Created{}, fmt.Errorf("encode link %s: %w", l.ID, err)
	}
	c := Created{Status: 201, Body: body, Location: "/links/" + l.ID}
	var idem *dynamo.Idempotency
	if idemKey != "" {
		idem = &dynamo.Idempotency{Actor: idempotencyActor(p), Key: idemKey, RequestHash: hash, Status: c.Status, Body: body,
			Location: c.Location, CreatedAt: now, ExpiresAt: now.Add(idempotencyRetention)}
	}
	e := s.event(l, domain.ActionCreate, p.Subject, "", domain.StatusPending, strings.Join(scopes, " "), now)
	if err := s.Store.CreateLink(ctx, l, e, idem); err != nil {
		return Created{}, err
	}
	return c, nil
}

// replay returns the stored response for an idempotency key, if any.
func (s *Service) replay(ctx context.Context, actor, key, hash string) (Created, bool, error) {
	rec, ok, err := s.Store.GetIdempotency(ctx, actor, key, s.now())
	if err != nil || !ok {
		return Created{}, false, err
	}
	if rec.RequestHash != hash {
		return Created{}, true, &domain.Error{Kind: domain.KindUnprocessable,
			Detail: "this Idempotency-Key was already used with a different request; use a new key",
			Fields: []domain.FieldError{{Field: "Idempotency-Key", Reason: "reused with a different body"}}}
	}
	return Created{Status: rec.Status, Body: rec.Body, Location: rec.Location, Replayed: true}, true, nil
}

// freePair handles a taken (site, connector) pair. A pending request past its
// expiry is expired, so the caller can retry. A live link is KindConflict
// carrying that link.
func (s *Service) freePair(ctx context.Context, pairErr error) error {
	var pt *dynamo.PairTakenError
	if !errors.As(pairErr, &pt) || pt.LinkID == "" {
		return nil
	}
	l, err := s.Store.GetLink(ctx, pt.LinkID)
	if domain.IsKind(err, domain.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	if l.Effective(now).Status != domain.StatusExpired {
		return domain.Conflict(l.Effective(now), "site %s already has link %s to connector %s", l.SiteID, l.ID, l.ConnectorID)
	}
	e := s.event(l, domain.ActionExpire, "system", domain.StatusPending, domain.StatusExpired, "", now)
	if err := s.Store.ExpireLink(ctx, l, e); err != nil && !domain.IsKind(err, domain.KindConflict) {
		return err
	}
	return nil
}

// idempotencyActor scopes Idempotency-Key values to one caller: the same
// subject in two organizations is two callers.
func idempotencyActor(p domain.Principal) string {
	return p.OrgID + "\x00" + p.Subject
}

func requestHash(siteID, connectorID string, scopes []string) string {
	h := sha256.Sum256([]byte(siteID + "\n" + connectorID + "\n" + strings.Join(scopes, " ")))
	return hex.EncodeToString(h[:])
}

func checkIdempotencyKey(k string) error {
	if len(k) > maxIdempotencyKey {
		return domain.Invalid("Idempotency-Key is longer than 128 characters", domain.FieldError{Field: "Idempotency-Key", Reason: "at most 128 characters"})
	}
	for _, r := range k {
		if r < 0x21 || r > 0x7e {
			return domain.Invalid("Idempotency-Key must be printable ASCII without spaces", domain.FieldError{Field: "Idempotency-Key", Reason: "printable ASCII"})
		}
	}
	return nil
}

// GetLink returns a link the caller may view, as of now.
func (s *Service) GetLink(ctx context.Context, p domain.Principal, id string) (domain.Link, error) {
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return domain.Link{}, err
	}
	if err := domain.Authorize(p, domain.ViewLink, linkResource(l)); err != nil {
		return domain.Link{}, err
	}
	return l.Effective(s.now()), nil
}

// ListLinks returns one page of the links the caller may list: an org admin
// lists the organization's links, a site admin those of a site it names.
func (s *Service) ListLinks(ctx context.Context, p domain.Principal, siteID string, statuses []domain.Status, page dynamo.Page) ([]domain.Link, string, error) {
	if siteID != "" && !domain.ValidSiteID(siteID) {
		return nil, "", domain.Invalid("invalid siteId", domain.FieldError{Field: "siteId", Reason: "1 to 64 letters, digits, '-', '_' or '.'"})
	}
	if siteID == "" && !p.Has(domain.RoleOrgAdmin, "") {
		return nil, "", domain.Errorf(domain.KindForbidden, "%s may list links only of a site it administers: pass siteId", p.Subject)
	}
	if err := domain.Authorize(p, domain.ListLinks, domain.Resource{Kind: "site", ID: siteID, OrgID: p.OrgID, SiteID: siteID}); err != nil {
		return nil, "", err
	}
	// Statuses are stored without the lazy expiry, so PENDING also matches
	// expired requests and EXPIRED matches both; Effective fixes the result.
	query := statuses
	if containsStatus(statuses, domain.StatusExpired) && !containsStatus(statuses, domain.StatusPending) {
		query = append(append([]domain.Status{}, statuses...), domain.StatusPending)
	}
	links, next, err := s.Store.ListLinks(ctx, p.OrgID, siteID, query, page)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	out := links[:0]
	for _, l := range links {
		l = l.Effective(now)
		if len(statuses) == 0 || containsStatus(statuses, l.Status) {
			out = append(out, l)
		}
	}
	return out, next, nil
}

func containsStatus(list []domain.Status, s domain.Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ListEvents returns one page of a link's audit trail.
func (s *Service) ListEvents(ctx context.Context, p domain.Principal, id string, page dynamo.Page) ([]domain.Event, string, error) {
	if _, err := s.GetLink(ctx, p, id); err != nil {
		return nil, "", err
	}
	return s.Store.ListEvents(ctx, id, page)
}

func linkResource(l domain.Link) domain.Resource {
	return domain.Resource{Kind: "link", ID: l.ID, OrgID: l.OrgID, SiteID: l.SiteID, ConnectorID: l.ConnectorID}
}
