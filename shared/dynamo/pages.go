package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// Page selects one page of a list: at most Limit items after Cursor, the
// opaque value a previous page returned.
type Page struct {
	Limit  int
	Cursor string
}

// Page size bounds.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

func (p Page) limit() *int32 {
	n := p.Limit
	if n <= 0 {
		n = DefaultPageSize
	}
	if n > MaxPageSize {
		n = MaxPageSize
	}
	return aws.Int32(int32(n))
}

// cursorKeys lists the attributes a cursor may carry: the table key and the
// index keys, all strings.
var cursorKeys = map[string]bool{AttrPK: true, AttrSK: true, AttrOrgKey: true, AttrOrgSort: true,
	AttrPendingConnector: true, AttrPendingExpiresAt: true, AttrDueShard: true, AttrDueAt: true}

func encodeCursor(last map[string]types.AttributeValue) string {
	if len(last) == 0 {
		return ""
	}
	m := map[string]string{}
	for k, v := range last {
		if s, ok := v.(*types.AttributeValueMemberS); ok {
			m[k] = s.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor validates a caller's cursor. The cursor must name exactly
// the attributes expected for the query, and pin must hold for the values
// that scope the query, so a cursor cannot move a query into another
// organization's or connector's items.
func decodeCursor(cursor string, pin map[string]string) (map[string]types.AttributeValue, error) {
	if cursor == "" {
		return nil, nil
	}
	invalid := domain.Invalid("invalid cursor: pass the cursor of the previous page unchanged",
		domain.FieldError{Field: "cursor", Reason: "not a cursor returned by this list"})
	if len(cursor) > 2048 {
		return nil, invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, invalid
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 || len(m) > 4 {
		return nil, invalid
	}
	out := map[string]types.AttributeValue{}
	for k, v := range m {
		if !cursorKeys[k] || v == "" || len(v) > 512 {
			return nil, invalid
		}
		out[k] = &types.AttributeValueMemberS{Value: v}
	}
	for k, want := range pin {
		if got, ok := m[k]; ok && got != want {
			return nil, invalid
		}
	}
	return out, nil
}

// queryByOrg reads one page of the byOrg index for org with sort keys
// starting with prefix, into out (a pointer to a slice of item structs).
func (s *Store) queryByOrg(ctx context.Context, orgID, prefix string, filter *expression.ConditionBuilder, page Page, out any) (string, error) {
	keyCond := expression.Key(AttrOrgKey).Equal(expression.Value(orgID)).
		And(expression.Key(AttrOrgSort).BeginsWith(prefix))
	b := expression.NewBuilder().WithKeyCondition(keyCond)
	if filter != nil {
		b = b.WithFilter(*filter)
	}
	expr, err := b.Build()
	if err != nil {
		return "", fmt.Errorf("build query: %w", err)
	}
	start, err := decodeCursor(page.Cursor, map[string]string{AttrOrgKey: orgID})
	if err != nil {
		return "", err
	}
	if start != nil {
		if sk, ok := start[AttrOrgSort].(*types.AttributeValueMemberS); !ok || !strings.HasPrefix(sk.Value, prefix) {
			return "", domain.Invalid("invalid cursor: pass the cursor of the previous page unchanged",
				domain.FieldError{Field: "cursor", Reason: "not a cursor returned by this list"})
		}
	}
	return s.query(ctx, &dynamodb.QueryInput{
		TableName:                 s.table,
		IndexName:                 aws.String(IndexByOrg),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ExclusiveStartKey:         start,
		Limit:                     page.limit(),
	}, out)
}

// query reads one page into out and returns the cursor of the next page.
//
// The cursor is built from the key attributes of the last item returned
// (table key plus index key), which is what DynamoDB's LastEvaluatedKey
// holds. kumo v0.33.1 returns only the table key for index queries, so its
// LastEvaluatedKey is used only when a filter left no item on the page.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, out any) (string, error) {
	res, err := s.client.Query(ctx, in)
	var apiErr smithy.APIError
	if err != nil && in.ExclusiveStartKey != nil && errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationException" {
		return "", invalidCursor()
	}
	if err != nil {
		return "", unavailable("query", err)
	}
	if err := attributevalue.UnmarshalListOfMaps(res.Items, out); err != nil {
		return "", fmt.Errorf("decode query result: %w", err)
	}
	if len(res.LastEvaluatedKey) == 0 {
		return "", nil
	}
	if len(res.Items) == 0 {
		return encodeCursor(res.LastEvaluatedKey), nil
	}
	last := res.Items[len(res.Items)-1]
	next := map[string]types.AttributeValue{}
	for k := range cursorKeys {
		if v, ok := last[k]; ok && indexKey(in.IndexName, k) {
			next[k] = v
		}
	}
	return encodeCursor(next), nil
}

// indexKey reports whether attribute k is part of the key of the table
// (index nil) or of the named index.
func indexKey(index *string, k string) bool {
	if k == AttrPK || k == AttrSK {
		return true
	}
	switch aws.ToString(index) {
	case IndexByOrg:
		return k == AttrOrgKey || k == AttrOrgSort
	case IndexPending:
		return k == AttrPendingConnector || k == AttrPendingExpiresAt
	case IndexRotationDue:
		return k == AttrDueShard || k == AttrDueAt
	}
	return false
}

func invalidCursor() error {
	return domain.Invalid("invalid cursor: pass the cursor of the previous page unchanged",
		domain.FieldError{Field: "cursor", Reason: "not a cursor returned by this list"})
}
