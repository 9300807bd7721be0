package httpapi_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cloudconnector/cloudconnector/shared/rotation"
)

// pollOnce receives up to 10 messages, hands them to the worker as an event
// source mapping does, and deletes those not reported as failed. It returns
// how many messages it received.
func (h *harness) pollOnce(t testing.TB, worker rotation.WorkerHandler) int {
	t.Helper()
	ctx := context.Background()
	out, err := h.aws.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(h.queue.URL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if len(out.Messages) == 0 {
		return 0
	}
	ev := events.SQSEvent{}
	for _, m := range out.Messages {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), Attributes: m.Attributes, EventSource: "aws:sqs", AWSRegion: "us-east-1"})
	}
	resp, err := worker(ctx, ev)
	if err != nil {
		t.Fatalf("worker returned an error: %v", err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for _, m := range out.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			if _, err := h.aws.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(h.queue.URL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete message: %v", err)
			}
		}
	}
	return len(out.Messages)
}

// queueDepth returns the visible, in-flight and delayed message counts.
func (h *harness) queueDepth(t testing.TB, url string) int {
	t.Helper()
	out, err := h.aws.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible, types.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	n := 0
	for _, v := range out.Attributes {
		c, _ := strconv.Atoi(v)
		n += c
	}
	return n
}

// drainQueue runs the worker until the queue is empty or timeout passes.
func (h *harness) drainQueue(t testing.TB, timeout time.Duration) {
	t.Helper()
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if h.pollOnce(t, worker) > 0 {
			continue
		}
		if h.queueDepth(t, h.queue.URL) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("queue not drained within %s: %d messages left", timeout, h.queueDepth(t, h.queue.URL))
}
