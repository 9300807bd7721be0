package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// SQSClient is the part of the SQS API that the Poller calls.
type SQSClient interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// Defaults of Poller.
const (
	DefaultBatchSize = 10
	DefaultWaitTime  = 5 * time.Second
)

// retryDelay is the pause after a failed ReceiveMessage before the next one.
const retryDelay = time.Second

// Poller feeds a queue to a worker function as a Lambda event source mapping
// with ReportBatchItemFailures does. It long-polls the queue and invokes
// Worker with each batch. Then it deletes every message of the batch that
// the response does not list as failed. A failed message stays in the queue and comes
// back after its visibility timeout, until the queue's redrive policy moves
// it to the dead-letter queue.
type Poller struct {
	Client   SQSClient
	QueueURL string
	Worker   func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

	Region    string        // awsRegion of the records; DefaultRegion when empty
	AccountID string        // account in the worker's ARN; DefaultAccountID when empty
	BatchSize int           // messages per ReceiveMessage, 1 to 10; DefaultBatchSize when zero
	WaitTime  time.Duration // long-poll wait, whole seconds from 1 to 20 s; DefaultWaitTime when zero
	Timeout   time.Duration // time limit of one invocation; DefaultTimeout when zero
	Logger    *slog.Logger  // slog.Default() when nil
}

// Run polls until ctx is cancelled, then returns nil after the batch in hand
// is finished. It returns an error only when the poller is misconfigured or
// the queue's ARN cannot be read at start.
func (p *Poller) Run(ctx context.Context) error {
	if err := p.prepare(); err != nil {
		return err
	}
	queueARN, err := p.queueARN(ctx)
	if err != nil {
		return err
	}
	p.Logger.Info("queue poller started", "queue_url", p.QueueURL, "batch_size", p.BatchSize, "wait", p.WaitTime.String())

	for ctx.Err() == nil {
		out, err := p.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(p.QueueURL),
			MaxNumberOfMessages:         int32(p.BatchSize),
			WaitTimeSeconds:             int32(p.WaitTime / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			p.Logger.Error("receive messages failed; retrying", "queue_url", p.QueueURL, "error", err, "retry_in", retryDelay.String())
			sleep(ctx, retryDelay)
			continue
		}
		if len(out.Messages) > 0 {
			p.handleBatch(ctx, queueARN, out.Messages)
		}
	}
	p.Logger.Info("queue poller stopped", "queue_url", p.QueueURL)
	return nil
}

