// Package rotation holds the Lambda handlers of the rotation worker (an SQS
// consumer) and the rotation scheduler (an EventBridge schedule).
package rotation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/service"
)

// WorkerHandler is the rotation worker's Lambda handler.
type WorkerHandler func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// maxMessageBytes bounds a message body the worker parses.
const maxMessageBytes = 4096

// NewWorker returns the handler of the rotation queue. It processes every
// record of the batch and reports the failed ones as batch item failures, so
// one bad message never fails the batch. A malformed message is reported on
// every delivery until SQS moves it to the dead-letter queue. A retryable one
// is made visible again after its backoff.
func NewWorker(svc *service.Service, log *slog.Logger) WorkerHandler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, rec := range ev.Records {
			if err := handleRecord(ctx, svc, log, rec); err != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		}
		return resp, nil
	}
}

func handleRecord(ctx context.Context, svc *service.Service, log *slog.Logger, rec events.SQSMessage) error {
	receiveCount, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	if receiveCount < 1 {
		receiveCount = 1
	}
	m, err := parseMessage(rec.Body)
	if err != nil {
		log.ErrorContext(ctx, "malformed rotation message", "message_id", rec.MessageId, "receive_count", receiveCount, "error", err)
		return err
	}
	err = svc.HandleMessage(ctx, m, receiveCount)
	var retry *service.RetryError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &retry):
		if rec.ReceiptHandle != "" && svc.Queue != nil {
			if verr := svc.Queue.Delay(ctx, rec.ReceiptHandle, retry.Backoff); verr != nil {
				log.WarnContext(ctx, "set retry backoff failed", "message_id", rec.MessageId, "error", verr)
			}
		}
		log.WarnContext(ctx, "rotation message will be retried", "message_id", rec.MessageId, "kind", m.Kind,
			"link_id", m.LinkID, "rotation_id", m.RotationID, "receive_count", receiveCount, "backoff", retry.Backoff.String(), "error", retry.Err)
		return err
	default:
		log.ErrorContext(ctx, "rotation message rejected", "message_id", rec.MessageId, "kind", m.Kind,
			"link_id", m.LinkID, "receive_count", receiveCount, "error", err)
		return err
	}
}

func parseMessage(body string) (service.Message, error) {
	var m service.Message
	if len(body) > maxMessageBytes {
		return m, errors.New("message body is larger than 4096 bytes")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, err
	}
	if dec.More() {
		return m, errors.New("message body has data after the JSON object")
	}
	return m, nil
}
