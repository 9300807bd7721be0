package gateway

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// testQueue creates a queue whose messages come back one second after a
// failed receive, and returns its URL and ARN.
func testQueue(ctx context.Context, t *testing.T, client *sqs.Client, name string) (string, string) {
	t.Helper()
	created, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(name),
		Attributes: map[string]string{"VisibilityTimeout": "1"},
	})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	url := aws.ToString(created.QueueUrl)
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("get queue ARN: %v", err)
	}
	return url, attrs.Attributes["QueueArn"]
}

func sendBodies(ctx context.Context, t *testing.T, client *sqs.Client, url string, bodies ...string) {
	t.Helper()
	for _, body := range bodies {
		_, err := client.SendMessage(ctx, &sqs.SendMessageInput{
			QueueUrl:    aws.String(url),
			MessageBody: aws.String(body),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"kind": {DataType: aws.String("String"), StringValue: aws.String("rotation")},
			},
		})
		if err != nil {
			t.Fatalf("send %q: %v", body, err)
		}
	}
}

// queueDepth returns the visible plus in-flight messages of the queue.
func queueDepth(ctx context.Context, t *testing.T, client *sqs.Client, url string) string {
	t.Helper()
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatalf("get queue depth: %v", err)
	}
	return attrs.Attributes["ApproximateNumberOfMessages"] + "+" + attrs.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

// runPoller runs p until stop is called, which waits for Run to return.
func runPoller(t *testing.T, p *Poller) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: got %v, want nil after cancel", err)
		}
	}
}

// waitFor blocks until ch is closed, failing the test if that takes longer
// than a generous guard meant only to stop a hung test.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(60 * time.Second):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// deliveries records what the worker received, by body.
type deliveries struct {
	mu      sync.Mutex
	byBody  map[string][]events.SQSMessage
	batches int
}

func (d *deliveries) add(ev events.SQSEvent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.batches++
	for _, r := range ev.Records {
		d.byBody[r.Body] = append(d.byBody[r.Body], r)
	}
}

func (d *deliveries) get(body string) []events.SQSMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]events.SQSMessage(nil), d.byBody[body]...)
}

