package gateway

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// invoke calls fn as the Lambda runtime would. The context carries a Lambda
// context with a fresh request id and the function's ARN, and a deadline of
// cfg.Timeout. A panic becomes an error, so one bad input cannot stop the
// local API. The caller's cancellation does not reach the
// function, because a client that goes away does not stop a Lambda
// invocation either.
//
// When the deadline passes first, invoke returns errIntegrationTimeout at
// once and fn keeps running in its goroutine until it returns.
func invoke[T any](parent context.Context, cfg Config, function string, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), cfg.Timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       newUUID(),
		InvokedFunctionArn: functionARN(cfg.Region, cfg.AccountID, function),
	})

	type result struct {
		value T
		err   error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("function %s panicked: %v\n%s", function, p, debug.Stack())}
			}
		}()
		value, err := fn(ctx)
		done <- result{value: value, err: err}
	}()

	select {
	case res := <-done:
		return res.value, res.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("function %s: %w after %s", function, errIntegrationTimeout, cfg.Timeout)
	}
}
