// Command createlink is the Lambda function serving the HTTP API routes that the
// route table assigns to "createlink".
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

func main() {
	log := lambdacontext.NewLogger()
	svc, _, err := config.Build(context.Background(), config.Needs{Store: true}, log)
	if err != nil {
		log.Error("invalid configuration", "function", routes.CreateLink, "error", err)
		os.Exit(1)
	}
	h, err := httpapi.New(routes.CreateLink, svc, log)
	if err != nil {
		log.Error("build handler failed", "function", routes.CreateLink, "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
