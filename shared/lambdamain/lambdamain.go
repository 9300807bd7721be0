// Package lambdamain starts one Lambda function: it builds the service from
// the environment, lets the function add the clients only it uses, builds
// the handler and hands it to the Lambda runtime. A configuration error
// stops the function at init with one log line naming the problem, never at
// the first request.
package lambdamain

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

// AddClients sets the service adapters that config.Build leaves to the
// function, such as the KMS sealer and the SQS queue.
type AddClients func(svc *service.Service, set config.Settings)

// BuildHandler returns the function's Lambda handler over svc.
type BuildHandler func(svc *service.Service, log *slog.Logger) (any, error)

// Run starts function fn and does not return while the runtime runs it.
func Run(fn string, needs config.Needs, add AddClients, build BuildHandler) {
	log := lambdacontext.NewLogger()
	svc, set, err := config.Build(context.Background(), needs, log)
	if err != nil {
		log.Error("invalid configuration", "function", fn, "error", err)
		os.Exit(1)
	}
	if add != nil {
		add(svc, set)
	}
	h, err := build(svc, log)
	if err != nil {
		log.Error("build handler failed", "function", fn, "error", err)
		os.Exit(1)
	}
	lambda.Start(h)
}
