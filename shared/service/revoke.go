package service

import (
	"context"
	"fmt"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// revokePrevious revokes the credential a rotation replaced once its grace
// period is over. A credential that is current or pending again is never
// revoked.
func (s *Service) revokePrevious(ctx context.Context, m Message, receiveCount int) error {
	l, err := s.Store.GetLink(ctx, m.LinkID)
	if domain.IsKind(err, domain.KindNotFound) {
		return nil
	}
	if err != nil {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	if inUse(l, m.ClientID) {
		return nil
	}
	if l.Previous != nil && l.Previous.ClientID == m.ClientID && l.RevokePreviousAt != nil {
		if wait := l.RevokePreviousAt.Sub(s.now()); wait > 0 {
			// Grace periods longer than SQS's maximum delay take several hops.
			if err := s.Queue.Send(ctx, m, wait); err != nil {
				return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
			}
			return nil
		}
	}
	if err := s.revokeAt(ctx, l.ConnectorID, l.ID, m.ClientID); err != nil {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	if err := s.Store.ClearPrevious(ctx, l.ID, m.ClientID); err != nil && !domain.IsKind(err, domain.KindConflict) && !domain.IsKind(err, domain.KindNotFound) {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	s.Log.InfoContext(ctx, "previous credential revoked", "link_id", l.ID, "client_id", m.ClientID)
	return nil
}

// revokeCredential revokes a credential that never became current.
func (s *Service) revokeCredential(ctx context.Context, m Message, receiveCount int) error {
	l, err := s.Store.GetLink(ctx, m.LinkID)
	if err != nil && !domain.IsKind(err, domain.KindNotFound) {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	connectorID := m.ConnectorID
	if err == nil {
		if inUse(l, m.ClientID) {
			return nil
		}
		connectorID = l.ConnectorID
	}
	if err := s.revokeAt(ctx, connectorID, m.LinkID, m.ClientID); err != nil {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	return nil
}

// revokeLink revokes every credential a deleted link still names, then drops
// the link's secrets.
func (s *Service) revokeLink(ctx context.Context, m Message, receiveCount int) error {
	l, err := s.Store.GetLink(ctx, m.LinkID)
	if domain.IsKind(err, domain.KindNotFound) {
		return nil
	}
	if err != nil {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	if l.Status != domain.StatusDeleted {
		return nil
	}
	for _, c := range []*domain.Credential{l.Credential, l.Previous, pendingOf(l)} {
		if c == nil {
			continue
		}
		if err := s.revokeAt(ctx, l.ConnectorID, l.ID, c.ClientID); err != nil {
			return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
		}
	}
	if err := s.Store.FinishDeletion(ctx, l); err != nil && !domain.IsKind(err, domain.KindNotFound) && !domain.IsKind(err, domain.KindConflict) {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	s.Log.InfoContext(ctx, "credentials of deleted link revoked", "link_id", l.ID)
	return nil
}

// revokeAt revokes clientID at the connector's instance. A connector that no
// longer exists has no instance left to call, so there is nothing to revoke.
func (s *Service) revokeAt(ctx context.Context, connectorID, linkID, clientID string) error {
	if clientID == "" {
		return nil
	}
	conn, err := s.Store.GetConnector(ctx, connectorID)
	if domain.IsKind(err, domain.KindNotFound) {
		// A connector is deleted only once none of its links has credentials
		// left to revoke, so this is a credential that was never delivered.
		s.Log.WarnContext(ctx, "connector not found, credential not revoked", "connector_id", connectorID, "link_id", linkID, "client_id", clientID)
		return nil
	}
	if err != nil {
		return err
	}
	target, err := s.target(ctx, conn)
	if err != nil {
		return err
	}
	if err := s.DataCenter.RevokeCredential(ctx, target, linkID, clientID); err != nil {
		return fmt.Errorf("revoke %s of link %s: %w", clientID, linkID, err)
	}
	return nil
}

// inUse reports whether clientID is the current or the pending credential of
// a live link.
func inUse(l domain.Link, clientID string) bool {
	if !l.Status.Live() {
		return false
	}
	if l.Credential != nil && l.Credential.ClientID == clientID {
		return true
	}
	p := pendingOf(l)
	return p != nil && p.ClientID == clientID
}

func pendingOf(l domain.Link) *domain.Credential {
	if l.Rotation == nil {
		return nil
	}
	return l.Rotation.Pending
}
