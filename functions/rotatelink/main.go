// Command rotatelink is the Lambda function serving the HTTP API routes that the
// route table assigns to "rotatelink".
package main

import (
	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/lambdamain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	lambdamain.Run(routes.RotateLink, config.Needs{Store: true, Queue: true},
		func(svc *service.Service, set config.Settings) {
			svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
		},
		httpapi.Builder(routes.RotateLink))
}
