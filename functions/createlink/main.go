// Command createlink is the Lambda function serving the HTTP API routes that the
// route table assigns to "createlink".
package main

import (
	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/lambdamain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

func main() {
	lambdamain.Run(routes.CreateLink, config.Needs{Store: true},
		nil,
		httpapi.Builder(routes.CreateLink))
}
