//go:build floor_loaddefault

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// loadConfig loads the configuration with the SDK's default chain, for
// comparison with shared/awsenv.
func loadConfig(ctx context.Context) (aws.Config, error) { return config.LoadDefaultConfig(ctx) }

// endpoint keeps the client's endpoint: LoadDefaultConfig applies
// AWS_ENDPOINT_URL_<SERVICE> by itself.
func endpoint(_ string, current *string) *string { return current }
