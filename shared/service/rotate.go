package service

import (
	"context"
	"errors"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// RotateLink starts a credential rotation of a connected link and queues
// it. During a running rotation it returns that rotation and queues it
// again, which is harmless because every step is idempotent.
func (s *Service) RotateLink(ctx context.Context, p domain.Principal, id string) (domain.Link, error) {
	l, err := s.Store.GetLink(ctx, id)
	if err != nil {
		return domain.Link{}, err
	}
	if err := domain.Authorize(p, domain.RotateLink, linkResource(l)); err != nil {
		return domain.Link{}, err
	}
	return s.startRotation(ctx, l, p.Subject)
}

func (s *Service) startRotation(ctx context.Context, l domain.Link, actor string) (domain.Link, error) {
	if l.Status == domain.StatusConnected {
		now := s.now()
		r := domain.Rotation{ID: domain.NewID(domain.PrefixRotation, now), State: domain.RotationRunning,
			Step: domain.StepRequested, RequestedBy: actor, StartedAt: now}
		e := s.event(l, domain.ActionRotateStart, actor, domain.StatusConnected, domain.StatusRotating, r.ID, now)
		err := s.Store.StartRotation(ctx, l.ID, r, e)
		var de *domain.Error
		switch {
		case err == nil:
			l.Status, l.Rotation, l.UpdatedAt = domain.StatusRotating, &r, now
			s.Metrics.RotationStarted(l.ID, r.ID)
		case errors.As(err, &de) && de.Kind == domain.KindConflict:
			l, _ = de.Current.(domain.Link)
		default:
			return domain.Link{}, err
		}
	}
	if l.Status != domain.StatusRotating || l.Rotation == nil || l.Rotation.State != domain.RotationRunning {
		cur := l.Effective(s.now())
		return domain.Link{}, domain.Conflict(cur, "link %s is %s: only a connected link can be rotated", l.ID, cur.Status)
	}
	if err := s.Queue.Send(ctx, Message{Kind: MsgRotate, LinkID: l.ID, RotationID: l.Rotation.ID}, 0); err != nil {
		return domain.Link{}, err
	}
	return l, nil
}