func TestPollerPartialBatchFailure(t *testing.T) {
	ctx := context.Background()
	client := startKumo(t)
	url, arn := testQueue(ctx, t, client, "poller-partial")
	sendBodies(ctx, t, client, url, "ok-1", "fail", "ok-2")

	seen := &deliveries{byBody: map[string][]events.SQSMessage{}}
	redelivered := make(chan struct{})
	var once sync.Once
	worker := func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		seen.add(ev)
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			if r.Body != "fail" {
				continue
			}
			if r.Attributes["ApproximateReceiveCount"] == "1" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			once.Do(func() { close(redelivered) })
		}
		return resp, nil
	}

	stop := runPoller(t, &Poller{
		Client: client, QueueURL: url, Worker: worker, WaitTime: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	waitFor(t, redelivered, "the failed message to come back")
	stop()

	for _, body := range []string{"ok-1", "ok-2"} {
		if got := len(seen.get(body)); got != 1 {
			t.Errorf("deliveries of %s: got %d, want 1 (it was deleted after the first)", body, got)
		}
	}
	failed := seen.get("fail")
	if len(failed) != 2 {
		t.Fatalf("deliveries of the failed message: got %d, want 2", len(failed))
	}
	if failed[0].MessageId != failed[1].MessageId {
		t.Errorf("redelivered message id: got %q, want %q", failed[1].MessageId, failed[0].MessageId)
	}
	if got := failed[1].Attributes["ApproximateReceiveCount"]; got != "2" {
		t.Errorf("ApproximateReceiveCount on redelivery: got %q, want 2", got)
	}
	if got := queueDepth(ctx, t, client, url); got != "0+0" {
		t.Errorf("queue depth (visible+in flight) after the run: got %s, want 0+0", got)
	}

	r := seen.get("ok-1")[0]
	sum := md5.Sum([]byte("ok-1"))
	checks := []struct {
		name      string
		got, want any
	}{
		{"eventSource", r.EventSource, "aws:sqs"},
		{"eventSourceARN", r.EventSourceARN, arn},
		{"awsRegion", r.AWSRegion, DefaultRegion},
		{"md5OfBody", r.Md5OfBody, hex.EncodeToString(sum[:])},
		{"ApproximateReceiveCount", r.Attributes["ApproximateReceiveCount"], "1"},
		{"messageAttributes kind", aws.ToString(r.MessageAttributes["kind"].StringValue), "rotation"},
		{"messageAttributes dataType", r.MessageAttributes["kind"].DataType, "String"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if r.MessageId == "" || r.ReceiptHandle == "" {
		t.Errorf("messageId, receiptHandle: got %q, %q, want both set", r.MessageId, r.ReceiptHandle)
	}
	if r.Attributes["SentTimestamp"] == "" {
		t.Errorf("attributes: got %v, want SentTimestamp among them", r.Attributes)
	}
	if !strings.HasPrefix(arn, "arn:aws:sqs:") {
		t.Errorf("queue ARN: got %q, want an SQS ARN", arn)
	}
}

func TestPollerWorkerErrorKeepsBatch(t *testing.T) {
	ctx := context.Background()
	client := startKumo(t)
	url, _ := testQueue(ctx, t, client, "poller-error")
	bodies := []string{"m-1", "m-2", "m-3"}
	sendBodies(ctx, t, client, url, bodies...)

	seen := &deliveries{byBody: map[string][]events.SQSMessage{}}
	var (
		mu          sync.Mutex
		failedBatch map[string]bool // bodies of the batch whose invocation failed
		succeeded   = map[string]bool{}
	)
	finished := make(chan struct{})
	var once sync.Once
	worker := func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		seen.add(ev)
		mu.Lock()
		defer mu.Unlock()
		if failedBatch == nil {
			failedBatch = map[string]bool{}
			for _, r := range ev.Records {
				failedBatch[r.Body] = true
			}
			return events.SQSEventResponse{}, errors.New("worker crashed")
		}
		for _, r := range ev.Records {
			succeeded[r.Body] = true
		}
		if len(succeeded) == len(bodies) {
			once.Do(func() { close(finished) })
		}
		return events.SQSEventResponse{}, nil
	}

	stop := runPoller(t, &Poller{
		Client: client, QueueURL: url, Worker: worker, WaitTime: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	waitFor(t, finished, "every message to succeed")
	stop()

	for body := range failedBatch {
		got := seen.get(body)
		if len(got) != 2 {
			t.Errorf("deliveries of %s from the failed batch: got %d, want 2", body, len(got))
			continue
		}
		if rc := got[1].Attributes["ApproximateReceiveCount"]; rc != "2" {
			t.Errorf("ApproximateReceiveCount of %s on redelivery: got %q, want 2", body, rc)
		}
	}
	if got := queueDepth(ctx, t, client, url); got != "0+0" {
		t.Errorf("queue depth (visible+in flight) after the run: got %s, want 0+0", got)
	}
}

func TestFailedSet(t *testing.T) {
	messages := []types.Message{{MessageId: aws.String("a")}, {MessageId: aws.String("b")}}
	tests := []struct {
		name    string
		resp    events.SQSEventResponse
		want    map[string]bool
		wantErr string
	}{
		{"none failed", events.SQSEventResponse{}, map[string]bool{}, ""},
		{"one failed", events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "b"}}}, map[string]bool{"b": true}, ""},
		{"empty identifier", events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil, "empty itemIdentifier"},
		{"unknown identifier", events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "zzz"}}}, nil, "names no message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := failedSet(tt.resp, messages)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("failedSet: got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("failedSet: got error %v, want none", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("failedSet: got %v, want %v", got, tt.want)
			}
			for id := range tt.want {
				if !got[id] {
					t.Errorf("failedSet: got %v, want %s in it", got, id)
				}
			}
		})
	}
}

func TestPollerRejectsConfig(t *testing.T) {
	worker := func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	}
	tests := []struct {
		name string
		p    Poller
		want string
	}{
		{"no client", Poller{QueueURL: "u", Worker: worker}, "required"},
		{"batch too large", Poller{Client: &sqs.Client{}, QueueURL: "u", Worker: worker, BatchSize: 11}, "batch size 11"},
		{"wait too long", Poller{Client: &sqs.Client{}, QueueURL: "u", Worker: worker, WaitTime: 21 * time.Second}, "wait time"},
		{"wait fraction", Poller{Client: &sqs.Client{}, QueueURL: "u", Worker: worker, WaitTime: 1500 * time.Millisecond}, "wait time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
