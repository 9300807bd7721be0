package stack

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
)

// Sizes, timeouts and rates of the stack's resources.
const (
	// functionMemoryMB is the memory size of every function. Lambda assigns
	// CPU in proportion to memory.
	functionMemoryMB = 256

	// httpFunctionTimeout bounds one API request. An HTTP API waits at most
	// 30 seconds for a Lambda integration, so this must stay below that.
	httpFunctionTimeout = 10 * time.Second
	// reviewFunctionTimeout bounds an accept, which makes up to three calls
	// to the Data Center instance (stage, verify, and revoke on failure) of
	// at most datacenter.DefaultTimeout each.
	reviewFunctionTimeout = 29 * time.Second
	// workerTimeout bounds one batch of rotation messages.
	workerTimeout = 30 * time.Second
	// schedulerTimeout bounds one scheduled pass over the due links.
	schedulerTimeout = 60 * time.Second

	// queueVisibilityFactor is the rotation queue's visibility timeout as a
	// multiple of workerTimeout. The Lambda developer guide recommends at least
	// six, so that Lambda can retry a batch whose invocation was throttled.
	queueVisibilityFactor = 6
	// maxReceiveCount is how often a rotation message is received before SQS
	// moves it to the dead-letter queue.
	maxReceiveCount = 8
	// deadLetterRetention keeps failed messages long enough to inspect them.
	deadLetterRetention = 14 * 24 * time.Hour

	// workerBatchSize is the largest number of messages per invocation.
	workerBatchSize = 10
	// workerMaxConcurrency caps the concurrent worker invocations that the
	// event source mapping starts. SQS mappings accept 2 to 1000.
	workerMaxConcurrency = 10

	// schedulerRate is how often the rotation scheduler runs.
	schedulerRate = time.Hour

	// apiRateLimit and apiBurstLimit throttle the default stage: the steady
	// requests per second and the bucket size across all routes.
	// NOTE: starting values, not sized from measured traffic.
	apiRateLimit  = 50
	apiBurstLimit = 100

	// alarmPeriod is the evaluation period of every alarm.
	alarmPeriod = 5 * time.Minute
)

// logRetention is how long CloudWatch Logs keeps function and access logs.
var logRetention = awslogs.RetentionDays_ONE_MONTH
