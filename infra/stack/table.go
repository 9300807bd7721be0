package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// newTable creates the service's table with the keys and global secondary
// indexes of dynamo.TableInput, so the stack and the local setup create the
// same layout. The table is retained when the stack is deleted.
func newTable(scope constructs.Construct) (awsdynamodb.Table, error) {
	layout := dynamo.TableInput("")

	attrTypes := map[string]awsdynamodb.AttributeType{}
	for _, def := range layout.AttributeDefinitions {
		t, err := attributeType(def.AttributeType)
		if err != nil {
			return nil, fmt.Errorf("table attribute %s: %w", aws.ToString(def.AttributeName), err)
		}
		attrTypes[aws.ToString(def.AttributeName)] = t
	}
	partition, sort, err := keyAttributes(layout.KeySchema, attrTypes)
	if err != nil {
		return nil, fmt.Errorf("table key: %w", err)
	}

	table := awsdynamodb.NewTable(scope, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: partition,
		SortKey:      sort,
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection:  jsii.Bool(true),
		TimeToLiveAttribute: jsii.String(dynamo.AttrTTL),
		Encryption:          awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy:       awscdk.RemovalPolicy_RETAIN,
	})

	for _, gsi := range layout.GlobalSecondaryIndexes {
		name := aws.ToString(gsi.IndexName)
		partition, sort, err := keyAttributes(gsi.KeySchema, attrTypes)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", name, err)
		}
		projectionType, nonKey, err := projection(gsi.Projection)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", name, err)
		}
		props := &awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(name),
			PartitionKey:   partition,
			SortKey:        sort,
			ProjectionType: projectionType,
		}
		if len(nonKey) > 0 {
			props.NonKeyAttributes = &nonKey
		}
		table.AddGlobalSecondaryIndex(props)
	}
	return table, nil
}

// keyAttributes returns the partition and sort key of schema, typed from
// attrTypes. The sort key is nil when schema has none.
func keyAttributes(schema []types.KeySchemaElement, attrTypes map[string]awsdynamodb.AttributeType) (partition, sort *awsdynamodb.Attribute, err error) {
	for _, elem := range schema {
		name := aws.ToString(elem.AttributeName)
		t, ok := attrTypes[name]
		if !ok {
			return nil, nil, fmt.Errorf("key attribute %s has no attribute definition", name)
		}
		attr := &awsdynamodb.Attribute{Name: jsii.String(name), Type: t}
		switch elem.KeyType {
		case types.KeyTypeHash:
			partition = attr
		case types.KeyTypeRange:
			sort = attr
		default:
			return nil, nil, fmt.Errorf("key attribute %s has unknown key type %q", name, elem.KeyType)
		}
	}
	if partition == nil {
		return nil, nil, fmt.Errorf("key schema has no partition key")
	}
	return partition, sort, nil
}

// attributeType converts a DynamoDB scalar type to its CDK equivalent.
func attributeType(t types.ScalarAttributeType) (awsdynamodb.AttributeType, error) {
	switch t {
	case types.ScalarAttributeTypeS:
		return awsdynamodb.AttributeType_STRING, nil
	case types.ScalarAttributeTypeN:
		return awsdynamodb.AttributeType_NUMBER, nil
	case types.ScalarAttributeTypeB:
		return awsdynamodb.AttributeType_BINARY, nil
	default:
		return "", fmt.Errorf("unknown attribute type %q", t)
	}
}

// projection converts an index projection to its CDK type and, for INCLUDE,
// the projected non-key attributes.
func projection(p *types.Projection) (awsdynamodb.ProjectionType, []*string, error) {
	if p == nil {
		return "", nil, fmt.Errorf("projection is missing")
	}
	switch p.ProjectionType {
	case types.ProjectionTypeAll:
		return awsdynamodb.ProjectionType_ALL, nil, nil
	case types.ProjectionTypeKeysOnly:
		return awsdynamodb.ProjectionType_KEYS_ONLY, nil, nil
	case types.ProjectionTypeInclude:
		return awsdynamodb.ProjectionType_INCLUDE, *jsii.Strings(p.NonKeyAttributes...), nil
	default:
		return "", nil, fmt.Errorf("unknown projection type %q", p.ProjectionType)
	}
}
