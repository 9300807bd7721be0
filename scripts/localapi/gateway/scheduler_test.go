package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func TestSchedulerFiresScheduledEvents(t *testing.T) {
	fired := make(chan events.EventBridgeEvent, 4)
	arns := make(chan string, 4)
	calls := 0
	s := &Scheduler{
		Interval:  5 * time.Millisecond,
		Region:    "eu-west-1",
		AccountID: "123456789012",
		RuleName:  "rotation",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Invoke: func(ctx context.Context, ev events.EventBridgeEvent) error {
			calls++
			// Sends never block, so a late tick cannot hold up the stop.
			if lc, ok := lambdacontext.FromContext(ctx); ok {
				select {
				case arns <- lc.InvokedFunctionArn:
				default:
				}
			}
			select {
			case fired <- ev:
			default:
			}
			if calls == 1 {
				return errors.New("first run fails; the schedule must go on")
			}
			return nil
		},
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var got []events.EventBridgeEvent
	for len(got) < 2 {
		select {
		case ev := <-fired:
			got = append(got, ev)
		case <-time.After(60 * time.Second):
			t.Fatal("gave up waiting for two scheduled invocations")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: got %v, want nil after cancel", err)
	}

	ev := got[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"version", ev.Version, "0"},
		{"detail-type", ev.DetailType, "Scheduled Event"},
		{"source", ev.Source, "aws.events"},
		{"account", ev.AccountID, "123456789012"},
		{"region", ev.Region, "eu-west-1"},
		{"resources", len(ev.Resources), 1},
		{"detail", string(ev.Detail), "{}"},
		{"time has whole seconds", ev.Time.Nanosecond(), 0},
		{"time zone", ev.Time.Location(), time.UTC},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if want := "arn:aws:events:eu-west-1:123456789012:rule/rotation"; len(ev.Resources) == 1 && ev.Resources[0] != want {
		t.Errorf("resources[0]: got %q, want %q", ev.Resources[0], want)
	}
	if got[0].ID == got[1].ID || got[1].ID == "" {
		t.Errorf("event ids: got %q and %q, want two different ids", got[0].ID, got[1].ID)
	}
	if arn := <-arns; arn != "arn:aws:lambda:eu-west-1:123456789012:function:rotationscheduler" {
		t.Errorf("function ARN: got %q, want the rotationscheduler ARN", arn)
	}
}

func TestSchedulerRequiresInvoke(t *testing.T) {
	if err := (&Scheduler{}).Run(context.Background()); err == nil {
		t.Error("Run without Invoke: got nil, want an error")
	}
}
