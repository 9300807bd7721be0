package rotation

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/service"
)

// SchedulerHandler is the rotation scheduler's Lambda handler.
type SchedulerHandler func(ctx context.Context, ev events.EventBridgeEvent) error

// NewScheduler returns the handler the EventBridge schedule invokes. The
// event's content is not used: every invocation looks for due credentials,
// so a duplicate or hand-made event only runs one more check.
func NewScheduler(svc *service.Service, log *slog.Logger) SchedulerHandler {
	return func(ctx context.Context, ev events.EventBridgeEvent) error {
		res, err := svc.ScheduleRotations(ctx)
		if err != nil {
			log.ErrorContext(ctx, "rotation schedule run incomplete", "event_id", ev.ID, "started", res.Started, "error", err)
			return err
		}
		return nil
	}
}
