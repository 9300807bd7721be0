// Package dynamo stores sites, connectors, links, their audit events, locks
// and idempotency records in one DynamoDB table.
package dynamo

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key and index attribute names. The CDK stack and the local setup create the
// table from these, so the stored layout is written down once.
const (
	AttrPK = "pk" // partition key
	AttrSK = "sk" // sort key

	// IndexByOrg lists an organization's sites, connectors and links.
	IndexByOrg  = "byOrg"
	AttrOrgKey  = "orgKey"
	AttrOrgSort = "orgSort"

	// IndexPending is sparse: its attributes exist only while a link is
	// pending, so it lists the open requests of a connector.
	IndexPending         = "pendingByConnector"
	AttrPendingConnector = "pendingConnector"
	AttrPendingExpiresAt = "pendingExpiresAt"

	// IndexRotationDue is sparse: its attributes exist only while a link is
	// connected and not rotating, keyed by the time its credential is due
	// for rotation, so the scheduler reads only the due links.
	IndexRotationDue = "rotationDue"
	AttrDueShard     = "dueShard"
	AttrDueAt        = "dueAt"

	// AttrTTL holds the epoch second after which DynamoDB may delete the item.
	AttrTTL = "expiresAt"
)

// DueShards is the number of partitions of the rotation-due index. Spreading
// the due dates over a few partition keys keeps index writes off one hot key;
// the scheduler queries each shard.
const DueShards = 4

// TableInput returns the CreateTable request for a table named name, with
// on-demand capacity. The caller enables TTL on AttrTTL separately, because
// CreateTable cannot.
func TableInput(name string) *dynamodb.CreateTableInput {
	str := func(n string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: types.ScalarAttributeTypeS}
	}
	index := func(name, pk, sk string) types.GlobalSecondaryIndex {
		return types.GlobalSecondaryIndex{
			IndexName: aws.String(name),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(pk), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(sk), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}
	}
	return &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			str(AttrPK), str(AttrSK), str(AttrOrgKey), str(AttrOrgSort),
			str(AttrPendingConnector), str(AttrPendingExpiresAt), str(AttrDueShard), str(AttrDueAt),
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(AttrSK), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			index(IndexByOrg, AttrOrgKey, AttrOrgSort),
			index(IndexPending, AttrPendingConnector, AttrPendingExpiresAt),
			index(IndexRotationDue, AttrDueShard, AttrDueAt),
		},
	}
}
