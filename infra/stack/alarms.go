package stack

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newAlarmTopic creates the SNS topic that receives alarm state changes. The
// topic is encrypted with its own KMS key. CloudWatch can publish to an
// encrypted topic only when the key policy lets it use the key, which the
// policy of the AWS managed SNS key does not, and the key that encrypts
// client secrets should not name CloudWatch.
func newAlarmTopic(scope constructs.Construct) awssns.Topic {
	key := awskms.NewKey(scope, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the cloud connector alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Effect:     awsiam.Effect_ALLOW,
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), nil)

	return awssns.NewTopic(scope, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Cloud connector alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
}

// newAlarms creates an alarm on the dead-letter queue depth and, for every
// function, alarms on errors and throttles. Each alarm fires when its metric
// is above zero in one alarmPeriod and notifies topic when it fires and when
// it recovers.
func newAlarms(scope constructs.Construct, topic awssns.Topic, deadLetters awssqs.Queue, functions map[string]awslambda.Function) {
	alarm := aboveZeroAlarm(scope, topic)
	maximum := &awscloudwatch.MetricOptions{Period: duration(alarmPeriod), Statistic: jsii.String("Maximum")}
	sum := &awscloudwatch.MetricOptions{Period: duration(alarmPeriod), Statistic: jsii.String("Sum")}

	alarm("RotationDeadLetterAlarm",
		"Rotation messages reached the dead-letter queue: a rotation or revocation could not be processed",
		deadLetters.MetricApproximateNumberOfMessagesVisible(maximum))

	for _, fn := range FunctionNames() {
		f := functions[fn]
		alarm(fn+"ErrorsAlarm", fmt.Sprintf("The %s function returned errors", fn), f.MetricErrors(sum))
		alarm(fn+"ThrottlesAlarm", fmt.Sprintf("The %s function was throttled", fn), f.MetricThrottles(sum))
	}
}

// aboveZeroAlarm returns a function that creates an alarm firing when its
// metric is above zero in one period, notifying topic when it fires and
// when it recovers. Missing data counts as not breaching.
func aboveZeroAlarm(scope constructs.Construct, topic awssns.Topic) func(id, description string, metric awscloudwatch.Metric) {
	action := awscloudwatchactions.NewSnsAction(topic)
	return func(id, description string, metric awscloudwatch.Metric) {
		a := metric.CreateAlarm(scope, jsii.String(id), &awscloudwatch.CreateAlarmOptions{
			AlarmDescription:   jsii.String(description),
			Threshold:          jsii.Number(0),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
	}
}
