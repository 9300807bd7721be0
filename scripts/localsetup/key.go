package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// ensureKey returns the id of the key behind alias, creating a symmetric
// encryption key and the alias when the alias does not exist.
func (s *setup) ensureKey(ctx context.Context, alias string) (string, error) {
	id, err := s.aliasKey(ctx, alias)
	if err == nil {
		s.logger.Info("key exists", "alias", alias, "key_id", id)
		return id, nil
	}
	var notFound *types.NotFoundException
	if !errors.As(err, &notFound) {
		return "", err
	}

	created, err := s.keys.CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec:     types.KeySpecSymmetricDefault,
		KeyUsage:    types.KeyUsageTypeEncryptDecrypt,
		Description: aws.String("cloud connector credential sealing (local)"),
	})
	if err != nil {
		return "", fmt.Errorf("create key for %s: %w", alias, err)
	}
	id = aws.ToString(created.KeyMetadata.KeyId)

	_, err = s.keys.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)})
	var exists *types.AlreadyExistsException
	if errors.As(err, &exists) {
		// Another setup created the alias first: use its key and retire ours.
		s.retireKey(ctx, id)
		return s.aliasKey(ctx, alias)
	}
	if err != nil {
		return "", fmt.Errorf("create alias %s for key %s: %w", alias, id, err)
	}
	s.logger.Info("key created", "alias", alias, "key_id", id)
	return id, nil
}

// aliasKey returns the id of the key behind alias. It fails when the key is
// not enabled, because the service could not encrypt with it.
func (s *setup) aliasKey(ctx context.Context, alias string) (string, error) {
	described, err := s.keys.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		return "", fmt.Errorf("describe key %s: %w", alias, err)
	}
	meta := described.KeyMetadata
	if meta.KeyState != types.KeyStateEnabled {
		return "", fmt.Errorf("key %s behind %s is %s, want Enabled; enable it or delete the alias and run setup again", aws.ToString(meta.KeyId), alias, meta.KeyState)
	}
	return aws.ToString(meta.KeyId), nil
}

// retireKey schedules deletion of a key that lost the race for the alias.
// A failure only leaves an unused key behind, so it is logged, not returned.
func (s *setup) retireKey(ctx context.Context, id string) {
	_, err := s.keys.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)})
	if err != nil {
		s.logger.Warn("could not schedule deletion of unused key", "key_id", id, "error", err)
	}
}
