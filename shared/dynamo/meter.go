package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// ItemReader reads items for a Meter without being metered itself: pass a
// client that has no Meter installed.
type ItemReader interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Meter records every operation called through the AWS SDK clients it is
// installed on, for tests and benchmarks that count what a request costs.
// It works for any service. Given an ItemReader, it also computes the
// DynamoDB read and write request units of each call from the real sizes of
// the items read and written.
//
// To size a write, the meter reads each target item before and after the
// write with the ItemReader, so the units are exact only while nothing else
// writes those items at the same time. Those reads are not recorded.
type Meter struct {
	reader  ItemReader
	indexes []indexKeys

	mu    sync.Mutex
	calls []Call
}

// Call is one operation called through a metered client.
type Call struct {
	// Service is the SDK's service id, such as "DynamoDB", "KMS" or "SQS".
	Service string
	// Operation is the API operation, such as "GetItem".
	Operation string
	// Input is the operation's input, such as *dynamodb.GetItemInput.
	Input any
	// RoundTrips counts the HTTP requests sent: more than one when the SDK
	// retried.
	RoundTrips int
	// ReadUnits and WriteUnits are the DynamoDB request units consumed,
	// computed by the rules of ReadUnits and WriteUnits. Both are zero for
	// other services and when the meter has no ItemReader.
	ReadUnits, WriteUnits float64
	// ErrorCode is the API error code of a failed call, such as
	// "ConditionalCheckFailedException", or "" when it succeeded.
	ErrorCode string
	// Start is when the call entered the SDK's middleware stack, and
	// Duration how long it took from there to its result.
	Start    time.Time
	Duration time.Duration
}

// Name returns "Service.Operation", such as "DynamoDB.GetItem".
func (c Call) Name() string { return c.Service + "." + c.Operation }

// NewMeter returns a Meter that sizes DynamoDB items with reader, or only
// counts calls and round trips when reader is nil.
func NewMeter(reader ItemReader) *Meter {
	return &Meter{reader: reader, indexes: tableIndexes()}
}

type callKey struct{}

// AddTo installs the meter on a client's middleware stack. Append it to the
// client's Options.APIOptions, for any AWS service:
//
//	dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, m.AddTo) })
func (m *Meter) AddTo(stack *middleware.Stack) error {
	record := middleware.InitializeMiddlewareFunc("RecordCall", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c := &Call{Service: awsmiddleware.GetServiceID(ctx), Operation: awsmiddleware.GetOperationName(ctx), Input: in.Parameters}
		if c.Operation == "" {
			c.Operation = stack.ID()
		}
		var before []itemImage
		if c.Service == dynamodb.ServiceID && m.reader != nil {
			before = m.images(ctx, writeTargets(in.Parameters))
		}

		c.Start = time.Now()
		out, md, err := next.HandleInitialize(context.WithValue(ctx, callKey{}, c), in)
		c.Duration = time.Since(c.Start)

		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			c.ErrorCode = apiErr.ErrorCode()
		} else if err != nil {
			c.ErrorCode = "error"
		}
		if c.Service == dynamodb.ServiceID && m.reader != nil {
			c.ReadUnits, c.WriteUnits = m.consumed(ctx, in.Parameters, out.Result, before, c.ErrorCode)
		}
		m.mu.Lock()
		m.calls = append(m.calls, *c)
		m.mu.Unlock()
		return out, md, err
	})
	if err := stack.Initialize.Add(record, middleware.After); err != nil {
		return fmt.Errorf("add call recorder: %w", err)
	}

	// The deserialize step runs once per HTTP attempt, inside the retry loop.
	attempt := middleware.DeserializeMiddlewareFunc("CountRoundTrip", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
		if c, ok := ctx.Value(callKey{}).(*Call); ok {
			c.RoundTrips++
		}
		return next.HandleDeserialize(ctx, in)
	})
	if err := stack.Deserialize.Add(attempt, middleware.After); err != nil {
		return fmt.Errorf("add round-trip counter: %w", err)
	}
	return nil
}

// Take returns the calls completed since the last Take, in the order they
// completed, and clears the record.
func (m *Meter) Take() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := Usage(m.calls)
	m.calls = nil
	return u
}

// Usage is a sequence of metered calls.
type Usage []Call

// RoundTrips returns the number of HTTP requests sent to service, or to
// every service when service is "".
func (u Usage) RoundTrips(service string) int {
	n := 0
	for _, c := range u {
		if service == "" || c.Service == service {
			n += c.RoundTrips
		}
	}
	return n
}

// Units returns the total DynamoDB read and write request units.
func (u Usage) Units() (read, write float64) {
	for _, c := range u {
		read += c.ReadUnits
		write += c.WriteUnits
	}
	return read, write
}

// Summary lists the calls in order, one "Service.Operation" each, with the
// error code of a failed call in brackets and "xN" for a call that took N
// round trips, such as "DynamoDB.GetItem DynamoDB.UpdateItem[ConditionalCheckFailedException]".
func (u Usage) Summary() string {
	parts := make([]string, len(u))
	for i, c := range u {
		s := c.Name()
		if c.ErrorCode != "" {
			s += "[" + c.ErrorCode + "]"
		}
		if c.RoundTrips != 1 {
			s += fmt.Sprintf("x%d", c.RoundTrips)
		}
		parts[i] = s
	}
	return strings.Join(parts, " ")
}
