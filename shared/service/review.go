package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// AcceptInput is the body of POST /links/{linkId}/accept.
type AcceptInput struct {
	Scopes []string `json:"scopes"`
}

// RejectInput is the body of POST /links/{linkId}/reject.
type RejectInput struct {
	Reason string `json:"reason"`
}

// maxReasonLength bounds a rejection reason.
const maxReasonLength = 500

// ListLinkRequests returns one page of a connector's pending, unexpired
// link requests.
func (s *Service) ListLinkRequests(ctx context.Context, p domain.Principal, connectorID string, page dynamo.Page) ([]domain.Link, string, error) {
	c, err := s.Store.GetConnector(ctx, connectorID)
	if err != nil {
		return nil, "", err
	}
	if err := domain.Authorize(p, domain.ListLinkRequests, connectorResource(c)); err != nil {
		return nil, "", err
	}
	return s.Store.ListPendingRequests(ctx, connectorID, dynamo.FormatTime(s.now()), page)
}

// AcceptLink accepts a pending link request with exactly the requested
// scopes. It generates the client credential, stages it at the Data Center
// instance, verifies it with a token request and only then marks the link
// connected. If the instance cannot be reached or refuses, the result is
// KindUpstream and the link stays pending with nothing written.
func (s *Service) AcceptLink(ctx context.Context, p domain.Principal, id string, in AcceptInput) (domain.Link, error) {
	if err := domain.CheckScopeCount(in.Scopes); err != nil {
		return domain.Link{}, err
	}
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return domain.Link{}, err
	}
	if err := domain.Authorize(p, domain.ReviewLink, linkResource(l)); err != nil {
		return domain.Link{}, err
	}
	now := s.now()
	if cur := l.Effective(now); cur.Status != domain.StatusPending {
		return domain.Link{}, domain.Conflict(cur, "link %s is %s: only a pending request can be accepted", id, cur.Status)
	}
	conn, err := s.Store.GetConnector(ctx, l.ConnectorID)
	if err != nil {
		return domain.Link{}, err
	}
	accepted, err := domain.CanonicalScopes(conn.Product, in.Scopes)
	if err != nil {
		return domain.Link{}, err
	}
	if missing, extra := domain.ScopeDiff(l.ScopesRequested, accepted); len(missing)+len(extra) > 0 {
		return domain.Link{}, &domain.Error{Kind: domain.KindUnprocessable,
			Detail: fmt.Sprintf("accepted scopes must equal the requested scopes %s", strings.Join(l.ScopesRequested, ", ")),
			Fields: []domain.FieldError{{Field: "scopes", Reason: "must equal the requested scopes"}},
			Extra:  map[string]any{"missing": missing, "extra": extra}}
	}

	target, err := s.target(ctx, conn)
	if err != nil {
		return domain.Link{}, err
	}
	cred, secret, err := s.newCredential(ctx, l.ID, 1, now)
	if err != nil {
		return domain.Link{}, err
	}
	if err := s.deliverAndVerify(ctx, target, l, cred, secret, accepted); err != nil {
		return domain.Link{}, err
	}

	done := s.now()
	e := s.event(l, domain.ActionAccept, p.Subject, domain.StatusPending, domain.StatusConnected, strings.Join(accepted, " "), done)
	if err := s.Store.AcceptLink(ctx, l, accepted, cred, done.Add(s.Config.RotationMaxAge), e); err != nil {
		// Lost a race with reject, delete or expiry: the staged credential
		// must not stay usable at the instance.
		s.revokeQuietly(ctx, target, l.ID, cred.ClientID)
		return domain.Link{}, s.effectiveConflict(err)
	}
	l.Status, l.ScopesAccepted, l.UpdatedAt = domain.StatusConnected, accepted, done
	l.Credential = &cred
	return l, nil
}

// deliverAndVerify stages cred at the instance and checks it with a token
// request. On failure it revokes what it staged, as far as it can.
func (s *Service) deliverAndVerify(ctx context.Context, t datacenter.Target, l domain.Link, cred domain.Credential, secret string, scopes []string) error {
	err := s.DataCenter.StageCredential(ctx, t, datacenter.StagedCredential{LinkID: l.ID, SiteID: l.SiteID,
		ClientID: cred.ClientID, ClientSecret: secret, Scopes: scopes, Version: cred.Version})
	if err == nil {
		_, err = s.DataCenter.RequestToken(ctx, t, cred.ClientID, secret, scopes)
	}
	if err != nil {
		s.revokeQuietly(ctx, t, l.ID, cred.ClientID)
		return err
	}
	return nil
}

// revokeQuietly revokes a credential that was never made current. If the
// instance cannot be reached, the revocation is queued for the rotation
// worker, which retries it. Only when that fails too is it left to the log.
func (s *Service) revokeQuietly(ctx context.Context, t datacenter.Target, linkID, clientID string) {
	err := s.DataCenter.RevokeCredential(ctx, t, linkID, clientID)
	if err == nil {
		return
	}
	s.Log.WarnContext(ctx, "revoke unused credential failed, queueing it", "link_id", linkID, "client_id", clientID, "error", err)
	if s.Queue == nil {
		return
	}
	msg := Message{Kind: MsgRevokeCredential, LinkID: linkID, ClientID: clientID, ConnectorID: t.ConnectorID}
	if err := s.Queue.Send(ctx, msg, 0); err != nil {
		s.Log.ErrorContext(ctx, "queue revocation of unused credential failed", "link_id", linkID, "client_id", clientID, "error", err)
	}
}

// RejectLink rejects a pending link request.
func (s *Service) RejectLink(ctx context.Context, p domain.Principal, id string, in RejectInput) (domain.Link, error) {
	reason := strings.TrimSpace(in.Reason)
	if len(reason) > maxReasonLength {
		return domain.Link{}, domain.Invalid("reason is longer than 500 bytes", domain.FieldError{Field: "reason", Reason: "at most 500 bytes"})
	}
	if err := checkText("reason", reason); err != nil {
		return domain.Link{}, err
	}
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return domain.Link{}, err
	}
	if err := domain.Authorize(p, domain.ReviewLink, linkResource(l)); err != nil {
		return domain.Link{}, err
	}
	now := s.now()
	if cur := l.Effective(now); cur.Status != domain.StatusPending {
		return domain.Link{}, domain.Conflict(cur, "link %s is %s: only a pending request can be rejected", id, cur.Status)
	}
	e := s.event(l, domain.ActionReject, p.Subject, domain.StatusPending, domain.StatusRejected, reason, now)
	if err := s.Store.RejectLink(ctx, l, reason, e); err != nil {
		return domain.Link{}, s.effectiveConflict(err)
	}
	l.Status, l.RejectReason, l.UpdatedAt = domain.StatusRejected, reason, now
	return l, nil
}

// effectiveConflict shows a conflict's current link as of now.
func (s *Service) effectiveConflict(err error) error {
	var e *domain.Error
	if errors.As(err, &e) && e.Kind == domain.KindConflict {
		if l, ok := e.Current.(domain.Link); ok {
			e.Current = l.Effective(s.now())
		}
	}
	return err
}
