package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// tombstoneRetention is how long a rejected, expired or deleted link stays
// readable before TTL may purge it.
const tombstoneRetention = 30 * 24 * time.Hour

func removePending(u expression.UpdateBuilder) expression.UpdateBuilder {
	return u.Remove(expression.Name(AttrPendingConnector)).Remove(expression.Name(AttrPendingExpiresAt))
}

func removeDue(u expression.UpdateBuilder) expression.UpdateBuilder {
	return u.Remove(expression.Name(AttrDueShard)).Remove(expression.Name(AttrDueAt))
}

func setDue(u expression.UpdateBuilder, linkID string, due time.Time) expression.UpdateBuilder {
	return u.Set(expression.Name(AttrDueShard), str(dueShard(linkID))).
		Set(expression.Name(AttrDueAt), str(formatTime(due)))
}

// notExpired holds while a pending request can still be accepted or rejected.
func notExpired(now time.Time) expression.ConditionBuilder {
	return expression.Name("requestExpiresAt").GreaterThan(str(formatTime(now)))
}

// AcceptLink makes a pending, unexpired link connected with its first
// credential, writing e in the same transaction. rotateAt is when the
// credential becomes due for rotation.
func (s *Store) AcceptLink(ctx context.Context, l domain.Link, scopes []string, cred domain.Credential, rotateAt time.Time, e domain.Event) error {
	u := expression.Set(expression.Name("status"), str(string(domain.StatusConnected))).
		Set(expression.Name("scopesAccepted"), expression.Value(scopes)).
		Set(expression.Name("credClientId"), str(cred.ClientID)).
		Set(expression.Name("credVersion"), expression.Value(cred.Version)).
		Set(expression.Name("credCreatedAt"), str(formatTime(cred.CreatedAt))).
		Set(expression.Name("credSecret"), expression.Value(cred.SecretCiphertext)).
		Set(expression.Name("updatedAt"), str(formatTime(e.At)))
	u = setDue(removePending(u), l.ID, rotateAt)
	return s.apply(ctx, linkChange{op: "accept", linkID: l.ID, update: u,
		cond:  statusIs(domain.StatusPending).And(notExpired(e.At)),
		extra: []types.TransactWriteItem{s.putEvent(e)}})
}

// RejectLink rejects a pending, unexpired link and releases its lock.
func (s *Store) RejectLink(ctx context.Context, l domain.Link, reason string, e domain.Event) error {
	u := expression.Set(expression.Name("status"), str(string(domain.StatusRejected))).
		Set(expression.Name("updatedAt"), str(formatTime(e.At))).
		Set(expression.Name(AttrTTL), expression.Value(e.At.Add(tombstoneRetention).Unix()))
	if reason != "" {
		u = u.Set(expression.Name("rejectReason"), str(reason))
	}
	return s.apply(ctx, linkChange{op: "reject", linkID: l.ID, update: removePending(u),
		cond:  statusIs(domain.StatusPending).And(notExpired(e.At)),
		extra: []types.TransactWriteItem{s.releaseLock(l), s.countLiveLinks(l.ConnectorID, -1), s.putEvent(e)}})
}

// ExpireLink marks a pending link past its expiry EXPIRED and releases its lock.
func (s *Store) ExpireLink(ctx context.Context, l domain.Link, e domain.Event) error {
	u := expression.Set(expression.Name("status"), str(string(domain.StatusExpired))).
		Set(expression.Name("updatedAt"), str(formatTime(e.At))).
		Set(expression.Name(AttrTTL), expression.Value(e.At.Add(tombstoneRetention).Unix()))
	return s.apply(ctx, linkChange{op: "expire", linkID: l.ID, update: removePending(u),
		cond:  statusIs(domain.StatusPending).And(expression.Name("requestExpiresAt").LessThanEqual(str(formatTime(e.At)))),
		extra: []types.TransactWriteItem{s.releaseLock(l), s.countLiveLinks(l.ConnectorID, -1), s.putEvent(e)}})
}

// DeleteLink turns a live link into a tombstone and releases its lock. The
// tombstone keeps the client ids, marked revokePending, until the rotation
// worker has revoked them at the instance. Until then the link still counts
// as live for its connector, so the connector cannot be deleted while it
// still has credentials to revoke. A running rotation is marked FAILED.
func (s *Store) DeleteLink(ctx context.Context, l domain.Link, e domain.Event) error {
	u := expression.Set(expression.Name("status"), str(string(domain.StatusDeleted))).
		Set(expression.Name("updatedAt"), str(formatTime(e.At))).
		Set(expression.Name("revokePending"), expression.Value(true)).
		Set(expression.Name(AttrTTL), expression.Value(e.At.Add(tombstoneRetention).Unix()))
	if l.Rotation != nil && l.Rotation.State == domain.RotationRunning {
		u = u.Set(expression.Name("rotState"), str(string(domain.RotationFailed))).
			Set(expression.Name("rotLastError"), str("link deleted")).
			Set(expression.Name("rotFinishedAt"), str(formatTime(e.At)))
	}
	live := expression.Name("status").In(str(string(domain.StatusPending)),
		str(string(domain.StatusConnected)), str(string(domain.StatusRotating)))
	return s.apply(ctx, linkChange{op: "delete", linkID: l.ID, update: removeDue(removePending(u)),
		cond:  live,
		extra: []types.TransactWriteItem{s.releaseLock(l), s.putEvent(e)}})
}

// FinishDeletion drops the secrets of a deleted link once its credentials
// are revoked, and stops counting the link as live for its connector. It
// applies once: a second call finds no revokePending mark and is
// KindConflict.
func (s *Store) FinishDeletion(ctx context.Context, l domain.Link) error {
	u := expression.Remove(expression.Name("revokePending")).
		Remove(expression.Name("credSecret")).
		Remove(expression.Name("prevSecret")).
		Remove(expression.Name("rotSecret"))
	cond := statusIs(domain.StatusDeleted).And(expression.AttributeExists(expression.Name("revokePending")))
	return s.apply(ctx, linkChange{op: "finish deletion", linkID: l.ID, update: u, cond: cond,
		extra: []types.TransactWriteItem{s.countLiveLinks(l.ConnectorID, -1)}})
}
