package httpapi

import (
	"context"
	"strings"

	"github.com/cloudconnector/cloudconnector/shared/apigw"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

func (a api) createLink(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	var in service.LinkInput
	if err := r.DecodeJSON(&in); err != nil {
		return apigw.Response{}, err
	}
	c, err := a.svc.CreateLink(ctx, r.Principal, in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return apigw.Response{}, err
	}
	h := map[string]string{"Location": c.Location}
	if c.Replayed {
		h["Idempotent-Replayed"] = "true"
	}
	return apigw.Response{Status: c.Status, Body: c.Body, Header: h}, nil
}

func (a api) getLink(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	l, err := a.svc.GetLink(ctx, r.Principal, id)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(l), nil
}

// maxStatusFilters bounds the status values of one list request: there are
// six states.
const maxStatusFilters = 6

// listLinks serves GET /links?siteId=&status=. status may repeat or hold a
// comma-separated list.
func (a api) listLinks(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	p, err := page(r)
	if err != nil {
		return apigw.Response{}, err
	}

	var statuses []domain.Status
	for _, v := range r.Query["status"] {
		for _, s := range strings.Split(v, ",") {
			if len(statuses) == maxStatusFilters {
				return apigw.Response{}, domain.Invalid("too many status values", domain.FieldError{Field: "status", Reason: "at most 6"})
			}
			st, err := domain.ParseStatus(strings.ToUpper(strings.TrimSpace(s)))
			if err != nil {
				return apigw.Response{}, err
			}
			statuses = append(statuses, st)
		}
	}

	siteIDs := r.Query["siteId"]
	if len(siteIDs) > 1 {
		return apigw.Response{}, domain.Invalid("siteId may be given once", domain.FieldError{Field: "siteId", Reason: "repeated"})
	}
	siteID := ""
	if len(siteIDs) == 1 {
		siteID = siteIDs[0]
	}

	items, next, err := a.svc.ListLinks(ctx, r.Principal, siteID, statuses, p)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(list[domain.Link]{Items: items, NextCursor: next}), nil
}

func (a api) listEvents(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	p, err := page(r)
	if err != nil {
		return apigw.Response{}, err
	}
	items, next, err := a.svc.ListEvents(ctx, r.Principal, id, p)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(list[domain.Event]{Items: items, NextCursor: next}), nil
}

func (a api) deleteLink(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := a.svc.DeleteLink(ctx, r.Principal, id); err != nil {
		return apigw.Response{}, err
	}
	return apigw.Response{Status: 204}, nil
}

func (a api) rotateLink(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := decodeOptional(r, &struct{}{}); err != nil {
		return apigw.Response{}, err
	}
	l, err := a.svc.RotateLink(ctx, r.Principal, id)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Response{Status: 202, Body: l, Header: map[string]string{"Location": "/links/" + l.ID}}, nil
}

func (a api) requestToken(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	var in service.TokenInput
	if err := decodeOptional(r, &in); err != nil {
		return apigw.Response{}, err
	}
	t, err := a.svc.RequestToken(ctx, r.Principal, id, in)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Response{Status: 200, Body: t, Header: map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"}}, nil
}
