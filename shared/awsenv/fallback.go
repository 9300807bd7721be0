//go:build !lambda.norpc

package awsenv

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// loadFallback loads the configuration with the SDK's default chain: shared
// config files, profiles, SSO and the instance metadata service unless
// AWS_EC2_METADATA_DISABLED is true.
func loadFallback(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("load AWS config: AWS_REGION is not set")
	}
	return cfg, nil
}
