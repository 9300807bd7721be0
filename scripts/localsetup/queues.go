package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

// deadLetterRetention is how long the dead-letter queue keeps a message: 14
// days, the SQS maximum, so a failed rotation can be inspected and replayed.
const deadLetterRetention = "1209600"

// ensureQueues creates the dead-letter queue and the rotation queue that
// redrives to it, or sets their attributes when they exist. It returns both
// queue URLs.
func (s *setup) ensureQueues(ctx context.Context, spec Spec) (dlqURL, queueURL string, err error) {
	dlqURL, err = s.ensureQueue(ctx, spec.DeadLetterQueue, map[string]string{
		string(types.QueueAttributeNameMessageRetentionPeriod): deadLetterRetention,
	})
	if err != nil {
		return "", "", err
	}
	dlqARN, err := s.queueARN(ctx, dlqURL)
	if err != nil {
		return "", "", err
	}

	redrive, err := json.Marshal(map[string]string{
		"deadLetterTargetArn": dlqARN,
		"maxReceiveCount":     strconv.Itoa(spec.MaxReceiveCount),
	})
	if err != nil {
		return "", "", fmt.Errorf("encode redrive policy: %w", err)
	}
	queueURL, err = s.ensureQueue(ctx, spec.Queue, map[string]string{
		string(types.QueueAttributeNameVisibilityTimeout): strconv.Itoa(int(spec.VisibilityTimeout.Seconds())),
		string(types.QueueAttributeNameRedrivePolicy):     string(redrive),
	})
	if err != nil {
		return "", "", err
	}
	return dlqURL, queueURL, nil
}

// ensureQueue returns the URL of queue name, creating it with attributes, or
// setting attributes on it when it exists.
func (s *setup) ensureQueue(ctx context.Context, name string, attributes map[string]string) (string, error) {
	found, err := s.queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err == nil {
		url := aws.ToString(found.QueueUrl)
		_, err := s.queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attributes})
		if err != nil {
			return "", fmt.Errorf("set attributes of queue %s: %w", name, err)
		}
		s.logger.Info("queue exists, attributes set", "queue", name, "url", url)
		return url, nil
	}
	if !isQueueMissing(err) {
		return "", fmt.Errorf("look up queue %s: %w", name, err)
	}

	created, err := s.queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attributes})
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	url := aws.ToString(created.QueueUrl)
	s.logger.Info("queue created", "queue", name, "url", url)
	return url, nil
}

func (s *setup) queueARN(ctx context.Context, url string) (string, error) {
	out, err := s.queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", fmt.Errorf("get ARN of queue %s: %w", url, err)
	}
	arn := out.Attributes[string(types.QueueAttributeNameQueueArn)]
	if arn == "" {
		return "", fmt.Errorf("get ARN of queue %s: the QueueArn attribute is empty", url)
	}
	return arn, nil
}

// isQueueMissing reports whether err means that the queue does not exist. The
// JSON protocol returns QueueDoesNotExist; the older query protocol code is
// accepted too, for endpoints that still send it.
func isQueueMissing(err error) bool {
	var missing *types.QueueDoesNotExist
	if errors.As(err, &missing) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "AWS.SimpleQueueService.NonExistentQueue"
}
