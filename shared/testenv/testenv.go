// Package testenv connects tests to the real local servers: DynamoDB and SQS
// from kumo, KMS from local-kms, and the simulated Data Center in-process over
// real HTTP on 127.0.0.1. `make test` starts the servers and sets
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS; each test gets its own table,
// queues and key, so tests run in parallel without seeing each other.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	stypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// AWS holds clients for the local servers.
type AWS struct {
	Config   aws.Config
	DynamoDB *dynamodb.Client
	SQS      *sqs.Client
	KMS      *kms.Client
}

// LocalAWS returns clients for the local servers named by AWS_ENDPOINT_URL
// (kumo) and AWS_ENDPOINT_URL_KMS (local-kms). It fails the test when they
// are not set: run the tests with `make test`, which starts the servers.
func LocalAWS(t testing.TB) AWS {
	t.Helper()
	ep, kmsEP := os.Getenv("AWS_ENDPOINT_URL"), os.Getenv("AWS_ENDPOINT_URL_KMS")
	if ep == "" || kmsEP == "" {
		t.Fatal("AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS are not set: run the tests with `make test`, which starts kumo and local-kms on 127.0.0.1")
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(ep),
	}
	return AWS{
		Config:   cfg,
		DynamoDB: dynamodb.NewFromConfig(cfg),
		SQS:      sqs.NewFromConfig(cfg),
		KMS:      kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(kmsEP) }),
	}
}

func uniqueName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// NewTable creates a table with the service's layout and TTL and deletes it
// when the test ends.
func (a AWS) NewTable(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	name := uniqueName("test")
	if _, err := a.DynamoDB.CreateTable(ctx, dynamo.TableInput(name)); err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	if _, err := a.DynamoDB.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(name),
		TimeToLiveSpecification: &dtypes.TimeToLiveSpecification{AttributeName: aws.String(dynamo.AttrTTL), Enabled: aws.Bool(true)},
	}); err != nil {
		t.Fatalf("enable TTL on %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = a.DynamoDB.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

// Queue is a rotation queue with its dead-letter queue.
type Queue struct {
	URL, DLQURL string
}

// NewQueue creates a queue whose messages move to a dead-letter queue after
// maxReceive deliveries, with the given visibility timeout.
func (a AWS) NewQueue(t testing.TB, maxReceive int, visibility time.Duration) Queue {
	t.Helper()
	ctx := context.Background()
	name := uniqueName("rotation")
	dlq, err := a.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		t.Fatalf("create dead-letter queue: %v", err)
	}
	attrs, err := a.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []stypes.QueueAttributeName{stypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("read dead-letter queue ARN: %v", err)
	}
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, attrs.Attributes["QueueArn"], maxReceive)
	q, err := a.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{
		"RedrivePolicy":     redrive,
		"VisibilityTimeout": fmt.Sprint(int(visibility / time.Second)),
	}})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	t.Cleanup(func() {
		_, _ = a.SQS.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl})
		_, _ = a.SQS.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: dlq.QueueUrl})
	})
	return Queue{URL: aws.ToString(q.QueueUrl), DLQURL: aws.ToString(dlq.QueueUrl)}
}

// NewKey creates a symmetric KMS key and returns its id.
func (a AWS) NewKey(t testing.TB) string {
	t.Helper()
	out, err := a.KMS.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String("cloud connector test")})
	if err != nil {
		t.Fatalf("create KMS key: %v", err)
	}
	return aws.ToString(out.KeyMetadata.KeyId)
}

// DataCenter is a simulated Data Center instance serving real HTTP on
// 127.0.0.1.
type DataCenter struct {
	Sim *sim.Simulator
	URL string
	srv *http.Server
	ln  net.Listener
}

// StartDataCenter starts a simulated Data Center on a free loopback port and
// stops it when the test ends.
func StartDataCenter(t testing.TB) *DataCenter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	s := sim.New(nil, sim.WithLogger(slog.New(slog.DiscardHandler)))
	dc := &DataCenter{Sim: s, URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}, ln: ln}
	go func() { _ = dc.srv.Serve(ln) }()
	t.Cleanup(dc.Stop)
	return dc
}

// Stop closes the simulated instance; calls to it then fail to connect.
func (d *DataCenter) Stop() {
	_ = d.srv.Close()
}
