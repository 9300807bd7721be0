// Package stack defines the cloud connector's CDK stack: the HTTP API with
// its JWT authorizer and routes, one Lambda function per handler, the
// DynamoDB table, the rotation queue, the KMS key for client secrets, the
// rotation schedule and the alarms. It grants every function only the
// actions in its least-privilege table and checks the result with cdk-nag's
// AwsSolutions rules.
package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// KeyAlias is the alias of the KMS key that encrypts client secrets.
const KeyAlias = "alias/cloud-connector"

// Stack is the cloud connector stack and the constructs in it that callers
// and tests refer to.
type Stack struct {
	awscdk.Stack

	API             awsapigatewayv2.HttpApi
	Stage           awsapigatewayv2.HttpStage
	Table           awsdynamodb.Table
	Queue           awssqs.Queue
	DeadLetterQueue awssqs.Queue
	Key             awskms.Key
	AlarmTopic      awssns.Topic
	// Functions maps each name of FunctionNames to its function.
	Functions map[string]awslambda.Function
}

// New validates cfg and creates the stack with construct id id in scope. The
// stack names no account or region, so it synthesizes offline and deploys to
// whatever account and region the CDK CLI is given.
func New(scope constructs.Construct, id string, cfg Config) (*Stack, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid stack configuration: %w", err)
	}
	if err := checkGrants(); err != nil {
		return nil, err
	}

	s := &Stack{
		Stack: awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
			Description: jsii.String("Cloud connector: links cloud sites to Jira and Confluence Data Center with OAuth 2.0 application links"),
		}),
		Functions: map[string]awslambda.Function{},
	}

	table, err := newTable(s.Stack)
	if err != nil {
		return nil, fmt.Errorf("create table: %w", err)
	}
	s.Table = table
	s.Queue, s.DeadLetterQueue = newRotationQueues(s.Stack)
	s.Key = awskms.NewKey(s.Stack, jsii.String("SecretKey"), &awskms.KeyProps{
		Alias:             jsii.String(KeyAlias),
		Description:       jsii.String("Encrypts the OAuth 2.0 client secrets of cloud connector links"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})

	res := &resources{table: s.Table, queue: s.Queue, key: s.Key}
	for _, fn := range FunctionNames() {
		f, err := newFunction(s.Stack, fn, cfg.AssetDir, res)
		if err != nil {
			return nil, fmt.Errorf("create function %s: %w", fn, err)
		}
		s.Functions[fn] = f
	}
	subscribeWorker(s.Functions[routes.RotationWorker], s.Queue)
	newRotationSchedule(s.Stack, s.Functions[routes.RotationScheduler])

	s.API, s.Stage, err = newAPI(s.Stack, cfg, s.Functions)
	if err != nil {
		return nil, fmt.Errorf("create API: %w", err)
	}

	s.AlarmTopic = newAlarmTopic(s.Stack)
	newAlarms(s.Stack, s.AlarmTopic, s.DeadLetterQueue, s.Functions)
	newMetricAlarms(s.Stack, s.AlarmTopic)
	newDashboard(s.Stack, s.DeadLetterQueue)

	s.addOutputs()
	applyNagChecks(s)
	return s, nil
}

// addOutputs exports the values a client or an operator needs after a
// deployment.
func (s *Stack) addOutputs() {
	output := func(id, description string, value *string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{
			Description: jsii.String(description),
			Value:       value,
		})
	}
	output("ApiUrl", "Base URL of the HTTP API", s.Stage.Url())
	output("TableName", "Name of the DynamoDB table", s.Table.TableName())
	output("RotationQueueUrl", "URL of the rotation queue", s.Queue.QueueUrl())
	output("KeyId", "Id of the KMS key that encrypts client secrets", s.Key.KeyId())
	output("AlarmTopicArn", "ARN of the SNS topic that receives alarms", s.AlarmTopic.TopicArn())
}
