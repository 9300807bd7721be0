package apigw

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// MaxBodyBytes is the maximum size of a request body after base64 decoding.
const MaxBodyBytes = 16 << 10

// Request is a parsed HTTP API request.
type Request struct {
	// RouteKey is the matched route, such as "GET /links/{linkId}".
	RouteKey string
	// Method is the route key's method, or the request's method for an
	// "ANY" route.
	Method string
	// PathParams holds the route's path parameters. It is never nil.
	PathParams map[string]string
	// Query is parsed from the raw query string, so a repeated parameter
	// keeps every value. API Gateway's queryStringParameters joins repeated
	// values with commas and is never read.
	Query url.Values
	// Header holds the request headers under canonical names, so lookups
	// are case-insensitive.
	Header http.Header
	// Body is the request body, base64-decoded when API Gateway delivered
	// it encoded. It is at most MaxBodyBytes long.
	Body []byte
	// Principal is the authenticated caller.
	Principal domain.Principal
	// RequestID is API Gateway's request id (requestContext.requestId).
	RequestID string
}

// newRequest parses ev for the route with the given key and method. The
// principal is set by the caller. Errors are *domain.Error values: an
// oversized body is KindTooLarge, invalid base64 or an invalid query string
// is KindInvalid.
func newRequest(ev *events.APIGatewayV2HTTPRequest, routeKey, method string) (*Request, error) {
	body, err := decodeBody(ev.Body, ev.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	query, err := url.ParseQuery(ev.RawQueryString)
	if err != nil {
		return nil, domain.Invalid("the query string is invalid",
			domain.FieldError{Field: "query", Reason: "must be a valid URL query string"})
	}

	if method == "ANY" {
		method = ev.RequestContext.HTTP.Method
	}
	params := make(map[string]string, len(ev.PathParameters))
	for name, value := range ev.PathParameters {
		params[name] = value
	}
	return &Request{
		RouteKey:   routeKey,
		Method:     method,
		PathParams: params,
		Query:      query,
		Header:     canonicalHeader(ev.Headers),
		Body:       body,
		RequestID:  ev.RequestContext.RequestID,
	}, nil
}

// decodeBody returns the raw body of an event. An encoded body longer than
// the encoding of MaxBodyBytes is rejected before it is decoded.
func decodeBody(body string, base64Encoded bool) ([]byte, error) {
	if !base64Encoded {
		if len(body) > MaxBodyBytes {
			return nil, tooLarge()
		}
		return []byte(body), nil
	}

	if len(body) > base64.StdEncoding.EncodedLen(MaxBodyBytes) {
		return nil, tooLarge()
	}
	decoded, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, domain.Invalid("the request body is marked base64-encoded but is not valid base64",
			domain.FieldError{Field: "body", Reason: "must be valid base64"})
	}
	if len(decoded) > MaxBodyBytes {
		return nil, tooLarge()
	}
	return decoded, nil
}

func tooLarge() *domain.Error {
	return domain.Errorf(domain.KindTooLarge, "the request body is larger than %d bytes", MaxBodyBytes)
}

// canonicalHeader converts API Gateway's header map to an http.Header. API
// Gateway sends lower-case names, but other sources such as SAM send them as
// the client wrote them, so one event can hold "content-type" and
// "Content-Type". Both values are kept, in the order of the original names,
// so the result does not depend on map iteration order.
func canonicalHeader(headers map[string]string) http.Header {
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	sort.Strings(names)

	h := make(http.Header, len(headers))
	for _, name := range names {
		h.Add(name, headers[name])
	}
	return h
}

// PathID returns the path parameter name, which must be prefix followed by a
// ULID, such as "lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39". A missing or malformed
// value is a domain.KindInvalid error naming the parameter.
func (r *Request) PathID(name, prefix string) (string, error) {
	id, ok := r.PathParams[name]
	if !ok || id == "" {
		return "", domain.Invalid(fmt.Sprintf("path parameter %s is missing", name),
			domain.FieldError{Field: name, Reason: "required"})
	}
	if !domain.ValidID(prefix, id) {
		return "", domain.Invalid(fmt.Sprintf("path parameter %s is not a valid id", name),
			domain.FieldError{Field: name, Reason: fmt.Sprintf("must be %s followed by a 26-character ULID", prefix)})
	}
	return id, nil
}