func (p *Poller) prepare() error {
	if p.Client == nil || p.QueueURL == "" || p.Worker == nil {
		return errors.New("run poller: Client, QueueURL and Worker are required")
	}
	if p.Region == "" {
		p.Region = DefaultRegion
	}
	if p.AccountID == "" {
		p.AccountID = DefaultAccountID
	}
	if p.BatchSize == 0 {
		p.BatchSize = DefaultBatchSize
	}
	if p.BatchSize < 1 || p.BatchSize > 10 {
		return fmt.Errorf("run poller: batch size %d is invalid; SQS returns 1 to 10 messages per call", p.BatchSize)
	}
	if p.WaitTime == 0 {
		p.WaitTime = DefaultWaitTime
	}
	if p.WaitTime < time.Second || p.WaitTime > 20*time.Second || p.WaitTime%time.Second != 0 {
		return fmt.Errorf("run poller: wait time %s is invalid; SQS long polling takes whole seconds from 1 to 20", p.WaitTime)
	}
	if p.Timeout <= 0 {
		p.Timeout = DefaultTimeout
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	return nil
}

func (p *Poller) queueARN(ctx context.Context) (string, error) {
	out, err := p.Client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(p.QueueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("run poller: get ARN of queue %s: %w", p.QueueURL, err)
	}
	arn := out.Attributes[string(types.QueueAttributeNameQueueArn)]
	if arn == "" {
		return "", fmt.Errorf("run poller: queue %s has no QueueArn attribute", p.QueueURL)
	}
	return arn, nil
}

// handleBatch invokes the worker with one batch and deletes what succeeded.
// It finishes even when ctx is cancelled meanwhile, so a stop never leaves a
// processed message undeleted.
func (p *Poller) handleBatch(ctx context.Context, queueARN string, messages []types.Message) {
	ctx = context.WithoutCancel(ctx)
	ev := p.buildEvent(queueARN, messages)

	cfg := Config{Region: p.Region, AccountID: p.AccountID, Timeout: p.Timeout}
	resp, err := invoke(ctx, cfg, routes.RotationWorker, func(ctx context.Context) (events.SQSEventResponse, error) {
		return p.Worker(ctx, ev)
	})
	if err != nil {
		p.Logger.Error("worker failed; the whole batch returns to the queue", "queue_url", p.QueueURL, "messages", messageIDs(messages), "error", err)
		return
	}

	failed, err := failedSet(resp, messages)
	if err != nil {
		p.Logger.Error("worker response is invalid; the whole batch returns to the queue", "queue_url", p.QueueURL, "messages", messageIDs(messages), "error", err)
		return
	}
	for _, m := range messages {
		if failed[aws.ToString(m.MessageId)] {
			p.Logger.Warn("message failed; it returns to the queue", "queue_url", p.QueueURL,
				"message_id", aws.ToString(m.MessageId),
				"receive_count", m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
		}
	}

	p.deleteSucceeded(ctx, messages, failed)
}

// failedSet returns the ids of the messages that the worker reported as
// failed. Like Lambda, it treats an empty or unknown item identifier as a
// failure of the whole batch.
func failedSet(resp events.SQSEventResponse, messages []types.Message) (map[string]bool, error) {
	inBatch := make(map[string]bool, len(messages))
	for _, m := range messages {
		inBatch[aws.ToString(m.MessageId)] = true
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == "" {
			return nil, errors.New("a batch item failure has an empty itemIdentifier")
		}
		if !inBatch[f.ItemIdentifier] {
			return nil, fmt.Errorf("batch item failure %q names no message of the batch", f.ItemIdentifier)
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}

func (p *Poller) deleteSucceeded(ctx context.Context, messages []types.Message, failed map[string]bool) {
	var entries []types.DeleteMessageBatchRequestEntry
	for i, m := range messages {
		if failed[aws.ToString(m.MessageId)] {
			continue
		}
		entries = append(entries, types.DeleteMessageBatchRequestEntry{
			Id:            aws.String(strconv.Itoa(i)),
			ReceiptHandle: m.ReceiptHandle,
		})
	}
	if len(entries) == 0 {
		return
	}

	out, err := p.Client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.QueueURL), Entries: entries})
	if err != nil {
		p.Logger.Error("delete messages failed; they return to the queue", "queue_url", p.QueueURL, "count", len(entries), "error", err)
		return
	}
	for _, f := range out.Failed {
		messageID := "unknown"
		if index, err := strconv.Atoi(aws.ToString(f.Id)); err == nil && index >= 0 && index < len(messages) {
			messageID = aws.ToString(messages[index].MessageId)
		}
		p.Logger.Error("delete message failed; it returns to the queue", "queue_url", p.QueueURL,
			"message_id", messageID, "code", aws.ToString(f.Code), "error", aws.ToString(f.Message))
	}
}

// buildEvent returns the SQS event that Lambda would deliver for messages.
func (p *Poller) buildEvent(queueARN string, messages []types.Message) events.SQSEvent {
	records := make([]events.SQSMessage, 0, len(messages))
	for _, m := range messages {
		attributes := make(map[string]string, len(m.Attributes))
		for name, value := range m.Attributes {
			attributes[name] = value
		}
		records = append(records, events.SQSMessage{
			MessageId:              aws.ToString(m.MessageId),
			ReceiptHandle:          aws.ToString(m.ReceiptHandle),
			Body:                   aws.ToString(m.Body),
			Md5OfBody:              aws.ToString(m.MD5OfBody),
			Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
			Attributes:             attributes,
			MessageAttributes:      messageAttributes(m.MessageAttributes),
			EventSourceARN:         queueARN,
			EventSource:            "aws:sqs",
			AWSRegion:              p.Region,
		})
	}
	return events.SQSEvent{Records: records}
}

func messageAttributes(in map[string]types.MessageAttributeValue) map[string]events.SQSMessageAttribute {
	out := make(map[string]events.SQSMessageAttribute, len(in))
	for name, v := range in {
		stringList := v.StringListValues
		if stringList == nil {
			stringList = []string{}
		}
		binaryList := v.BinaryListValues
		if binaryList == nil {
			binaryList = [][]byte{}
		}
		out[name] = events.SQSMessageAttribute{
			StringValue:      v.StringValue,
			BinaryValue:      v.BinaryValue,
			StringListValues: stringList,
			BinaryListValues: binaryList,
			DataType:         aws.ToString(v.DataType),
		}
	}
	return out
}

func messageIDs(messages []types.Message) []string {
	ids := make([]string, len(messages))
	for i, m := range messages {
		ids[i] = aws.ToString(m.MessageId)
	}
	return ids
}

// sleep waits for d or until ctx is cancelled.
func sleep(ctx context.Context, d time.Duration) {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
	}
}
