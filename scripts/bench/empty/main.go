// Command empty is the cold-start and binary-size baseline of the
// benchmarks: an aws-lambda-go handler that creates nothing and returns an
// empty JSON object for every event.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	})
}
