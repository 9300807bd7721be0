package gateway

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// errIntegrationTimeout is returned when a handler outlives the integration
// timeout.
var errIntegrationTimeout = errors.New("integration timed out")

// ServeHTTP routes the request, checks its bearer token and invokes the
// route's function. When it cannot invoke the function, it responds as API
// Gateway does: 404 without a route, 401 without a valid token, 413 for a
// body over MaxBodyBytes, 500 when the function fails, 503 when it times
// out. The error bodies are API Gateway's {"message": ...} objects.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	received := time.Now()
	requestID := newRequestID()
	rec := &statusRecorder{ResponseWriter: w}
	routeKey := "-"
	defer func() {
		g.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", routeKey),
			slog.Int("status", rec.status),
			slog.Int64("duration_ms", time.Since(received).Milliseconds()),
			slog.String("request_id", requestID),
		)
	}()
	rec.Header().Set("Apigw-Requestid", requestID)

	route, params, ok := g.match(r.Method, r.URL.Path)
	if !ok {
		writeMessage(rec, http.StatusNotFound, "Not Found")
		return
	}
	routeKey = route.Key()

	claims, err := g.authorize(r.Header.Values("Authorization"))
	if err != nil {
		g.cfg.Logger.Info("request unauthorized", "route", routeKey, "request_id", requestID, "reason", err)
		writeMessage(rec, http.StatusUnauthorized, "Unauthorized")
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(rec, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeMessage(rec, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	if err != nil {
		g.cfg.Logger.Warn("read request body failed", "route", routeKey, "request_id", requestID, "error", err)
		writeMessage(rec, http.StatusBadRequest, "Bad Request")
		return
	}

	ev := g.buildEvent(inbound{
		r: r, route: route, params: params, body: body, claims: claims,
		requestID: requestID, traceID: newTraceID(received), received: received,
	})
	handler := g.handlers[route.Function]
	resp, err := invoke(r.Context(), g.cfg, route.Function, func(ctx context.Context) (events.APIGatewayV2HTTPResponse, error) {
		return handler(ctx, ev)
	})
	if errors.Is(err, errIntegrationTimeout) {
		g.cfg.Logger.Error("function timed out", "function", route.Function, "route", routeKey, "request_id", requestID, "timeout", g.cfg.Timeout.String())
		writeMessage(rec, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	if err != nil {
		g.cfg.Logger.Error("function failed", "function", route.Function, "route", routeKey, "request_id", requestID, "error", err)
		writeMessage(rec, http.StatusInternalServerError, "Internal Server Error")
		return
	}

	if err := writeResponse(rec, resp); err != nil {
		g.cfg.Logger.Error("function returned an invalid response", "function", route.Function, "route", routeKey, "request_id", requestID, "error", err)
		writeMessage(rec, http.StatusInternalServerError, "Internal Server Error")
	}
}

// authorize checks the token of the Authorization header and returns its
// claims in API Gateway's string form. Like the JWT authorizer, it takes
// the token with or without a "Bearer " prefix.
func (g *Gateway) authorize(values []string) (map[string]string, error) {
	if len(values) == 0 || values[0] == "" {
		return nil, errors.New("no Authorization header")
	}
	if len(values) > 1 {
		return nil, errors.New("more than one Authorization header")
	}
	token := values[0]
	if prefix, rest, found := strings.Cut(token, " "); found && strings.EqualFold(prefix, "Bearer") {
		token = strings.TrimSpace(rest)
	}

	claims, err := g.cfg.Verifier.Verify(token)
	if err != nil {
		return nil, err
	}
	return claimStrings(claims), nil
}

// writeResponse copies a payload format 2.0 response to w. It checks the
// response before writing anything, so on error the caller can still send
// 500. The format has no multi-value headers, so MultiValueHeaders is
// ignored, as API Gateway ignores it. Each cookie becomes a Set-Cookie
// header.
func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("status code %d is not an HTTP status", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return fmt.Errorf("decode base64 body: %w", err)
		}
		body = decoded
	}

	h := w.Header()
	for name, value := range resp.Headers {
		if strings.EqualFold(name, "Content-Length") {
			continue // the server sets it from the body
		}
		h.Set(name, value)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = nil // no sniffing: API Gateway adds no type either
	}

	w.WriteHeader(resp.StatusCode)
	// A failed write means that the client has gone, so nothing can be sent.
	_, _ = w.Write(body)
	return nil
}

// writeMessage writes one of API Gateway's own error responses.
func writeMessage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message":%q}`, message)
}

// statusRecorder records the status code written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
