package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newRotationQueues creates the rotation queue and its dead-letter queue.
// Both use SQS-managed encryption, so senders and the worker need no KMS
// permission, and both reject requests that do not use TLS.
func newRotationQueues(scope constructs.Construct) (queue, deadLetters awssqs.Queue) {
	deadLetters = awssqs.NewQueue(scope, jsii.String("RotationDeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: duration(deadLetterRetention),
	})
	queue = awssqs.NewQueue(scope, jsii.String("RotationQueue"), &awssqs.QueueProps{
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		VisibilityTimeout: duration(queueVisibilityFactor * workerTimeout),
		DeadLetterQueue: &awssqs.DeadLetterQueue{
			Queue:           deadLetters,
			MaxReceiveCount: jsii.Number(maxReceiveCount),
		},
	})
	return queue, deadLetters
}

// subscribeWorker makes the worker consume the rotation queue. The event
// source mapping is created directly, not through the SqsEventSource helper,
// because that helper grants more SQS actions than the worker's grant lists.
// The worker reports failed messages one by one, so one bad message does not
// return the whole batch to the queue.
func subscribeWorker(worker awslambda.Function, queue awssqs.Queue) awslambda.EventSourceMapping {
	return worker.AddEventSourceMapping(jsii.String("RotationQueue"), &awslambda.EventSourceMappingOptions{
		EventSourceArn:          queue.QueueArn(),
		BatchSize:               jsii.Number(workerBatchSize),
		ReportBatchItemFailures: jsii.Bool(true),
		MaxConcurrency:          jsii.Number(workerMaxConcurrency),
	})
}
