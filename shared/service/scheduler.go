package service

import (
	"context"
	"errors"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
)

// maxScheduledPerRun bounds the rotations one scheduler run starts, so one
// run stays well inside its timeout; the rest are found by the next run.
const maxScheduledPerRun = 1000

// ScheduleResult counts what one scheduler run did.
type ScheduleResult struct {
	Due     int `json:"due"`
	Started int `json:"started"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
}

// ScheduleRotations starts a rotation for every link whose credential is due,
// reading only the due entries of the rotation-due index.
func (s *Service) ScheduleRotations(ctx context.Context) (ScheduleResult, error) {
	var res ScheduleResult
	now := s.now()
	var errs []error
	for shard := 0; shard < dynamo.DueShards && res.Due < maxScheduledPerRun; shard++ {
		page := dynamo.Page{Limit: dynamo.MaxPageSize}
		for res.Due < maxScheduledPerRun {
			due, next, err := s.Store.ListDue(ctx, shard, now, page)
			if err != nil {
				errs = append(errs, err)
				break
			}
			for _, d := range due {
				res.Due++
				switch err := s.scheduleOne(ctx, d.LinkID); {
				case err == nil:
					res.Started++
				case domain.IsKind(err, domain.KindConflict) || domain.IsKind(err, domain.KindNotFound):
					res.Skipped++
				default:
					res.Failed++
					s.Log.ErrorContext(ctx, "scheduled rotation failed to start", "link_id", d.LinkID, "error", err)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
	}
	s.Log.InfoContext(ctx, "rotation schedule run", "due", res.Due, "started", res.Started, "skipped", res.Skipped, "failed", res.Failed)
	return res, errors.Join(errs...)
}

func (s *Service) scheduleOne(ctx context.Context, linkID string) error {
	l, err := s.Store.GetLink(ctx, linkID)
	if err != nil {
		return err
	}
	_, err = s.startRotation(ctx, l, "scheduler")
	return err
}
