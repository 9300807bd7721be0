package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// Spec names the resources to create and their settings.
type Spec struct {
	Table             string
	Queue             string
	DeadLetterQueue   string
	VisibilityTimeout time.Duration
	MaxReceiveCount   int
	KeyAlias          string
}

// Output identifies the resources that the setup created or found.
type Output struct {
	Table              string
	QueueURL           string
	DeadLetterQueueURL string
	KeyID              string
}

func (s Spec) validate() error {
	switch {
	case s.Table == "":
		return errors.New("table name is empty")
	case s.Queue == "" || s.DeadLetterQueue == "":
		return errors.New("queue names must not be empty")
	case s.Queue == s.DeadLetterQueue:
		return fmt.Errorf("queue and dead-letter queue are both %q; give them different names", s.Queue)
	case s.VisibilityTimeout < 0 || s.VisibilityTimeout > 12*time.Hour || s.VisibilityTimeout%time.Second != 0:
		return fmt.Errorf("visibility timeout %s is invalid; SQS takes whole seconds from 0 to 12h", s.VisibilityTimeout)
	case s.MaxReceiveCount < 1 || s.MaxReceiveCount > 1000:
		return fmt.Errorf("max receive count %d is invalid; SQS takes 1 to 1000", s.MaxReceiveCount)
	case !strings.HasPrefix(s.KeyAlias, "alias/") || s.KeyAlias == "alias/":
		return fmt.Errorf("key alias %q is invalid; it must start with alias/", s.KeyAlias)
	}
	return nil
}

type setup struct {
	db     *dynamodb.Client
	queues *sqs.Client
	keys   *kms.Client
	logger *slog.Logger
}

// apply creates each resource that is missing and checks the ones that exist.
func (s *setup) apply(ctx context.Context, spec Spec) (Output, error) {
	if err := s.ensureTable(ctx, spec.Table); err != nil {
		return Output{}, err
	}
	dlqURL, queueURL, err := s.ensureQueues(ctx, spec)
	if err != nil {
		return Output{}, err
	}
	keyID, err := s.ensureKey(ctx, spec.KeyAlias)
	if err != nil {
		return Output{}, err
	}
	return Output{Table: spec.Table, QueueURL: queueURL, DeadLetterQueueURL: dlqURL, KeyID: keyID}, nil
}

// waitForEndpoints calls one cheap read of each service until all three
// respond or wait has passed. A local server that is still starting refuses
// connections for a moment.
func (s *setup) waitForEndpoints(ctx context.Context, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()

	probes := []struct {
		service string
		call    func(context.Context) error
	}{
		{"DynamoDB", func(ctx context.Context) error {
			_, err := s.db.ListTables(ctx, &dynamodb.ListTablesInput{}, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
			return err
		}},
		{"SQS", func(ctx context.Context) error {
			_, err := s.queues.ListQueues(ctx, &sqs.ListQueuesInput{}, func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
			return err
		}},
		{"KMS", func(ctx context.Context) error {
			_, err := s.keys.ListAliases(ctx, &kms.ListAliasesInput{}, func(o *kms.Options) { o.RetryMaxAttempts = 1 })
			return err
		}},
	}

	for _, p := range probes {
		for attempt := 1; ; attempt++ {
			callCtx, cancelCall := context.WithTimeout(ctx, 2*time.Second)
			err := p.call(callCtx)
			cancelCall()
			if responded(err) {
				break
			}
			if !unreachable(err) {
				return fmt.Errorf("probe %s endpoint: %w", p.service, err)
			}
			if attempt == 1 {
				s.logger.Info("waiting for endpoint", "service", p.service, "error", err)
			}

			select {
			case <-ctx.Done():
				return fmt.Errorf("wait for %s endpoint: no response within %s (last error: %w); is the local stack running (make stack-start)?", p.service, wait, err)
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

// responded reports whether the endpoint sent a response: success, or an
// error response from the service, which the setup steps then report.
func responded(err error) bool {
	var apiErr smithy.APIError
	return err == nil || errors.As(err, &apiErr)
}

// unreachable reports whether err is a transport failure, such as a refused
// connection or a timed-out call, that retrying may cure.
func unreachable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}
