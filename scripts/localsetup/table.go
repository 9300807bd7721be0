package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// ensureTable creates the table from the shared schema unless it exists,
// waits until it is active, checks that it has every index of the schema and
// enables TTL on the expiry attribute.
func (s *setup) ensureTable(ctx context.Context, name string) error {
	_, err := s.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		if err := s.createTable(ctx, name); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("describe table %s: %w", name, err)
	default:
		s.logger.Info("table exists", "table", name)
	}

	waiter := dynamodb.NewTableExistsWaiter(s.db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 500 * time.Millisecond
		o.MaxDelay = 5 * time.Second
	})
	described, err := waiter.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("wait for table %s to become active: %w", name, err)
	}
	if err := checkIndexes(described.Table); err != nil {
		return fmt.Errorf("table %s: %w", name, err)
	}

	return s.ensureTTL(ctx, name)
}

func (s *setup) createTable(ctx context.Context, name string) error {
	_, err := s.db.CreateTable(ctx, dynamo.TableInput(name))
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		// Another setup created it between DescribeTable and CreateTable.
		s.logger.Info("table exists", "table", name)
		return nil
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	s.logger.Info("table created", "table", name)
	return nil
}

// checkIndexes reports the indexes of the shared schema that an existing
// table lacks, which happens when the schema changed after the table was
// created.
func checkIndexes(table *types.TableDescription) error {
	have := map[string]bool{}
	for _, index := range table.GlobalSecondaryIndexes {
		have[aws.ToString(index.IndexName)] = true
	}
	var missing []string
	for _, index := range dynamo.TableInput("").GlobalSecondaryIndexes {
		if !have[aws.ToString(index.IndexName)] {
			missing = append(missing, aws.ToString(index.IndexName))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("indexes %q are missing; delete the table (or restart the local stack) so that setup creates it anew", missing)
	}
	return nil
}

func (s *setup) ensureTTL(ctx context.Context, name string) error {
	current, err := s.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("describe TTL of table %s: %w", name, err)
	}

	if ttl := current.TimeToLiveDescription; ttl != nil {
		attribute := aws.ToString(ttl.AttributeName)
		on := ttl.TimeToLiveStatus == types.TimeToLiveStatusEnabled || ttl.TimeToLiveStatus == types.TimeToLiveStatusEnabling
		if on && attribute == dynamo.AttrTTL {
			s.logger.Info("TTL enabled", "table", name, "attribute", attribute)
			return nil
		}
		if on {
			return fmt.Errorf("table %s has TTL on attribute %q, want %q; disable it and run setup again", name, attribute, dynamo.AttrTTL)
		}
	}

	_, err = s.db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(dynamo.AttrTTL),
			Enabled:       aws.Bool(true),
		},
	})
	if err != nil {
		return fmt.Errorf("enable TTL on table %s: %w", name, err)
	}
	s.logger.Info("TTL enabled", "table", name, "attribute", dynamo.AttrTTL)
	return nil
}
