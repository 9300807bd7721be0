package dynamo

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// dueShard spreads links over DueShards partitions of the rotation-due index.
func dueShard(linkID string) string {
	h := fnv.New32a()
	h.Write([]byte(linkID))
	return "due#" + strconv.Itoa(int(h.Sum32()%DueShards))
}

func rotationIs(id string) expression.ConditionBuilder {
	return expression.Name("rotId").Equal(str(id))
}

// StartRotation moves a connected link to ROTATING with a new running
// rotation r and takes it out of the rotation-due index. A link that is not
// connected is KindConflict with the current link.
func (s *Store) StartRotation(ctx context.Context, linkID string, r domain.Rotation, e domain.Event) error {
	u := expression.Set(expression.Name("status"), str(string(domain.StatusRotating))).
		Set(expression.Name("rotId"), str(r.ID)).
		Set(expression.Name("rotState"), str(string(domain.RotationRunning))).
		Set(expression.Name("rotStep"), str(string(domain.StepRequested))).
		Set(expression.Name("rotAttempts"), expression.Value(0)).
		Set(expression.Name("rotRequestedBy"), str(r.RequestedBy)).
		Set(expression.Name("rotStartedAt"), str(formatTime(r.StartedAt))).
		Set(expression.Name("updatedAt"), str(formatTime(e.At))).
		Remove(expression.Name("rotLastError")).
		Remove(expression.Name("rotFinishedAt")).
		Remove(expression.Name("rotClientId")).
		Remove(expression.Name("rotSecret")).
		Remove(expression.Name("rotCreatedAt"))
	return s.apply(ctx, linkChange{op: "rotate", linkID: linkID, update: removeDue(u),
		cond: statusIs(domain.StatusConnected), extra: []types.TransactWriteItem{s.putEvent(e)}})
}

// StageRotation stores the new credential of rotation rotationID, sealed.
// It applies only while the rotation is running at step REQUESTED, so a
// duplicate message cannot replace a staged credential.
func (s *Store) StageRotation(ctx context.Context, linkID, rotationID string, cred domain.Credential) error {
	u := expression.Set(expression.Name("rotClientId"), str(cred.ClientID)).
		Set(expression.Name("rotSecret"), expression.Value(cred.SecretCiphertext)).
		Set(expression.Name("rotCreatedAt"), str(formatTime(cred.CreatedAt))).
		Set(expression.Name("rotStep"), str(string(domain.StepStaged)))
	return s.apply(ctx, linkChange{op: "stage credential", linkID: linkID, update: u,
		cond: s.runningAt(rotationID, domain.StepRequested)})
}

// AdvanceRotation records that rotation rotationID finished step to after
// step from.
func (s *Store) AdvanceRotation(ctx context.Context, linkID, rotationID string, from, to domain.RotationStep) error {
	u := expression.Set(expression.Name("rotStep"), str(string(to)))
	return s.apply(ctx, linkChange{op: "advance rotation", linkID: linkID, update: u,
		cond: s.runningAt(rotationID, from)})
}

// RecordRotationAttempt stores the attempt count and last error of a
// running rotation, so a retrying rotation shows why it is retrying.
func (s *Store) RecordRotationAttempt(ctx context.Context, linkID, rotationID string, attempts int, lastError string) error {
	u := expression.Set(expression.Name("rotAttempts"), expression.Value(attempts)).
		Set(expression.Name("rotLastError"), str(lastError))
	return s.apply(ctx, linkChange{op: "record rotation attempt", linkID: linkID, update: u,
		cond: statusIs(domain.StatusRotating).And(rotationIs(rotationID))})
}

func (s *Store) runningAt(rotationID string, step domain.RotationStep) expression.ConditionBuilder {
	return statusIs(domain.StatusRotating).And(rotationIs(rotationID)).
		And(expression.Name("rotStep").Equal(str(string(step))))
}

