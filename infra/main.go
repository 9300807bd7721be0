// Command infra is the cloud connector's CDK app. The CDK CLI runs it (see
// cdk.json) to synthesize the CloudFormation template of the one stack.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/infra/stack"
)

// stackName is the construct id, and so the CloudFormation name, of the stack.
const stackName = "CloudConnector"

func main() {
	err := run()
	jsii.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "synthesize %s: %v\n", stackName, err)
		os.Exit(1)
	}
}

// run reads the configuration from the CDK context, builds the stack and
// writes the cloud assembly.
func run() error {
	app := awscdk.NewApp(nil)
	cfg, err := stack.ConfigFromContext(app.Node())
	if err != nil {
		return err
	}
	if _, err := stack.New(app, stackName, cfg); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
