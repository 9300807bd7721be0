// Command rotationworker is the Lambda function that consumes the rotation
// queue: credential rotation steps and revocations.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	log := lambdacontext.NewLogger()
	svc, set, err := config.Build(context.Background(), config.Needs{Store: true, Sealer: true, DataCenter: true, Queue: true}, log)
	if err != nil {
		log.Error("invalid configuration", "function", "rotationworker", "error", err)
		os.Exit(1)
	}
	svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
	svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
	lambda.Start(rotation.NewWorker(svc, log))
}
