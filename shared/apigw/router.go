package apigw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
	"github.com/cloudconnector/cloudconnector/shared/metrics"
)

// HandlerFunc handles one route. It returns a Response or an error, which the
// router turns into a problem response. When the error is not nil, the router
// ignores the Response.
type HandlerFunc func(ctx context.Context, r *Request) (Response, error)

// Response is a handler's successful result.
type Response struct {
	// Status is the HTTP status, from 200 to 599.
	Status int
	// Body is encoded as JSON. A nil Body sends no body, as a 204 requires.
	Body any
	// Header holds extra response headers, such as Location.
	Header map[string]string
}

// maxLoggedParamBytes bounds each path parameter value in the access log,
// because the value comes from the client.
const maxLoggedParamBytes = 128

// route is one registered route key.
type route struct {
	key      string
	method   string
	template string // path template, such as /links/{linkId}
	handler  HandlerFunc
}

// Router serves the routes of one Lambda function. Register every route with
// Handle before the first ServeEvent. After that, ServeEvent is safe for
// concurrent use.
type Router struct {
	logger  *slog.Logger
	metrics *metrics.Recorder
	routes  map[string]route
}

// NewRouter returns a router with no routes that writes one access log line
// per request to logger, or to slog.Default() if logger is nil, and records
// one request metric per request with metrics.Default().
func NewRouter(logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.Default()
	}
	return &Router{logger: logger, metrics: metrics.Default(), routes: map[string]route{}}
}

// Handle registers h for routeKey, such as "POST /links" or
// "GET /links/{linkId}". Every route requires an authenticated principal.
//
// Handle panics if routeKey is not an upper-case method, one space and a
// path starting with '/'. It also panics if routeKey is already registered
// or h is nil. These are wiring bugs, which the first test that builds the
// router finds, so Handle panics as http.ServeMux does for a bad pattern.
func (rt *Router) Handle(routeKey string, h HandlerFunc) {
	method, template, ok := strings.Cut(routeKey, " ")
	if !ok || !validMethod(method) || !strings.HasPrefix(template, "/") || strings.ContainsAny(template, " \t\r\n") {
		panic(fmt.Sprintf("apigw: invalid route key %q, want a method and a path such as \"GET /links/{linkId}\"", routeKey))
	}
	if h == nil {
		panic(fmt.Sprintf("apigw: nil handler for route %q", routeKey))
	}
	if _, dup := rt.routes[routeKey]; dup {
		panic(fmt.Sprintf("apigw: route %q registered twice", routeKey))
	}
	rt.routes[routeKey] = route{key: routeKey, method: method, template: template, handler: h}
}

