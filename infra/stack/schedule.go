package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newRotationSchedule creates the EventBridge rule that invokes the rotation
// scheduler every schedulerRate. An event that cannot be delivered within one
// period is dropped, because the next run covers the same due links.
func newRotationSchedule(scope constructs.Construct, scheduler awslambda.Function) awsevents.Rule {
	return awsevents.NewRule(scope, jsii.String("RotationSchedule"), &awsevents.RuleProps{
		Description: jsii.String("Starts the rotation of credentials that reached their maximum age"),
		Schedule:    awsevents.Schedule_Rate(duration(schedulerRate)),
		Targets: &[]awsevents.IRuleTarget{
			awseventstargets.NewLambdaFunction(scheduler, &awseventstargets.LambdaFunctionProps{
				MaxEventAge:   duration(schedulerRate),
				RetryAttempts: jsii.Number(2),
			}),
		},
	})
}
