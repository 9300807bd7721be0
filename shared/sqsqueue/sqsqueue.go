// Package sqsqueue sends rotation work to an SQS queue and adjusts the
// visibility of messages the rotation worker retries.
package sqsqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cloudconnector/cloudconnector/shared/awsenv"
	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// API is the part of the SQS client the queue uses.
type API interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// MaxDelay is the longest delay SQS allows on a message.
const MaxDelay = 15 * time.Minute

// Queue is one SQS queue.
type Queue struct {
	client API
	url    *string
}

// New returns the queue at url.
func New(client API, url string) *Queue {
	return &Queue{client: client, url: aws.String(url)}
}

// Send enqueues msg as JSON, delivered after delay (capped at MaxDelay).
func (q *Queue) Send(ctx context.Context, msg any, delay time.Duration) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	_, err = q.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:     q.url,
		MessageBody:  aws.String(string(body)),
		DelaySeconds: delaySeconds(delay),
	})
	if err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Detail: "the rotation queue is unavailable, retry later",
			Err: fmt.Errorf("sqs send: %w", err)}
	}
	return nil
}

// SendBatch enqueues up to 10 messages in one call and returns the indexes
// of the messages SQS did not accept.
func (q *Queue) SendBatch(ctx context.Context, msgs []any) (failed []int, err error) {
	entries := make([]types.SendMessageBatchRequestEntry, len(msgs))
	for i, m := range msgs {
		body, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode message %d: %w", i, err)
		}
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(string(body))}
	}
	out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.url, Entries: entries})
	if err != nil {
		return nil, fmt.Errorf("sqs send batch: %w", err)
	}
	for _, f := range out.Failed {
		var i int
		if _, err := fmt.Sscan(aws.ToString(f.Id), &i); err == nil {
			failed = append(failed, i)
		}
	}
	return failed, nil
}

// Delay makes the received message with receiptHandle visible again after d,
// which is how the worker backs off before a retry.
func (q *Queue) Delay(ctx context.Context, receiptHandle string, d time.Duration) error {
	_, err := q.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl:          q.url,
		ReceiptHandle:     aws.String(receiptHandle),
		VisibilityTimeout: int32(d / time.Second),
	})
	if err != nil {
		return fmt.Errorf("sqs change visibility: %w", err)
	}
	return nil
}

func delaySeconds(d time.Duration) int32 {
	if d <= 0 {
		return 0
	}
	if d > MaxDelay {
		d = MaxDelay
	}
	return int32((d + time.Second - 1) / time.Second)
}

// FromConfig returns the queue at url with an SQS client built from cfg,
// honouring AWS_ENDPOINT_URL_SQS.
func FromConfig(cfg aws.Config, url string) *Queue {
	return New(sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if ep := awsenv.Endpoint("SQS"); ep != nil {
			o.BaseEndpoint = ep
		}
	}), url)
}
