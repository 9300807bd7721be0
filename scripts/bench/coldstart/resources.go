package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cloudconnector/cloudconnector/scripts/internal/localaws"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// resources are the table, queue and key the measured functions use.
type resources struct {
	db                     *dynamodb.Client
	queues                 *sqs.Client
	table, queueURL, keyID string
}

// createResources creates an empty table with the service's layout, a
// rotation queue and a KMS key on the local servers.
func createResources(ctx context.Context) (*resources, error) {
	cfg, err := localaws.Load(ctx)
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "coldstart-" + hex.EncodeToString(suffix)

	r := &resources{db: dynamodb.NewFromConfig(cfg), queues: sqs.NewFromConfig(cfg), table: name}
	if _, err := r.db.CreateTable(ctx, dynamo.TableInput(name)); err != nil {
		return nil, fmt.Errorf("create table %s: %w", name, err)
	}
	q, err := r.queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("create queue %s: %w", name, err)
	}
	r.queueURL = aws.ToString(q.QueueUrl)
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("cold start benchmark")})
	if err != nil {
		return nil, fmt.Errorf("create KMS key: %w", err)
	}
	r.keyID = aws.ToString(key.KeyMetadata.KeyId)
	return r, nil
}

// delete removes the table and the queue; the key stays, as KMS keys can
// only be scheduled for deletion.
func (r *resources) delete(ctx context.Context, log *slog.Logger) {
	if _, err := r.db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(r.table)}); err != nil {
		log.Warn("delete table failed", "table", r.table, "error", err)
	}
	if _, err := r.queues.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(r.queueURL)}); err != nil {
		log.Warn("delete queue failed", "queue_url", r.queueURL, "error", err)
	}
}
