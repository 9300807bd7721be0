// Package httpapi holds the HTTP API handlers of every function: each parses
// its request, calls the service and shapes the response. The functions'
// main packages and the local API build them with New.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/apigw"
	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

// Handler is an API Gateway HTTP API (payload 2.0) Lambda handler.
type Handler func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

type api struct{ svc *service.Service }

// New returns the handler of HTTP function fn (a routes constant) over svc,
// with a route for every entry of the route table that fn serves.
func New(fn string, svc *service.Service, log *slog.Logger) (Handler, error) {
	a := api{svc: svc}
	handlers := map[string]apigw.HandlerFunc{
		"PUT /sites/{siteId}":                         a.putSite,
		"POST /connectors":                            a.registerConnector,
		"GET /connectors":                             a.listConnectors,
		"GET /connectors/{connectorId}":               a.getConnector,
		"PATCH /connectors/{connectorId}":             a.updateConnector,
		"DELETE /connectors/{connectorId}":            a.deleteConnector,
		"POST /links":                                 a.createLink,
		"GET /connectors/{connectorId}/link-requests": a.listLinkRequests,
		"POST /links/{linkId}/accept":                 a.acceptLink,
		"POST /links/{linkId}/reject":                 a.rejectLink,
		"GET /links/{linkId}":                         a.getLink,
		"GET /links":                                  a.listLinks,
		"GET /links/{linkId}/events":                  a.listEvents,
		"POST /links/{linkId}/rotate":                 a.rotateLink,
		"DELETE /links/{linkId}":                      a.deleteLink,
		"POST /links/{linkId}/token":                  a.requestToken,
	}
	own := routes.ForFunction(fn)
	if len(own) == 0 {
		return nil, fmt.Errorf("function %q serves no route", fn)
	}
	rt := apigw.NewRouter(log)
	for _, r := range own {
		h, ok := handlers[r.Key()]
		if !ok {
			return nil, fmt.Errorf("route %q has no handler", r.Key())
		}
		rt.Handle(r.Key(), h)
	}
	return rt.ServeEvent, nil
}

// Builder returns a function that builds the handler of HTTP function fn,
// in the form lambdamain.Run takes.
func Builder(fn string) func(*service.Service, *slog.Logger) (any, error) {
	return func(svc *service.Service, log *slog.Logger) (any, error) {
		return New(fn, svc, log)
	}
}

// page reads the limit and cursor query parameters.
func page(r *apigw.Request) (dynamo.Page, error) {
	p := dynamo.Page{Cursor: r.Query.Get("cursor")}
	if s := r.Query.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > dynamo.MaxPageSize {
			return p, domain.Invalid("limit must be a whole number from 1 to 100", domain.FieldError{Field: "limit", Reason: "1 to 100"})
		}
		p.Limit = n
	}
	return p, nil
}

// list is the body of every paginated response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func ok(body any) apigw.Response { return apigw.Response{Status: 200, Body: body} }

// decodeOptional decodes a JSON body if the request has one: the body of
// reject, rotate and token requests may be left out.
func decodeOptional(r *apigw.Request, dst any) error {
	if len(r.Body) == 0 {
		return nil
	}
	return r.DecodeJSON(dst)
}
