package httpapi

import (
	"context"

	"github.com/cloudconnector/cloudconnector/shared/apigw"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

func (a api) putSite(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	siteID := r.PathParams["siteId"]
	if !domain.ValidSiteID(siteID) {
		return apigw.Response{}, domain.Invalid("invalid siteId in path", domain.FieldError{Field: "siteId", Reason: "1 to 64 letters, digits, '-', '_' or '.'"})
	}
	var in service.SiteInput
	if err := r.DecodeJSON(&in); err != nil {
		return apigw.Response{}, err
	}
	site, created, err := a.svc.PutSite(ctx, r.Principal, siteID, in)
	if err != nil {
		return apigw.Response{}, err
	}
	if created {
		return apigw.Response{Status: 201, Body: site, Header: map[string]string{"Location": "/sites/" + site.ID}}, nil
	}
	return ok(site), nil
}

func (a api) registerConnector(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	var in service.ConnectorInput
	if err := r.DecodeJSON(&in); err != nil {
		return apigw.Response{}, err
	}
	c, err := a.svc.RegisterConnector(ctx, r.Principal, in)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Response{Status: 201, Body: c, Header: map[string]string{
		"Location":      "/connectors/" + c.ID,
		"Cache-Control": "no-store",
	}}, nil
}

func (a api) listConnectors(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	p, err := page(r)
	if err != nil {
		return apigw.Response{}, err
	}
	items, next, err := a.svc.ListConnectors(ctx, r.Principal, p)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(list[domain.Connector]{Items: items, NextCursor: next}), nil
}

func (a api) getConnector(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("connectorId", domain.PrefixConnector)
	if err != nil {
		return apigw.Response{}, err
	}
	c, err := a.svc.GetConnector(ctx, r.Principal, id)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(c), nil
}

func (a api) updateConnector(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("connectorId", domain.PrefixConnector)
	if err != nil {
		return apigw.Response{}, err
	}
	var in service.ConnectorPatch
	if err := r.DecodeJSON(&in); err != nil {
		return apigw.Response{}, err
	}
	c, err := a.svc.UpdateConnector(ctx, r.Principal, id, in)
	if err != nil {
		return apigw.Response{}, err
	}
	return ok(c), nil
}

func (a api) deleteConnector(ctx context.Context, r *apigw.Request) (apigw.Response, error) {
	id, err := r.PathID("connectorId", domain.PrefixConnector)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := a.svc.DeleteConnector(ctx, r.Principal, id); err != nil {
		return apigw.Response{}, err
	}
	return apigw.Response{Status: 204}, nil
}
