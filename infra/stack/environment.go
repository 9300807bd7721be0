package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"

	"github.com/cloudconnector/cloudconnector/shared/config"
)

// settings holds the service rules passed to every function as environment
// variables. Every function reads all of them at init, so they must be the
// same everywhere. Durations use Go's time.ParseDuration syntax.
var settings = map[string]string{
	// How long a link request waits for a Data Center admin before it expires.
	config.EnvRequestTTL: "168h",
	// The age at which a credential is due for rotation.
	config.EnvRotationMaxAge: "2160h",
	// How long the previous credential stays valid after a promote.
	config.EnvGracePeriod: "15m",
	// How many times a rotation step is tried before the rotation fails.
	config.EnvMaxAttempts: "5",
}

// logLevel is the lowest level of the application logs that Lambda keeps.
// Lambda passes it to the function as AWS_LAMBDA_LOG_LEVEL, which the
// functions' log handler reads.
const logLevel = awslambda.ApplicationLogLevel_INFO

// environment returns the environment variables of a function with grant g:
// the names of the resources it may use and the service rules. The resource
// names come from the constructs, so they always name the deployed resources.
func environment(g grant, res *resources) map[string]*string {
	env := map[string]*string{}
	if len(g.Table) > 0 {
		env[config.EnvTable] = res.table.TableName()
	}
	if g.sendsToQueue() {
		env[config.EnvQueueURL] = res.queue.QueueUrl()
	}
	if len(g.Key) > 0 {
		env[config.EnvKeyID] = res.key.KeyId()
	}

	for name, value := range settings {
		env[name] = &value
	}
	return env
}
