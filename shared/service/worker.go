package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// RetryError wraps a failure the rotation worker retries: the message is
// reported as failed after its visibility is set to Backoff.
type RetryError struct {
	Backoff time.Duration
	Err     error
}

func (e *RetryError) Error() string { return fmt.Sprintf("retry in %s: %v", e.Backoff, e.Err) }
func (e *RetryError) Unwrap() error { return e.Err }

// backoff returns the visibility delay before delivery attempt+1:
// RetryBaseDelay doubling per attempt, at most 5 minutes.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.Config.RetryBaseDelay
	for i := 1; i < attempt && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// HandleMessage carries out one rotation-queue message. receiveCount is the
// message's delivery count (SQS ApproximateReceiveCount). A nil result
// means the message is done, including when it is stale, duplicate or about
// a deleted link. A *RetryError means it should be retried.
func (s *Service) HandleMessage(ctx context.Context, m Message, receiveCount int) error {
	if !domain.ValidID(domain.PrefixLink, m.LinkID) {
		return fmt.Errorf("message has an invalid linkId %q", m.LinkID)
	}
	switch m.Kind {
	case MsgRotate:
		if !domain.ValidID(domain.PrefixRotation, m.RotationID) {
			return fmt.Errorf("rotate message has an invalid rotationId %q", m.RotationID)
		}
		return s.rotate(ctx, m, receiveCount)
	case MsgRevokePrevious:
		return s.revokePrevious(ctx, m, receiveCount)
	case MsgRevokeCredential:
		return s.revokeCredential(ctx, m, receiveCount)
	case MsgRevokeLink:
		return s.revokeLink(ctx, m, receiveCount)
	default:
		return fmt.Errorf("unknown message kind %q", m.Kind)
	}
}

// rotate advances rotation m.RotationID step by step until it is promoted.
// Each step is a conditional write on the step before it, so a duplicate or
// reordered message re-reads the link and continues from its current step.
func (s *Service) rotate(ctx context.Context, m Message, receiveCount int) error {
	for range 10 {
		l, err := s.Store.GetLink(ctx, m.LinkID)
		if domain.IsKind(err, domain.KindNotFound) {
			return nil
		}
		if err != nil {
			return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
		}
		r := l.Rotation
		if l.Status != domain.StatusRotating || r == nil || r.ID != m.RotationID || r.State != domain.RotationRunning || l.Credential == nil {
			return nil // deleted, finished, failed or superseded: nothing to do
		}
		err = s.rotationStep(ctx, l)
		if domain.IsKind(err, domain.KindConflict) || domain.IsKind(err, domain.KindNotFound) {
			continue // another delivery moved the rotation: re-read
		}
		if err == errRotationDone {
			return nil
		}
		if err != nil {
			return s.rotationFailed(ctx, l, err, receiveCount)
		}
	}
	return &RetryError{Backoff: s.backoff(receiveCount), Err: fmt.Errorf("rotation %s of link %s made no progress", m.RotationID, m.LinkID)}
}

var errRotationDone = errors.New("rotation promoted")

// rotationStep performs the step after l's current one.
func (s *Service) rotationStep(ctx context.Context, l domain.Link) error {
	r := l.Rotation
	switch r.Step {
	case domain.StepRequested:
		cred, _, err := s.newCredential(ctx, l.ID, l.Credential.Version+1, s.now())
		if err != nil {
			return err
		}
		return s.Store.StageRotation(ctx, l.ID, r.ID, cred)
	case domain.StepStaged, domain.StepDelivered:
		target, secret, err := s.pendingCredential(ctx, l)
		if err != nil {
			return err
		}
		if r.Step == domain.StepStaged {
			err = s.DataCenter.StageCredential(ctx, target, datacenter.StagedCredential{LinkID: l.ID, SiteID: l.SiteID,
				ClientID: r.Pending.ClientID, ClientSecret: secret, Scopes: l.ScopesAccepted, Version: r.Pending.Version})
			if err != nil {
				return err
			}
			return s.Store.AdvanceRotation(ctx, l.ID, r.ID, domain.StepStaged, domain.StepDelivered)
		}
		if _, err := s.DataCenter.RequestToken(ctx, target, r.Pending.ClientID, secret, l.ScopesAccepted); err != nil {
			return err
		}
		return s.Store.AdvanceRotation(ctx, l.ID, r.ID, domain.StepDelivered, domain.StepVerified)
	case domain.StepVerified:
		now := s.now()
		revokeAt := now.Add(s.Config.GracePeriod)
		e := s.event(l, domain.ActionRotatePromote, "rotation", domain.StatusRotating, domain.StatusConnected,
			fmt.Sprintf("%s: credential version %d", r.ID, l.Credential.Version+1), now)
		if err := s.Store.PromoteRotation(ctx, l, now.Add(s.Config.RotationMaxAge), revokeAt, e); err != nil {
			return err
		}
		s.Log.InfoContext(ctx, "rotation completed", "link_id", l.ID, "rotation_id", r.ID,
			"credential_version", l.Credential.Version+1, "duration_ms", now.Sub(r.StartedAt).Milliseconds())
		s.Metrics.RotationCompleted(l.ID, r.ID, now.Sub(r.StartedAt))
		msg := Message{Kind: MsgRevokePrevious, LinkID: l.ID, ClientID: l.Credential.ClientID, ConnectorID: l.ConnectorID}
		if err := s.Queue.Send(ctx, msg, s.Config.GracePeriod); err != nil {
			// The replaced credential stays recorded as previous; the next
			// promote queues its revocation (below), and deleting the link
			// revokes it too.
			s.Log.ErrorContext(ctx, "queue revocation of previous credential failed", "link_id", l.ID, "client_id", l.Credential.ClientID, "error", err)
		}
		if old := l.Previous; old != nil {
			// The promote overwrote a previous credential that was not yet
			// revoked, for example because its message reached the
			// dead-letter queue: revoke it when its own grace period ends.
			wait := time.Duration(0)
			if l.RevokePreviousAt != nil {
				wait = max(0, l.RevokePreviousAt.Sub(now))
			}
			msg := Message{Kind: MsgRevokeCredential, LinkID: l.ID, ClientID: old.ClientID, ConnectorID: l.ConnectorID}
			if err := s.Queue.Send(ctx, msg, wait); err != nil {
				s.Log.ErrorContext(ctx, "queue revocation of overwritten credential failed", "link_id", l.ID, "client_id", old.ClientID, "error", err)
			}
		}
		return errRotationDone
	default:
		return errRotationDone
	}
}

