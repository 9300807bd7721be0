package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/scripts/bench/internal/targets"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

// invocation is the event a target receives and the response that shows it
// did its real work: for an HTTP function, the status of a lookup of an id
// that is not in the (empty) table.
type invocation struct {
	event      []byte
	wantStatus int // 0 when the response has no status code
}

// bodies holds a body for the routes that need one to reach the store.
var bodies = map[string]string{
	"POST /links": `{"siteId":"site-bench","connectorId":"%s","scopes":["READ"]}`,
}

// invocationFor returns the event of t. An HTTP function gets its first GET
// route by id, or its first route when it has none, with well-formed ids
// that do not exist, so it reads the table and responds with 404. The rotation worker
// gets a rotate message for a missing link and the scheduler a scheduled
// event. Baselines get an empty object.
func invocationFor(t targets.Target) (invocation, error) {
	if t.Kind != targets.Function {
		return invocation{event: []byte(`{}`)}, nil
	}
	now := time.Now()
	linkID := domain.NewID(domain.PrefixLink, now)
	connectorID := domain.NewID(domain.PrefixConnector, now)

	switch t.Name {
	case routes.RotationWorker:
		body, err := json.Marshal(service.Message{Kind: service.MsgRotate, LinkID: linkID, RotationID: domain.NewID(domain.PrefixRotation, now)})
		if err != nil {
			return invocation{}, fmt.Errorf("encode rotate message: %w", err)
		}
		ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "bench-1", ReceiptHandle: "", Body: string(body),
			Attributes: map[string]string{"ApproximateReceiveCount": "1"}, EventSource: "aws:sqs", AWSRegion: "us-east-1"}}}
		b, err := json.Marshal(ev)
		return invocation{event: b}, err
	case routes.RotationScheduler:
		b, err := json.Marshal(events.EventBridgeEvent{Version: "0", ID: "bench-1", DetailType: "Scheduled Event",
			Source: "aws.events", Region: "us-east-1", Time: now.UTC(), Detail: json.RawMessage(`{}`)})
		return invocation{event: b}, err
	}

	own := routes.ForFunction(t.Name)
	if len(own) == 0 {
		return invocation{}, fmt.Errorf("function %s serves no route and has no bench event", t.Name)
	}
	r := own[0]
	for _, candidate := range own {
		if candidate.Method == "GET" && strings.Contains(candidate.Path, "{") {
			r = candidate
			break
		}
	}
	params := map[string]string{}
	path := r.Path
	for name, value := range map[string]string{"linkId": linkID, "connectorId": connectorID, "siteId": "site-bench"} {
		if strings.Contains(path, "{"+name+"}") {
			params[name] = value
			path = strings.ReplaceAll(path, "{"+name+"}", value)
		}
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: r.Key(), RawPath: path, PathParameters: params,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: r.Key(), RequestID: "bench", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: path, SourceIP: "127.0.0.1"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
					"sub": "bench", "org": "org-bench",
					"roles": "[org-admin site-admin:site-bench site-app:site-bench dc-admin:" + connectorID + "]",
				}},
			},
		},
	}
	if body, ok := bodies[r.Key()]; ok {
		ev.Body = fmt.Sprintf(body, connectorID)
	}
	b, err := json.Marshal(ev)
	return invocation{event: b, wantStatus: 404}, err
}
