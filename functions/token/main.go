// Command token is the Lambda function serving the HTTP API routes that the
// route table assigns to "token".
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
	lambdamain.Run(routes.Token, config.Needs{Store: true, Sealer: true, DataCenter: true},
		func(svc *service.Service, set config.Settings) {
			svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
		},
		httpapi.Builder(routes.Token))
}
