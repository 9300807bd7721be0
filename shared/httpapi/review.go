package httpapi

import (
	"context"

	"github.com/cloudconnector/cloudconnector/shared/apigw"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

func (a api) listLinkRequests(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("connectorId", domain.PrefixConnector)
	if err != nil {
		return apigw.Response{}, err
	}
	p, err := page(r)
	if err != nil {
		return apigw.Response{}, err
	}
	items, next, err := a.svc.ListLinkRequests(ctx, r.Principal, id, p)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(list[domain.Link]{Items: items, NextCursor: next}), nil
}

func (a api) acceptLink(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	var in service.AcceptInput
	if err := r.DecodeJSON(&in); err != nil {
		return apigw.Response{}, err
	}
	l, err := a.svc.AcceptLink(ctx, r.Principal, id, in)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(l), nil
}

func (a api) rejectLink(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("linkId", domain.PrefixLink)
	if err != nil {
		return apigw.Response{}, err
	}
	var in service.RejectInput
	if err := decodeOptional(r, &in); err != nil {
		return apigw.Response{}, err
	}
	l, err := a.svc.RejectLink(ctx, r.Principal, id, in)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(l), nil
}
