package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/scripts/localapi/gateway"
	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/httpapi"
	"github.com/cloudconnector/cloudconnector/shared/kmsseal"
	"github.com/cloudconnector/cloudconnector/shared/rotation"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/sqsqueue"
)

// buildFunctions creates the handlers of every function from the same
// environment the Lambda functions read, sharing one service, so the local
// API runs exactly the handler code that is deployed.
func buildFunctions(ctx context.Context) (gateway.Functions, error) {
	log := slog.Default()
	svc, set, err := config.Build(ctx, config.Needs{Store: true, Sealer: true, DataCenter: true, Queue: true}, log)
	if err != nil {
		return gateway.Functions{}, err
	}
	svc.Sealer = kmsseal.FromConfig(set.AWS, set.KeyID)
	svc.Queue = sqsqueue.FromConfig(set.AWS, set.QueueURL)
	fns := gateway.Functions{HTTP: map[string]gateway.HTTPHandler{}}
	for _, fn := range routes.HTTPFunctions() {
		h, err := httpapi.New(fn, svc, log)
		if err != nil {
			return gateway.Functions{}, fmt.Errorf("build %s: %w", fn, err)
		}
		fns.HTTP[fn] = gateway.HTTPHandler(h)
	}
	fns.Worker = rotation.NewWorker(svc, log)
	scheduler := rotation.NewScheduler(svc, log)
	fns.Scheduler = func(ctx context.Context, ev events.EventBridgeEvent) error { return scheduler(ctx, ev) }
	return fns, nil
}