func validMethod(method string) bool {
	if method == "" {
		return false
	}
	for _, c := range method {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// ServeEvent returns the response to one HTTP API event. Its error is always
// nil, so Lambda sends the response as it is. Every failure, including a
// panic in the handler, becomes a problem response.
//
// The steps, with the status of their failures:
//
//  1. Select the route by the event's route key. An unknown, empty or
//     "$default" key is 404.
//  2. Authenticate the caller from the JWT authorizer's claims (401).
//  3. Decode and bound the body (400, 413) and parse the raw query string
//     (400).
//  4. Run the handler.
func (rt *Router) ServeEvent(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	start := time.Now()
	requestID := ev.RequestContext.RequestID
	matched, ok := rt.routes[ev.RouteKey]
	instance := ""
	if ok {
		instance = fillTemplate(matched.template, ev.PathParameters)
	}

	var out outcome
	defer func() {
		if v := recover(); v != nil {
			out = outcome{err: fmt.Errorf("handler panicked: %v", v), panicValue: v, stack: debug.Stack()}
			resp = ProblemResponse(out.err, instance, requestID)
		}
		out.status = resp.StatusCode
		rt.logRequest(ctx, &ev, matched.template, out, time.Since(start))
	}()

	if !ok {
		out.err = domain.Errorf(domain.KindNotFound, "no route matches %s", describeRoute(ev.RouteKey))
		return ProblemResponse(out.err, instance, requestID), nil
	}
	resp, out.err = rt.serve(ctx, &ev, matched)
	if out.err != nil {
		return ProblemResponse(out.err, instance, requestID), nil
	}
	return resp, nil
}

// outcome is the result of one request as the access log records it.
type outcome struct {
	status     int
	err        error
	panicValue any
	stack      []byte
}

// serve runs the matched route's handler and encodes its response.
func (rt *Router) serve(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, matched route) (events.APIGatewayV2HTTPResponse, error) {
	principal, err := authenticate(ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req, err := newRequest(ev, matched.key, matched.method)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req.Principal = principal

	out, err := matched.handler(ctx, req)
	if err != nil {
		// The access log line names the route, so the error needs no
		// more context here.
		return events.APIGatewayV2HTTPResponse{}, err
	}

	if out.Status < 200 || out.Status > 599 {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("handler returned status %d, want 200 to 599", out.Status)
	}
	if out.Status == http.StatusNoContent && out.Body != nil {
		return events.APIGatewayV2HTTPResponse{}, errors.New("handler returned a body with status 204")
	}
	return encodeResponse(out.Status, out.Body, out.Header)
}

// describeRoute quotes a route key for a not-found detail.
func describeRoute(key string) string {
	if key == "" {
		return "the empty route key"
	}
	return fmt.Sprintf("route key %q", key)
}

// fillTemplate returns the route's path with its parameters filled in from
// params, escaped for a URI path. A greedy parameter such as {proxy+} keeps
// its slashes. A parameter missing from params stays as written.
func fillTemplate(template string, params map[string]string) string {
	segments := strings.Split(template, "/")
	for i, seg := range segments {
		name, ok := strings.CutPrefix(seg, "{")
		if !ok {
			continue
		}
		name, ok = strings.CutSuffix(name, "}")
		if !ok {
			continue
		}
		greedy := strings.HasSuffix(name, "+")
		value, ok := params[strings.TrimSuffix(name, "+")]
		if !ok {
			continue
		}
		if !greedy {
			segments[i] = url.PathEscape(value)
			continue
		}
		parts := strings.Split(value, "/")
		for j, part := range parts {
			parts[j] = url.PathEscape(part)
		}
		segments[i] = strings.Join(parts, "/")
	}
	return strings.Join(segments, "/")
}

// logRequest writes the access log line and records the request metric of
// one request. The line holds its route key, status, duration, API Gateway
// request id and the route's path parameters.
// A 5xx also carries the error, and a panic its value and stack. Headers,
// bodies and claims are never logged.
func (rt *Router) logRequest(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, template string, out outcome, elapsed time.Duration) {
	attrs := []slog.Attr{
		slog.String("route_key", ev.RouteKey),
		slog.Int("status", out.status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("api_request_id", ev.RequestContext.RequestID),
	}
	if params := loggedParams(template, ev.PathParameters); len(params) > 0 {
		attrs = append(attrs, slog.Attr{Key: "path", Value: slog.GroupValue(params...)})
	}
	if out.err != nil {
		attrs = append(attrs, slog.String("error_kind", string(knownKind(out.err))))
	}

	level := slog.LevelInfo
	if out.status >= 500 {
		level = slog.LevelError
		if out.err != nil {
			attrs = append(attrs, slog.String("error", out.err.Error()))
		}
		if out.panicValue != nil {
			attrs = append(attrs, slog.String("panic", fmt.Sprint(out.panicValue)), slog.String("stack", string(out.stack)))
		}
	}
	rt.logger.LogAttrs(ctx, level, "request", attrs...)

	// An unmatched request has no template. Its route key came from the
	// event, so it is not used as a metric dimension.
	route := ""
	if template != "" {
		route = ev.RouteKey
	}
	rt.metrics.Request(route, out.status, elapsed)
}

// loggedParams returns the path parameters that the route template names, in
// template order, each cut to maxLoggedParamBytes.
func loggedParams(template string, params map[string]string) []slog.Attr {
	var attrs []slog.Attr
	for _, seg := range strings.Split(template, "/") {
		name, ok := strings.CutPrefix(seg, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(strings.TrimSuffix(name, "}"), "+")
		value, ok := params[name]
		if !ok {
			continue
		}
		if len(value) > maxLoggedParamBytes {
			value = value[:maxLoggedParamBytes]
		}
		attrs = append(attrs, slog.String(name, value))
	}
	return attrs
}
