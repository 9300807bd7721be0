package dynamo_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/testenv"
)

func TestMeterCountsCallsAndUnits(t *testing.T) {
	a := testenv.LocalAWS(t)
	table := a.NewTable(t)
	m := dynamo.NewMeter(a.DynamoDB)
	db := dynamodb.NewFromConfig(a.Config, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, m.AddTo) })
	ctx := context.Background()
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	key := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{dynamo.AttrPK: s(pk), dynamo.AttrSK: s("item")}
	}
	// big is about 1.5 KB, in the byOrg index; small is well under 1 KB and
	// in no index.
	big := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{dynamo.AttrPK: s(pk), dynamo.AttrSK: s("item"),
			dynamo.AttrOrgKey: s("org-1"), dynamo.AttrOrgSort: s("X#" + pk), "blob": s(strings.Repeat("x", 1500))}
	}
	small := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{dynamo.AttrPK: s(pk), dynamo.AttrSK: s("item"), "v": s("1")}
	}

	steps := []struct {
		name        string
		call        func() error
		wantSummary string
		wantRead    float64
		wantWrite   float64
	}{
		{"put new item in one index", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: big("a")})
			return err
		}, "DynamoDB.PutItem", 0, 2 + 2},
		{"strongly consistent get", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("a"), ConsistentRead: aws.Bool(true)})
			return err
		}, "DynamoDB.GetItem", 1, 0},
		{"get of a missing item", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: key("missing"), ConsistentRead: aws.Bool(true)})
			return err
		}, "DynamoDB.GetItem", 1, 0},
		{"failed condition bills the existing item", func() error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key("a"),
				UpdateExpression: aws.String("SET v = :v"), ConditionExpression: aws.String("attribute_not_exists(pk)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("2")}})
			var ccf *types.ConditionalCheckFailedException
			if !errors.As(err, &ccf) {
				return err
			}
			return nil
		}, "DynamoDB.UpdateItem[ConditionalCheckFailedException]", 0, 2},
		{"shrinking update bills the larger image", func() error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key("a"),
				UpdateExpression: aws.String("REMOVE blob")})
			return err
		}, "DynamoDB.UpdateItem", 0, 2 + 1},
		{"transaction doubles each item", func() error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: &table, Item: small("b")}},
				{Put: &types.Put{TableName: &table, Item: big("c")}},
			}})
			return err
		}, "DynamoDB.TransactWriteItems", 0, 2*1 + 2*2 + 2},
		{"cancelled transaction bills each item", func() error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: &table, Item: small("d")}},
				{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key("b"), ConditionExpression: aws.String("attribute_not_exists(pk)")}},
			}})
			var cancelled *types.TransactionCanceledException
			if !errors.As(err, &cancelled) {
				return err
			}
			return nil
		}, "DynamoDB.TransactWriteItems[TransactionCanceledException]", 0, 2*1 + 2*1},
		{"index query sums evaluated items, filter or not", func() error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &table, IndexName: aws.String(dynamo.IndexByOrg),
				KeyConditionExpression:    aws.String("#k = :k"),
				FilterExpression:          aws.String("#v = :none"),
				ExpressionAttributeNames:  map[string]string{"#k": dynamo.AttrOrgKey, "#v": "v"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":k": s("org-1"), ":none": s("none")}})
			return err
		}, "DynamoDB.Query", 0.5, 0},
		{"delete leaves the index", func() error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: key("c")})
			return err
		}, "DynamoDB.DeleteItem", 0, 2 + 2},
	}
	for _, st := range steps {
		if err := st.call(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		u := m.Take()
		read, write := u.Units()
		if got := u.Summary(); got != st.wantSummary {
			t.Errorf("%s: calls = %q, want %q", st.name, got, st.wantSummary)
		}
		if read != st.wantRead || write != st.wantWrite {
			t.Errorf("%s: units = %v read, %v write; want %v read, %v write", st.name, read, write, st.wantRead, st.wantWrite)
		}
		if got := u.RoundTrips(dynamodb.ServiceID); got != 1 {
			t.Errorf("%s: round trips = %d, want 1", st.name, got)
		}
	}
}

func TestMeterCountsOtherServices(t *testing.T) {
	a := testenv.LocalAWS(t)
	keyID := a.NewKey(t)

	m := dynamo.NewMeter(nil)
	client := kms.NewFromConfig(a.Config, func(o *kms.Options) {
		o.BaseEndpoint = a.KMS.Options().BaseEndpoint
		o.APIOptions = append(o.APIOptions, m.AddTo)
	})
	out, err := client.Encrypt(context.Background(), &kms.EncryptInput{KeyId: &keyID, Plaintext: []byte("secret")})
	if err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	if _, err := client.Decrypt(context.Background(), &kms.DecryptInput{KeyId: &keyID, CiphertextBlob: out.CiphertextBlob}); err != nil {
		t.Fatalf("decrypt: %v", err)
	}

	u := m.Take()
	if got, want := u.Summary(), "KMS.Encrypt KMS.Decrypt"; got != want {
		t.Errorf("calls = %q, want %q", got, want)
	}
	if got := u.RoundTrips("KMS"); got != 2 {
		t.Errorf("KMS round trips = %d, want 2", got)
	}
	if read, write := u.Units(); read != 0 || write != 0 {
		t.Errorf("units = %v read, %v write; want none for KMS", read, write)
	}
	if _, ok := u[0].Input.(*kms.EncryptInput); !ok {
		t.Errorf("first call's input is %T, want *kms.EncryptInput", u[0].Input)
	}
	if len(m.Take()) != 0 {
		t.Errorf("Take after Take returned calls, want none")
	}
}