// PromoteRotation makes the verified pending credential of l's rotation
// current and keeps the old one as previous until revokePreviousAt. l is the
// link as read at step VERIFIED; the write applies only if the rotation and
// the current credential version are still those of l.
func (s *Store) PromoteRotation(ctx context.Context, l domain.Link, rotateAt, revokePreviousAt time.Time, e domain.Event) error {
	r, cur := l.Rotation, l.Credential
	if r == nil || r.Pending == nil || cur == nil {
		return fmt.Errorf("promote rotation of link %s: no pending or current credential", l.ID)
	}
	u := expression.Set(expression.Name("status"), str(string(domain.StatusConnected))).
		Set(expression.Name("prevClientId"), str(cur.ClientID)).
		Set(expression.Name("prevVersion"), expression.Value(cur.Version)).
		Set(expression.Name("prevCreatedAt"), str(formatTime(cur.CreatedAt))).
		Set(expression.Name("prevSecret"), expression.Value(cur.SecretCiphertext)).
		Set(expression.Name("revokePreviousAt"), str(formatTime(revokePreviousAt))).
		Set(expression.Name("credClientId"), str(r.Pending.ClientID)).
		Set(expression.Name("credVersion"), expression.Value(cur.Version+1)).
		Set(expression.Name("credCreatedAt"), str(formatTime(r.Pending.CreatedAt))).
		Set(expression.Name("credSecret"), expression.Value(r.Pending.SecretCiphertext)).
		Set(expression.Name("rotStep"), str(string(domain.StepPromoted))).
		Set(expression.Name("rotState"), str(string(domain.RotationCompleted))).
		Set(expression.Name("rotFinishedAt"), str(formatTime(e.At))).
		Set(expression.Name("updatedAt"), str(formatTime(e.At))).
		Remove(expression.Name("rotClientId")).
		Remove(expression.Name("rotSecret")).
		Remove(expression.Name("rotCreatedAt")).
		Remove(expression.Name("rotLastError"))
	cond := s.runningAt(r.ID, domain.StepVerified).
		And(expression.Name("credVersion").Equal(expression.Value(cur.Version)))
	return s.apply(ctx, linkChange{op: "promote credential", linkID: l.ID, update: setDue(u, l.ID, rotateAt),
		cond: cond, extra: []types.TransactWriteItem{s.putEvent(e)}})
}

// FailRotation ends a running rotation as FAILED after attempts deliveries
// with lastError, returns the
// link to CONNECTED on its current credential and makes it due again at
// retryAt.
func (s *Store) FailRotation(ctx context.Context, linkID, rotationID, lastError string, attempts int, retryAt time.Time, e domain.Event) error {
	u := expression.Set(expression.Name("status"), str(string(domain.StatusConnected))).
		Set(expression.Name("rotAttempts"), expression.Value(attempts)).
		Set(expression.Name("rotState"), str(string(domain.RotationFailed))).
		Set(expression.Name("rotLastError"), str(lastError)).
		Set(expression.Name("rotFinishedAt"), str(formatTime(e.At))).
		Set(expression.Name("updatedAt"), str(formatTime(e.At))).
		Remove(expression.Name("rotClientId")).
		Remove(expression.Name("rotSecret")).
		Remove(expression.Name("rotCreatedAt"))
	cond := statusIs(domain.StatusRotating).And(rotationIs(rotationID)).
		And(expression.Name("rotState").Equal(str(string(domain.RotationRunning))))
	return s.apply(ctx, linkChange{op: "fail rotation", linkID: linkID, update: setDue(u, linkID, retryAt),
		cond: cond, extra: []types.TransactWriteItem{s.putEvent(e)}})
}

// ClearPrevious removes the previous credential clientID after it was revoked.
// It is KindConflict if the link's previous credential is another one.
func (s *Store) ClearPrevious(ctx context.Context, linkID, clientID string) error {
	u := expression.Remove(expression.Name("prevClientId")).
		Remove(expression.Name("prevVersion")).
		Remove(expression.Name("prevCreatedAt")).
		Remove(expression.Name("prevSecret")).
		Remove(expression.Name("revokePreviousAt"))
	return s.apply(ctx, linkChange{op: "clear previous credential", linkID: linkID, update: u,
		cond: expression.Name("prevClientId").Equal(str(clientID))})
}

// DueLink is one entry of the rotation-due index.
type DueLink struct {
	LinkID string
	DueAt  time.Time
}

// ListDue returns up to limit links of one shard (0 to DueShards-1) whose
// credential is due for rotation at now, most overdue first, and the cursor
// of the next page.
func (s *Store) ListDue(ctx context.Context, shard int, now time.Time, page Page) ([]DueLink, string, error) {
	shardKey := "due#" + strconv.Itoa(shard)
	start, err := decodeCursor(page.Cursor, map[string]string{AttrDueShard: shardKey})
	if err != nil {
		return nil, "", err
	}
	var items []struct {
		ID    string `dynamodbav:"id"`
		DueAt string `dynamodbav:"dueAt"`
	}
	next, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:              s.table,
		IndexName:              aws.String(IndexRotationDue),
		KeyConditionExpression: aws.String("dueShard = :shard AND dueAt <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":shard": &types.AttributeValueMemberS{Value: shardKey},
			":now":   &types.AttributeValueMemberS{Value: formatTime(now)},
		},
		ProjectionExpression:     aws.String("pk, sk, #id, dueShard, dueAt"),
		ExpressionAttributeNames: map[string]string{"#id": "id"},
		ExclusiveStartKey:        start,
		Limit:                    page.limit(),
	}, &items)
	if err != nil {
		return nil, "", err
	}
	out := make([]DueLink, len(items))
	for i, it := range items {
		out[i] = DueLink{LinkID: it.ID, DueAt: parseTime(it.DueAt)}
	}
	return out, next, nil
}
