package service

import (
	"context"
	"errors"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// DeleteLink deletes a live link and queues the revocation of its
// credentials at the Data Center instance. Deleting a link that is already
// deleted succeeds again and queues the revocation again, so a retry after
// a failed enqueue completes the work.
func (s *Service) DeleteLink(ctx context.Context, p domain.Principal, id string) error {
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return err
	}
	if err := domain.Authorize(p, domain.DeleteLink, linkResource(l)); err != nil {
		return err
	}
	now := s.now()
	if cur := l.Effective(now); cur.Status == domain.StatusExpired || cur.Status == domain.StatusRejected {
		return domain.Conflict(cur, "link %s is %s: only a live link can be deleted", id, cur.Status)
	}
	if l.Status != domain.StatusDeleted {
		e := s.event(l, domain.ActionDelete, p.Subject, l.Status, domain.StatusDeleted, "", now)
		err := s.Store.DeleteLink(ctx, l, e)
		var de *domain.Error
		if errors.As(err, &de) && de.Kind == domain.KindConflict {
			cur, _ := de.Current.(domain.Link)
			if cur.Status != domain.StatusDeleted {
				return s.effectiveConflict(err)
			}
		} else if err != nil {
			return err
		}
	}
	return s.Queue.Send(ctx, Message{Kind: MsgRevokeLink, LinkID: id, ConnectorID: l.ConnectorID}, 0)
}
