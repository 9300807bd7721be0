package apigw

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// HandlerFunc handles one route. It returns either a Response or an error,
// which the router turns into a problem response; the Response is ignored
// when the error is not nil.
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
// Handle before the first ServeEvent; after that, ServeEvent is safe for
// concurrent use.
type Router struct {
	logger *slog.Logger
	routes map[string]route
}

// NewRouter returns a router with no routes that writes one access log line
// per request to logger, or to slog.Default() if logger is nil.
func NewRouter(logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.Default()
	}
	return &Router{logger: logger, routes: map[string]route{}}
}

// Handle registers h for routeKey, such as "POST /links" or
// "GET /links/{linkId}". Every route requires an authenticated principal.
//
// Handle panics if routeKey is not an upper-case method, one space and a
// path starting with '/', if it is already registered, or if h is nil,
// as http.ServeMux does for a bad pattern: these are bugs in the wiring,
// found by the first test that builds the router.
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

// ServeEvent answers one HTTP API event. It always returns a nil error, so
// Lambda sends the response as it is: every failure, including a panic in
// the handler, becomes a problem response.
//
// The steps are: select the route by the event's route key (an unknown,
// empty or "$default" key is 404); authenticate the caller from the JWT
// authorizer's claims (401); decode and bound the body (400, 413) and parse
// the raw query string (400); run the handler.
func (rt *Router) ServeEvent(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, _ error) {
	start := time.Now()
	requestID := ev.RequestContext.RequestID
	r, matched := rt.routes[ev.RouteKey]
	instance := ""
	if matched {
		instance = fillTemplate(r.template, ev.PathParameters)
	}

	var err error
	var panicValue any
	var stack []byte
	defer func() {
		if v := recover(); v != nil {
			panicValue, stack = v, debug.Stack()
			err = fmt.Errorf("panic serving %s: %v", ev.RouteKey, v)
			resp = ProblemResponse(err, instance, requestID)
		}
		rt.logRequest(ctx, &ev, r, resp.StatusCode, err, panicValue, stack, time.Since(start))
	}()

	if !matched {
		err = domain.Errorf(domain.KindNotFound, "no route matches %s", describeRoute(ev.RouteKey))
		return ProblemResponse(err, instance, requestID), nil
	}
	resp, err = rt.serve(ctx, &ev, r)
	if err != nil {
		return ProblemResponse(err, instance, requestID), nil
	}
	return resp, nil
}

// serve runs the matched route's handler and encodes its response.
func (rt *Router) serve(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, r route) (events.APIGatewayV2HTTPResponse, error) {
	principal, err := authenticate(ev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req, err := newRequest(ev, r.key, r.method)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req.Principal = principal

	out, err := r.handler(ctx, req)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%s: %w", r.key, err)
	}

	if out.Status < 200 || out.Status > 599 {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%s: handler returned status %d", r.key, out.Status)
	}
	if out.Status == http.StatusNoContent && out.Body != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%s: handler returned a body with status 204", r.key)
	}
	resp, err := encodeResponse(out.Status, out.Body, out.Header)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("%s: %w", r.key, err)
	}
	return resp, nil
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

// logRequest writes the access log line of one request: its route key,
// status, duration, API Gateway request id and the route's path parameters.
// A 5xx also carries the error, and a panic its value and stack. Headers,
// bodies and claims are never logged.
func (rt *Router) logRequest(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, r route, status int, err error, panicValue any, stack []byte, elapsed time.Duration) {
	attrs := []slog.Attr{
		slog.String("route_key", ev.RouteKey),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.String("api_request_id", ev.RequestContext.RequestID),
	}
	if params := loggedParams(r.template, ev.PathParameters); len(params) > 0 {
		attrs = append(attrs, slog.Attr{Key: "path", Value: slog.GroupValue(params...)})
	}
	if err != nil {
		attrs = append(attrs, slog.String("error_kind", string(knownKind(err))))
	}

	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		if panicValue != nil {
			attrs = append(attrs, slog.String("panic", fmt.Sprint(panicValue)), slog.String("stack", string(stack)))
		}
	}
	rt.logger.LogAttrs(ctx, level, "request", attrs...)
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
