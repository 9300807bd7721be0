// Command connectors is the Lambda function serving the HTTP API routes that the
// route table assigns to "connectors".
package main

import (
	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/lambdamain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

func main() {
	lambdamain.Run(routes.Connectors, config.Needs{Store: true, Sealer: true},
		func(svc *service.Service, set config.Settings) {
			svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
		},
		httpapi.Builder(routes.Connectors))
}
