package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// DefaultInterval is how often the Scheduler fires when Interval is zero.
const DefaultInterval = time.Minute

// Scheduler invokes a function on a fixed interval with the event of an
// EventBridge scheduled rule, as the rotation schedule of the deployed
// service does.
type Scheduler struct {
	Invoke func(ctx context.Context, ev events.EventBridgeEvent) error

	Interval  time.Duration // time between invocations, the first one interval after Run starts; DefaultInterval when zero
	RuleName  string        // name of the rule in the event's resources; "local-rotation-schedule" when empty
	Region    string        // DefaultRegion when empty
	AccountID string        // DefaultAccountID when empty
	Timeout   time.Duration // time limit of one invocation; DefaultTimeout when zero
	Logger    *slog.Logger  // slog.Default() when nil
}

// Run invokes the function every Interval until ctx is cancelled, then
// returns nil. Invocations never overlap: a tick that comes while one runs
// is dropped. A failed invocation is logged and the schedule goes on, as an
// EventBridge rule keeps firing.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.Invoke == nil {
		return errors.New("run scheduler: Invoke is required")
	}
	s.applyDefaults()
	s.Logger.Info("scheduler started", "interval", s.Interval.String(), "rule", s.ruleARN())

	ticker := time.NewTicker(s.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			s.Logger.Info("scheduler stopped")
			return nil
		case tick := <-ticker.C:
			s.fire(ctx, tick)
		}
	}
}

func (s *Scheduler) applyDefaults() {
	if s.Interval <= 0 {
		s.Interval = DefaultInterval
	}
	if s.RuleName == "" {
		s.RuleName = "local-rotation-schedule"
	}
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	if s.AccountID == "" {
		s.AccountID = DefaultAccountID
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
}

func (s *Scheduler) fire(ctx context.Context, tick time.Time) {
	ev := s.event(tick)
	cfg := Config{Region: s.Region, AccountID: s.AccountID, Timeout: s.Timeout}
	_, err := invoke(ctx, cfg, routes.RotationScheduler, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.Invoke(ctx, ev)
	})
	if err != nil {
		s.Logger.Error("scheduled invocation failed", "event_id", ev.ID, "error", err)
		return
	}
	s.Logger.Info("scheduled invocation finished", "event_id", ev.ID)
}

// event returns the event of a scheduled rule firing at tick.
func (s *Scheduler) event(tick time.Time) events.EventBridgeEvent {
	return events.EventBridgeEvent{
		Version:    "0",
		ID:         newUUID(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  s.AccountID,
		Time:       tick.UTC().Truncate(time.Second),
		Region:     s.Region,
		Resources:  []string{s.ruleARN()},
		Detail:     json.RawMessage("{}"),
	}
}

func (s *Scheduler) ruleARN() string {
	return "arn:aws:events:" + s.Region + ":" + s.AccountID + ":rule/" + s.RuleName
}
