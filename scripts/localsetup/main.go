// Command localsetup creates the AWS resources of the local stack, or checks
// them when they already exist: the DynamoDB table with TTL enabled, the
// rotation queue and its dead-letter queue, and the KMS key behind its alias.
// Running it again changes nothing that is already right.
//
// It prints the resulting settings as export lines on stdout, for a shell to
// eval, and logs to stderr:
//
//	eval "$(go run ./scripts/localsetup)"
//
// Unless AWS_ENDPOINT_URL is set, it talks to the local servers on 127.0.0.1
// (kumo on 4566, local-kms on AWS_ENDPOINT_URL_KMS or 4599) with dummy
// credentials.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cloudconnector/cloudconnector/scripts/internal/localaws"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, logger)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		logger.Error("local setup failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	spec, wait, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}

	cfg, err := localaws.Load(ctx)
	if err != nil {
		return err
	}
	s := &setup{
		db:     dynamodb.NewFromConfig(cfg),
		queues: sqs.NewFromConfig(cfg),
		keys:   kms.NewFromConfig(cfg),
		logger: logger,
	}

	if err := s.waitForEndpoints(ctx, wait); err != nil {
		return err
	}
	out, err := s.apply(ctx, spec)
	if err != nil {
		return err
	}

	for _, line := range out.exports() {
		fmt.Fprintln(stdout, line)
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (Spec, time.Duration, error) {
	tableDefault := os.Getenv("TABLE_NAME")
	if tableDefault == "" {
		tableDefault = "cloud-connector"
	}

	flags := flag.NewFlagSet("localsetup", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var spec Spec
	flags.StringVar(&spec.Table, "table", tableDefault, "DynamoDB table name (default: $TABLE_NAME, else cloud-connector)")
	flags.StringVar(&spec.Queue, "queue", "cloud-connector-rotation", "rotation queue name")
	flags.StringVar(&spec.DeadLetterQueue, "dlq", "cloud-connector-rotation-dlq", "dead-letter queue name of the rotation queue")
	flags.DurationVar(&spec.VisibilityTimeout, "visibility-timeout", 30*time.Second, "visibility timeout of the rotation queue, whole seconds")
	flags.IntVar(&spec.MaxReceiveCount, "max-receive-count", 8, "receives of one message before SQS moves it to the dead-letter queue")
	flags.StringVar(&spec.KeyAlias, "alias", "alias/cloud-connector", "KMS key alias")
	wait := flags.Duration("wait", time.Minute, "how long to wait for the endpoints to respond")
	if err := flags.Parse(args); err != nil {
		return Spec{}, 0, err
	}
	if flags.NArg() > 0 {
		return Spec{}, 0, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if err := spec.validate(); err != nil {
		return Spec{}, 0, err
	}
	return spec, *wait, nil
}

// exports returns the settings as shell export lines.
func (o Output) exports() []string {
	pairs := [][2]string{
		{"TABLE_NAME", o.Table},
		{"ROTATION_QUEUE_URL", o.QueueURL},
		{"ROTATION_DLQ_URL", o.DeadLetterQueueURL},
		{"KMS_KEY_ID", o.KeyID},
	}
	lines := make([]string, 0, len(pairs))
	for _, p := range pairs {
		lines = append(lines, "export "+p[0]+"="+shellQuote(p[1]))
	}
	return lines
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
