// Command reviewlink is the Lambda function serving the HTTP API routes that the
// route table assigns to "reviewlink".
package main

import (
	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/lambdamain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

func main() {
	lambdamain.Run(routes.ReviewLink, config.Needs{Store: true, Sealer: true, DataCenter: true, Queue: true},
		func(svc *service.Service, set config.Settings) {
			svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
			svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
		},
		httpapi.Builder(routes.ReviewLink))
}