func (s *Service) pendingCredential(ctx context.Context, l domain.Link) (datacenter.Target, string, error) {
	conn, err := s.Store.GetConnector(ctx, l.ConnectorID)
	if err != nil {
		return datacenter.Target{}, "", err
	}
	target, err := s.target(ctx, conn)
	if err != nil {
		return datacenter.Target{}, "", err
	}
	secret, err := s.openSecret(ctx, l.ID, l.Rotation.Pending)
	if err != nil {
		return datacenter.Target{}, "", err
	}
	return target, secret, nil
}

// rotationFailed records a failed step. Before the last attempt the
// rotation stays running and the message is retried with backoff. At the
// last attempt the rotation is marked FAILED with the error, the link stays
// connected on its current credential, and the new credential is revoked.
func (s *Service) rotationFailed(ctx context.Context, l domain.Link, cause error, receiveCount int) error {
	r := l.Rotation
	reason := domain.Describe(cause)
	// An instance that refuses (a 4xx other than 408, 425 or 429) refuses
	// again on every attempt, so the rotation fails at once.
	permanent := domain.IsKind(cause, domain.KindUpstream) && !datacenter.Retryable(cause)
	if receiveCount < s.Config.MaxAttempts && !permanent {
		if err := s.Store.RecordRotationAttempt(ctx, l.ID, r.ID, receiveCount, reason); err != nil && !domain.IsKind(err, domain.KindConflict) {
			s.Log.WarnContext(ctx, "record rotation attempt failed", "link_id", l.ID, "rotation_id", r.ID, "error", err)
		}
		s.Log.WarnContext(ctx, "rotation step failed, retrying", "link_id", l.ID, "rotation_id", r.ID,
			"step", r.Step, "attempt", receiveCount, "error", cause)
		return &RetryError{Backoff: s.backoff(receiveCount), Err: cause}
	}

	now := s.now()
	e := s.event(l, domain.ActionRotateFail, "rotation", domain.StatusRotating, domain.StatusConnected, r.ID+": "+reason, now)
	// Retry by schedule a day later unless an admin starts one sooner.
	err := s.Store.FailRotation(ctx, l.ID, r.ID, reason, receiveCount, now.Add(24*time.Hour), e)
	if domain.IsKind(err, domain.KindConflict) || domain.IsKind(err, domain.KindNotFound) {
		return nil
	}
	if err != nil {
		return &RetryError{Backoff: s.backoff(receiveCount), Err: err}
	}
	s.Log.ErrorContext(ctx, "rotation failed", "link_id", l.ID, "rotation_id", r.ID, "step", r.Step,
		"attempts", receiveCount, "error", cause)
	s.Metrics.RotationFailed(l.ID, r.ID)
	if r.Pending != nil {
		msg := Message{Kind: MsgRevokeCredential, LinkID: l.ID, ClientID: r.Pending.ClientID, ConnectorID: l.ConnectorID}
		if err := s.Queue.Send(ctx, msg, 0); err != nil {
			s.Log.ErrorContext(ctx, "queue revocation of failed rotation's credential failed", "link_id", l.ID, "client_id", r.Pending.ClientID, "error", err)
		}
	}
	return nil
}
