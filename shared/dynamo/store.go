package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/awsenv"
	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store keeps the service's state in one table.
type Store struct {
	client API
	table  *string
}

// New returns a Store over the table named table.
func New(client API, table string) *Store {
	return &Store{client: client, table: aws.String(table)}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: pk},
		AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// get reads one item with a strongly consistent read into out. It returns
// false when the item does not exist.
func (s *Store) get(ctx context.Context, pk, sk string, out any) (bool, error) {
	res, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      s.table,
		Key:            key(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, unavailable(fmt.Sprintf("read %s", pk), err)
	}
	if res.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return false, fmt.Errorf("decode item %s: %w", pk, err)
	}
	return true, nil
}

// unavailable wraps a failed call to DynamoDB as a KindUnavailable error, so
// the caller sees 503 and the cause is logged, never shown.
func unavailable(op string, err error) error {
	return &domain.Error{Kind: domain.KindUnavailable, Detail: "storage is unavailable, retry later", Err: fmt.Errorf("dynamodb %s: %w", op, err)}
}

func marshal(v any) map[string]types.AttributeValue {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		// Only the item structs of this package are marshalled, and they
		// hold only strings, numbers, byte slices and string lists.
		panic(fmt.Sprintf("dynamo: marshal %T: %v", v, err))
	}
	return item
}

// txFailure describes a cancelled transaction: which items' conditions failed,
// with the current item where DynamoDB returned it.
type txFailure struct {
	failed map[int]map[string]types.AttributeValue
}

func (f *txFailure) has(i int) bool {
	_, ok := f.failed[i]
	return ok
}

// transact runs items as one transaction. A cancellation caused only by
// failed conditions is returned as *txFailure, reason by reason; anything else
// (a conflict with another transaction, throttling) is KindUnavailable.
func (s *Store) transact(ctx context.Context, op string, items []types.TransactWriteItem) error {
	_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		return unavailable(op, err)
	}
	f := &txFailure{failed: map[int]map[string]types.AttributeValue{}}
	for i, r := range cancelled.CancellationReasons {
		code := aws.ToString(r.Code)
		switch code {
		case "", "None":
			// Untouched item. DynamoDB sends "None" and some emulators send "".
		case "ConditionalCheckFailed":
			f.failed[i] = r.Item
		default:
			return unavailable(op, fmt.Errorf("transaction cancelled, item %d: %s: %w", i, code, err))
		}
	}
	if len(f.failed) == 0 {
		return unavailable(op, err)
	}
	return f
}

func (f *txFailure) Error() string {
	idx := make([]string, 0, len(f.failed))
	for i := range f.failed {
		idx = append(idx, fmt.Sprint(i))
	}
	return "transaction condition failed on item " + strings.Join(idx, ", ")
}

// conditionFailed reports whether err is a failed single-item condition.
func conditionFailed(err error) (*types.ConditionalCheckFailedException, bool) {
	var ccf *types.ConditionalCheckFailedException
	return ccf, errors.As(err, &ccf)
}

// FromConfig returns a Store over table with a DynamoDB client built from
// cfg, honouring AWS_ENDPOINT_URL_DYNAMODB.
func FromConfig(cfg aws.Config, table string) *Store {
	return New(dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if ep := awsenv.Endpoint("DYNAMODB"); ep != nil {
			o.BaseEndpoint = ep
		}
	}), table)
}
