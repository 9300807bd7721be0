// Command sdkfloor is the SDK baseline of the benchmarks: a handler that
// does nothing per event, but at init loads the AWS configuration and builds
// the AWS SDK clients of the function it stands for. Build tags choose the
// clients and the loader:
//
//	floor_kms          adds a KMS client
//	floor_sqs          adds an SQS client
//	floor_loaddefault  loads the configuration with config.LoadDefaultConfig
//	                   instead of shared/awsenv, the functions' loader
//
// Every function builds a DynamoDB client, so the floor always does.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
)

// clientBuilders creates one client each from the loaded configuration.
// Files behind build tags append to it.
var clientBuilders = []func(aws.Config) any{newDynamoDB}

// clients keeps the built clients reachable for the life of the process.
var clients []any

func main() {
	cfg, err := loadConfig(context.Background())
	if err != nil {
		slog.Error("load AWS configuration failed", "error", err)
		os.Exit(1)
	}
	for _, build := range clientBuilders {
		clients = append(clients, build(cfg))
	}
	lambda.Start(func(context.Context, json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	})
}
