package dynamo

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// linkChange is one conditional update of a link, with the items written in
// the same transaction (audit event, lock, connector counter).
type linkChange struct {
	op     string
	linkID string
	update expression.UpdateBuilder
	cond   expression.ConditionBuilder
	extra  []types.TransactWriteItem
}

func str(v string) expression.OperandBuilder { return expression.Value(v) }

func statusIs(s domain.Status) expression.ConditionBuilder {
	return expression.Name("status").Equal(str(string(s)))
}

// apply writes the change: a single UpdateItem when it has no extra items,
// else one transaction with the link update first. When the link's condition
// fails it returns KindConflict carrying the current link (from the failed
// write where DynamoDB returned it, else from one consistent read), or
// KindNotFound if the link does not exist.
func (s *Store) apply(ctx context.Context, c linkChange) error {
	expr, err := expression.NewBuilder().WithUpdate(c.update).
		WithCondition(expression.AttributeExists(expression.Name(AttrPK)).And(c.cond)).Build()
	if err != nil {
		return fmt.Errorf("%s: build update: %w", c.op, err)
	}
	px := portableExpr(expr)
	if len(c.extra) == 0 {
		_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           s.table,
			Key:                                 key(c.linkID, skLink),
			UpdateExpression:                    px.update,
			ConditionExpression:                 px.condition,
			ExpressionAttributeNames:            px.names,
			ExpressionAttributeValues:           px.values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if ccf, ok := conditionFailed(err); ok {
			return s.linkConflict(ctx, c, ccf.Item)
		}
		if err != nil {
			return unavailable(c.op, err)
		}
		return nil
	}

	items := append([]types.TransactWriteItem{{Update: &types.Update{
		TableName:                           s.table,
		Key:                                 key(c.linkID, skLink),
		UpdateExpression:                    px.update,
		ConditionExpression:                 px.condition,
		ExpressionAttributeNames:            px.names,
		ExpressionAttributeValues:           px.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}, c.extra...)
	err = s.transact(ctx, c.op, items)
	if f, ok := err.(*txFailure); ok {
		if f.has(0) {
			return s.linkConflict(ctx, c, f.failed[0])
		}
		return fmt.Errorf("%s %s: %w", c.op, c.linkID, f)
	}
	return err
}

func (s *Store) linkConflict(ctx context.Context, c linkChange, returned map[string]types.AttributeValue) error {
	var it linkItem
	found := len(returned) > 0
	if found {
		if err := attributevalue.UnmarshalMap(returned, &it); err != nil {
			return fmt.Errorf("%s: decode link %s: %w", c.op, c.linkID, err)
		}
	} else {
		var err error
		if found, err = s.get(ctx, c.linkID, skLink, &it); err != nil {
			return err
		}
	}
	if !found {
		return domain.NotFound("link", c.linkID)
	}
	return domain.Conflict(it.link(), "link %s is %s: cannot %s", c.linkID, it.Status, c.op)
}

// putEvent is the transaction item that appends e to its link's audit trail.
func (s *Store) putEvent(e domain.Event) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: marshal(newEventItem(e))}}
}

// releaseLock deletes the (site, connector) lock if it still belongs to linkID.
func (s *Store) releaseLock(l domain.Link) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{
		TableName:                 s.table,
		Key:                       key(lockPK(l.SiteID, l.ConnectorID), skLock),
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR linkId = :link"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":link": &types.AttributeValueMemberS{Value: l.ID}},
	}}
}

// countLiveLinks adds delta to a connector's live-link counter.
func (s *Store) countLiveLinks(connectorID string, delta int) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 s.table,
		Key:                       key(connectorID, skConnector),
		UpdateExpression:          aws.String("ADD liveLinks :d"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": &types.AttributeValueMemberN{Value: strconv.Itoa(delta)}},
	}}
}
