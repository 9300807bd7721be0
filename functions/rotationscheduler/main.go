// Command rotationscheduler is the Lambda function an EventBridge schedule
// invokes to start the rotation of credentials past their maximum age.
package main

import (
	"log/slog"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/lambdamain"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	lambdamain.Run(routes.RotationScheduler, config.Needs{Store: true, Queue: true},
		func(svc *service.Service, set config.Settings) {
			svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
		},
		func(svc *service.Service, log *slog.Logger) (any, error) { return rotation.NewScheduler(svc, log), nil })
}
