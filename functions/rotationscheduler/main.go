// Command rotationscheduler is the Lambda function an EventBridge schedule
// invokes to start the rotation of credentials past their maximum age.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	log := lambdacontext.NewLogger()
	svc, set, err := config.Build(context.Background(), config.Needs{Store: true, Queue: true}, log)
	if err != nil {
		log.Error("invalid configuration", "function", "rotationscheduler", "error", err)
		os.Exit(1)
	}
	svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
	lambda.Start(rotation.NewScheduler(svc, log))
}
