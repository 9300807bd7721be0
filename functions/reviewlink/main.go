// Command reviewlink is the Lambda function serving the HTTP API routes that the
// route table assigns to "reviewlink".
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	log := lambdacontext.NewLogger()
	svc, set, err := config.Build(context.Background(), config.Needs{Store: true, Sealer: true, DataCenter: true, Queue: true}, log)
	if err != nil {
		log.Error("invalid configuration", "function", routes.ReviewLink, "error", err)
		os.Exit(1)
	}
	svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
	svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
	h, err := httpapi.New(routes.ReviewLink, svc, log)
	if err != nil {
		log.Error("build handler failed", "function", routes.ReviewLink, "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
