package stack

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// FunctionNames lists every Lambda function of the stack: the functions that
// serve HTTP routes, in route-table order, then the rotation worker and the
// rotation scheduler.
func FunctionNames() []string {
	return append(routes.HTTPFunctions(), routes.RotationWorker, routes.RotationScheduler)
}

// functionTimeout returns the timeout of function fn.
func functionTimeout(fn string) time.Duration {
	switch fn {
	case routes.RotationWorker:
		return workerTimeout
	case routes.RotationScheduler:
		return schedulerTimeout
	case routes.ReviewLink:
		return reviewFunctionTimeout
	default:
		return httpFunctionTimeout
	}
}

// resources are the shared resources that functions are granted access to.
type resources struct {
	table awsdynamodb.Table
	queue awssqs.Queue
	key   awskms.Key
}

// newFunction creates function fn with its own role and log group. The role
// contains only the log statement and the statements of the function's grant.
func newFunction(scope constructs.Construct, fn string, assetDir string, res *resources) (awslambda.Function, error) {
	g, err := grantFor(fn)
	if err != nil {
		return nil, err
	}
	group := constructs.NewConstruct(scope, jsii.String(fn))

	logs := awslogs.NewLogGroup(group, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: logRetention,
	})

	role := awsiam.NewRole(group, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String(fmt.Sprintf("Runs the %s function", fn)),
	})
	// The log group ARN ends in :*, which covers the group's log streams.
	role.AddToPrincipalPolicy(allow("Logs", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, []*string{logs.LogGroupArn()}))
	for _, st := range g.statements(res) {
		role.AddToPrincipalPolicy(st)
	}
	if g.queriesIndexes() {
		suppressIndexWildcard(role)
	}

	env := environment(g, res)
	f := awslambda.NewFunction(group, jsii.String("Function"), &awslambda.FunctionProps{
		Description:           jsii.String(fmt.Sprintf("Cloud connector %s", fn)),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  awslambda.Code_FromAsset(jsii.String(filepath.Join(assetDir, fn)), nil),
		MemorySize:            jsii.Number(functionMemoryMB),
		Timeout:               duration(functionTimeout(fn)),
		Role:                  role,
		LogGroup:              logs,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: logLevel,
		Environment:           &env,
	})
	return f, nil
}

// duration converts d to a CDK duration in whole seconds.
func duration(d time.Duration) awscdk.Duration {
	return awscdk.Duration_Seconds(jsii.Number(d.Seconds()))
}

// checkGrants returns an error unless the least-privilege table has exactly
// one entry per function of the stack.
func checkGrants() error {
	names := FunctionNames()
	for fn := range grants {
		if !slices.Contains(names, fn) {
			return fmt.Errorf("least-privilege table lists %s, which is not a function of the stack", fn)
		}
	}
	for _, fn := range names {
		if _, err := grantFor(fn); err != nil {
			return err
		}
	}
	return nil
}
