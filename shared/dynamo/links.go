package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// ErrPairTaken means the (site, connector) pair already has a live link.
// The error is a *PairTakenError naming that link.
var ErrPairTaken = errors.New("site and connector already have a live link")

// PairTakenError names the link that holds a (site, connector) pair.
type PairTakenError struct{ LinkID string }

func (e *PairTakenError) Error() string { return fmt.Sprintf("%v: %s", ErrPairTaken, e.LinkID) }

// Is makes errors.Is(err, ErrPairTaken) match.
func (e *PairTakenError) Is(target error) bool { return target == ErrPairTaken }

// ErrIdempotencyKeyUsed means an idempotency record for the same actor and
// key already exists; read it with GetIdempotency.
var ErrIdempotencyKeyUsed = errors.New("idempotency key already used")

// CreateLink writes a new pending link in one transaction with its
// (site, connector) lock, the connector's live-link count, its first audit
// event and, if idem is not nil, the idempotency record of the request.
// It returns a *PairTakenError when the pair is locked, ErrIdempotencyKeyUsed
// when the key has a record, and KindNotFound when the connector is gone.
func (s *Store) CreateLink(ctx context.Context, l domain.Link, e domain.Event, idem *Idempotency) error {
	items := []types.TransactWriteItem{
		{Put: &types.Put{
			TableName:                           s.table,
			Item:                                marshal(lockItem{PK: lockPK(l.SiteID, l.ConnectorID), SK: skLock, LinkID: l.ID}),
			ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}},
		{Put: &types.Put{
			TableName:           s.table,
			Item:                marshal(newPendingLinkItem(l)),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
		s.countLiveLinks(l.ConnectorID, 1),
		s.putEvent(e),
	}
	if idem != nil {
		items = append(items, types.TransactWriteItem{Put: &types.Put{
			TableName:           s.table,
			Item:                marshal(newIdempotencyItem(*idem)),
			ConditionExpression: aws.String("attribute_not_exists(pk) OR expiresAt <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(idem.CreatedAt.Unix(), 10)},
			},
		}})
	}
	err := s.transact(ctx, "create link", items)
	var f *txFailure
	if !errors.As(err, &f) {
		return err
	}
	switch {
	case idem != nil && f.has(4):
		return ErrIdempotencyKeyUsed
	case f.has(0):
		var lock lockItem
		ok, err := s.get(ctx, lockPK(l.SiteID, l.ConnectorID), skLock, &lock)
		if err != nil {
			return err
		}
		if !ok {
			// Released between the write and the read: the caller may retry.
			return &PairTakenError{}
		}
		return &PairTakenError{LinkID: lock.LinkID}
	case f.has(2):
		return domain.NotFound("connector", l.ConnectorID)
	default:
		return fmt.Errorf("create link %s: %w", l.ID, f)
	}
}

// GetLink returns the link with id as stored, or KindNotFound.
func (s *Store) GetLink(ctx context.Context, id string) (domain.Link, error) {
	var it linkItem
	ok, err := s.get(ctx, id, skLink, &it)
	if err != nil {
		return domain.Link{}, err
	}
	if !ok {
		return domain.Link{}, domain.NotFound("link", id)
	}
	return it.link(), nil
}

// ListLinks returns one page of an organization's links, of one site if
// siteID is not empty, and with the given statuses if any. Status filtering
// happens after the read, so a page may hold fewer than its limit while a
// cursor is still returned.
func (s *Store) ListLinks(ctx context.Context, orgID, siteID string, statuses []domain.Status, page Page) ([]domain.Link, string, error) {
	prefix := orgSortLink
	if siteID != "" {
		prefix += siteID + "#"
	}
	var filter *expression.ConditionBuilder
	if len(statuses) > 0 {
		ops := make([]expression.OperandBuilder, len(statuses))
		for i, st := range statuses {
			ops[i] = str(string(st))
		}
		c := expression.Name("status").In(ops[0], ops[1:]...)
		filter = &c
	}
	var items []linkItem
	next, err := s.queryByOrg(ctx, orgID, prefix, filter, page, &items)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Link, len(items))
	for i, it := range items {
		out[i] = it.link()
	}
	return out, next, nil
}

// ListPendingRequests returns one page of a connector's link requests that
// are pending and not expired at now, soonest expiry first.
func (s *Store) ListPendingRequests(ctx context.Context, connectorID, now string, page Page) ([]domain.Link, string, error) {
	keyCond := expression.Key(AttrPendingConnector).Equal(expression.Value(connectorID)).
		And(expression.Key(AttrPendingExpiresAt).GreaterThan(expression.Value(now)))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, "", fmt.Errorf("build pending query: %w", err)
	}
	start, err := decodeCursor(page.Cursor, map[string]string{AttrPendingConnector: connectorID})
	if err != nil {
		return nil, "", err
	}
	var items []linkItem
	next, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 s.table,
		IndexName:                 aws.String(IndexPending),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ExclusiveStartKey:         start,
		Limit:                     page.limit(),
	}, &items)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Link, len(items))
	for i, it := range items {
		out[i] = it.link()
	}
	return out, next, nil
}

// ListExpiredRequests returns up to limit of a connector's pending requests
// whose expiry is at or before now.
func (s *Store) ListExpiredRequests(ctx context.Context, connectorID, now string, limit int) ([]domain.Link, error) {
	keyCond := expression.Key(AttrPendingConnector).Equal(expression.Value(connectorID)).
		And(expression.Key(AttrPendingExpiresAt).LessThanEqual(expression.Value(now)))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return nil, fmt.Errorf("build expired query: %w", err)
	}
	var items []linkItem
	if _, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:                 s.table,
		IndexName:                 aws.String(IndexPending),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		Limit:                     aws.Int32(int32(limit)),
	}, &items); err != nil {
		return nil, err
	}
	out := make([]domain.Link, len(items))
	for i, it := range items {
		out[i] = it.link()
	}
	return out, nil
}

// ListEvents returns one page of a link's audit trail, oldest first.
func (s *Store) ListEvents(ctx context.Context, linkID string, page Page) ([]domain.Event, string, error) {
	start, err := decodeCursor(page.Cursor, map[string]string{AttrPK: linkID})
	if err != nil {
		return nil, "", err
	}
	var items []eventItem
	next, err := s.query(ctx, &dynamodb.QueryInput{
		TableName:              s.table,
		KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :evt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: linkID},
			":evt": &types.AttributeValueMemberS{Value: domain.PrefixEvent},
		},
		ExclusiveStartKey: start,
		ConsistentRead:    aws.Bool(true),
		Limit:             page.limit(),
	}, &items)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Event, len(items))
	for i, it := range items {
		out[i] = it.event()
	}
	return out, next, nil
}
