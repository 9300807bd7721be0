// Command rotationworker is the Lambda function that consumes the rotation
// queue: credential rotation steps and revocations.
package main

import (
	"log/slog"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/lambdamain"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	lambdamain.Run(routes.RotationWorker, config.Needs{Store: true, Sealer: true, DataCenter: true, Queue: true},
		func(svc *service.Service, set config.Settings) {
			svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
			svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
		},
		func(svc *service.Service, log *slog.Logger) (any, error) { return rotation.NewWorker(svc, log), nil })
}
