package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cloudconnector/cloudconnector/scripts/internal/localaws"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// requireEndpoints fails the test unless the environment points at running
// servers. make test starts kumo and local-kms and exports their endpoints.
func requireEndpoints(t *testing.T) {
	t.Helper()
	if os.Getenv("AWS_ENDPOINT_URL") == "" || os.Getenv("AWS_ENDPOINT_URL_KMS") == "" {
		t.Fatal("AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS are not set; run the tests with make test, which starts kumo and local-kms, or start them with make stack-start and export both")
	}
}

func uniqueSuffix(t *testing.T) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random suffix: %v", err)
	}
	return hex.EncodeToString(b[:])
}

// parseExports reads "export NAME='value'" lines.
func parseExports(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			t.Fatalf("output line %q does not start with export", line)
		}
		name, value, ok := strings.Cut(rest, "=")
		if !ok || len(value) < 2 || value[0] != '\'' || value[len(value)-1] != '\'' {
			t.Fatalf("output line %q is not NAME='value'", line)
		}
		got[name] = value[1 : len(value)-1]
	}
	return got
}

func TestRunCreatesThenReuses(t *testing.T) {
	requireEndpoints(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	suffix := uniqueSuffix(t)
	args := []string{
		"-table", "setup-test-" + suffix,
		"-queue", "setup-test-rotation-" + suffix,
		"-dlq", "setup-test-rotation-dlq-" + suffix,
		"-alias", "alias/setup-test-" + suffix,
		"-wait", "30s",
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	var first, second bytes.Buffer
	if err := run(ctx, args, &first, io.Discard, logger); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if err := run(ctx, args, &second, io.Discard, logger); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if first.String() != second.String() {
		t.Errorf("second run output:\n%s\nwant the same as the first:\n%s", second.String(), first.String())
	}

	got := parseExports(t, first.String())
	for _, name := range []string{"TABLE_NAME", "ROTATION_QUEUE_URL", "ROTATION_DLQ_URL", "KMS_KEY_ID"} {
		if got[name] == "" {
			t.Errorf("export %s: got empty, want a value", name)
		}
	}
	if got["TABLE_NAME"] != "setup-test-"+suffix {
		t.Errorf("TABLE_NAME: got %q, want %q", got["TABLE_NAME"], "setup-test-"+suffix)
	}

	cfg, err := localaws.Load(ctx)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	checkTable(ctx, t, dynamodb.NewFromConfig(cfg), got["TABLE_NAME"])
	checkQueues(ctx, t, sqs.NewFromConfig(cfg), got["ROTATION_QUEUE_URL"], got["ROTATION_DLQ_URL"])
	checkKey(ctx, t, kms.NewFromConfig(cfg), "alias/setup-test-"+suffix, got["KMS_KEY_ID"])
}

func checkTable(ctx context.Context, t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	table, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("describe table: %v", err)
	}
	if got := table.Table.TableStatus; got != ddbtypes.TableStatusActive {
		t.Errorf("table status: got %s, want ACTIVE", got)
	}
	if got, want := len(table.Table.GlobalSecondaryIndexes), len(dynamo.TableInput(name).GlobalSecondaryIndexes); got != want {
		t.Errorf("indexes: got %d, want %d", got, want)
	}

	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("describe TTL: %v", err)
	}
	if got := ttl.TimeToLiveDescription.TimeToLiveStatus; got != ddbtypes.TimeToLiveStatusEnabled {
		t.Errorf("TTL status: got %s, want ENABLED", got)
	}
	if got := aws.ToString(ttl.TimeToLiveDescription.AttributeName); got != dynamo.AttrTTL {
		t.Errorf("TTL attribute: got %q, want %q", got, dynamo.AttrTTL)
	}
}

func checkQueues(ctx context.Context, t *testing.T, client *sqs.Client, queueURL, dlqURL string) {
	t.Helper()
	dlq, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(dlqURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("get dead-letter queue attributes: %v", err)
	}
	queue, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("get rotation queue attributes: %v", err)
	}

	if got := queue.Attributes["VisibilityTimeout"]; got != "30" {
		t.Errorf("VisibilityTimeout: got %q, want 30", got)
	}
	if got := dlq.Attributes["MessageRetentionPeriod"]; got != deadLetterRetention {
		t.Errorf("dead-letter MessageRetentionPeriod: got %q, want %s", got, deadLetterRetention)
	}
	var redrive struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(queue.Attributes["RedrivePolicy"]), &redrive); err != nil {
		t.Fatalf("parse RedrivePolicy %q: %v", queue.Attributes["RedrivePolicy"], err)
	}
	if redrive.DeadLetterTargetArn != dlq.Attributes["QueueArn"] {
		t.Errorf("deadLetterTargetArn: got %q, want %q", redrive.DeadLetterTargetArn, dlq.Attributes["QueueArn"])
	}
	if got := strings.Trim(string(redrive.MaxReceiveCount), `"`); got != "8" {
		t.Errorf("maxReceiveCount: got %s, want 8", redrive.MaxReceiveCount)
	}
}

func checkKey(ctx context.Context, t *testing.T, client *kms.Client, alias, keyID string) {
	t.Helper()
	described, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		t.Fatalf("describe key %s: %v", alias, err)
	}
	if got := aws.ToString(described.KeyMetadata.KeyId); got != keyID {
		t.Errorf("key behind %s: got %q, want %q", alias, got, keyID)
	}

	sealed, err := client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(alias), Plaintext: []byte("secret")})
	if err != nil {
		t.Fatalf("encrypt with %s: %v", alias, err)
	}
	opened, err := client.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: sealed.CiphertextBlob})
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	if string(opened.Plaintext) != "secret" {
		t.Errorf("decrypted: got %q, want %q", opened.Plaintext, "secret")
	}
}

func TestSpecValidate(t *testing.T) {
	valid := Spec{Table: "t", Queue: "q", DeadLetterQueue: "d", VisibilityTimeout: 30 * time.Second, MaxReceiveCount: 8, KeyAlias: "alias/k"}
	tests := []struct {
		name string
		edit func(*Spec)
		want string // empty when the spec is valid
	}{
		{"valid", func(*Spec) {}, ""},
		{"table empty", func(s *Spec) { s.Table = "" }, "table name is empty"},
		{"queue empty", func(s *Spec) { s.Queue = "" }, "must not be empty"},
		{"same queue names", func(s *Spec) { s.DeadLetterQueue = "q" }, "different names"},
		{"visibility fraction", func(s *Spec) { s.VisibilityTimeout = 1500 * time.Millisecond }, "whole seconds"},
		{"visibility too long", func(s *Spec) { s.VisibilityTimeout = 13 * time.Hour }, "whole seconds"},
		{"receive count zero", func(s *Spec) { s.MaxReceiveCount = 0 }, "1 to 1000"},
		{"alias without prefix", func(s *Spec) { s.KeyAlias = "cloud-connector" }, "must start with alias/"},
		{"alias prefix only", func(s *Spec) { s.KeyAlias = "alias/" }, "must start with alias/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := valid
			tt.edit(&spec)
			err := spec.validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("validate: got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("validate: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "'plain'"},
		{"", "''"},
		{"it's", `'it'\''s'`},
		{"$HOME `x`", "'$HOME `x`'"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q): got %s, want %s", tt.in, got, tt.want)
		}
	}
}
