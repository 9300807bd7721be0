package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// CreateConnector stores a new connector.
func (s *Store) CreateConnector(ctx context.Context, c domain.Connector) error {
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           s.table,
		Item:                marshal(newConnectorItem(c)),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if _, ok := conditionFailed(err); ok {
		return domain.Errorf(domain.KindConflict, "connector %s already exists", c.ID)
	}
	if err != nil {
		return unavailable("create connector", err)
	}
	return nil
}

// GetConnector returns the connector with id, or KindNotFound.
func (s *Store) GetConnector(ctx context.Context, id string) (domain.Connector, error) {
	var it connectorItem
	ok, err := s.get(ctx, id, skConnector, &it)
	if err != nil {
		return domain.Connector{}, err
	}
	if !ok {
		return domain.Connector{}, domain.NotFound("connector", id)
	}
	return it.connector(), nil
}

// ListConnectors returns one page of an organization's connectors, oldest
// first.
func (s *Store) ListConnectors(ctx context.Context, orgID string, page Page) ([]domain.Connector, string, error) {
	var items []connectorItem
	next, err := s.queryByOrg(ctx, orgID, orgSortConnector, nil, page, &items)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Connector, len(items))
	for i, it := range items {
		out[i] = it.connector()
	}
	return out, next, nil
}

// UpdateConnector writes the mutable fields of c (name, version, URLs,
// network, tunnel) if the stored connector was last updated at
// previousUpdatedAt and, when noLinks is set, has no live links. A
// concurrent change is KindConflict with the current connector.
func (s *Store) UpdateConnector(ctx context.Context, c domain.Connector, previousUpdatedAt string, noLinks bool) error {
	upd := expression.Set(expression.Name("name"), expression.Value(c.Name)).
		Set(expression.Name("version"), expression.Value(c.Version)).
		Set(expression.Name("displayUrl"), expression.Value(c.DisplayURL)).
		Set(expression.Name("rpcUrl"), expression.Value(c.RPCURL)).
		Set(expression.Name("network"), expression.Value(string(c.Network))).
		Set(expression.Name("updatedAt"), expression.Value(formatTime(c.UpdatedAt)))
	if c.TunnelID != "" {
		upd = upd.Set(expression.Name("tunnelId"), expression.Value(c.TunnelID))
	} else {
		upd = upd.Remove(expression.Name("tunnelId"))
	}
	cond := expression.AttributeExists(expression.Name(AttrPK)).
		And(expression.Name("updatedAt").Equal(expression.Value(previousUpdatedAt)))
	if noLinks {
		cond = cond.And(expression.Name("liveLinks").Equal(expression.Value(0)))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build connector update: %w", err)
	}
	px := portableExpr(expr)
	_, err = s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           s.table,
		Key:                                 key(c.ID, skConnector),
		UpdateExpression:                    px.update,
		ConditionExpression:                 px.condition,
		ExpressionAttributeNames:            px.names,
		ExpressionAttributeValues:           px.values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ccf, ok := conditionFailed(err); ok {
		current, err := s.currentConnector(ctx, c.ID, ccf.Item)
		if err != nil {
			return err
		}
		return domain.Conflict(current, "connector %s was changed concurrently, retry with its current state", c.ID)
	}
	if err != nil {
		return unavailable("update connector", err)
	}
	return nil
}

// DeleteConnector deletes a connector that has no live links. With live links
// it is KindConflict carrying the connector.
func (s *Store) DeleteConnector(ctx context.Context, id string) error {
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                           s.table,
		Key:                                 key(id, skConnector),
		ConditionExpression:                 aws.String("attribute_exists(pk) AND liveLinks = :zero"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":zero": &types.AttributeValueMemberN{Value: "0"}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if ccf, ok := conditionFailed(err); ok {
		var it connectorItem
		found := ccf.Item != nil
		if found {
			err = attributevalue.UnmarshalMap(ccf.Item, &it)
		} else {
			found, err = s.get(ctx, id, skConnector, &it)
		}
		if err != nil {
			return err
		}
		if !found {
			return domain.NotFound("connector", id)
		}
		e := domain.Conflict(it.connector(), "connector %s still has %d links that are live or whose credentials are still being revoked: delete the links first and retry", id, it.LiveLinks)
		return e
	}
	if err != nil {
		return unavailable("delete connector", err)
	}
	return nil
}

func (s *Store) currentConnector(ctx context.Context, id string, returned map[string]types.AttributeValue) (domain.Connector, error) {
	if returned != nil {
		var it connectorItem
		if err := attributevalue.UnmarshalMap(returned, &it); err != nil {
			return domain.Connector{}, fmt.Errorf("decode connector %s: %w", id, err)
		}
		return it.connector(), nil
	}
	return s.GetConnector(ctx, id)
}
