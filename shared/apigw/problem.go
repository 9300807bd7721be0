package apigw

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// ProblemTypeBase is the prefix of every problem type URI. The type of a
// problem is this base followed by the domain.Kind, such as
// "https://cloudconnector.dev/problems/not-found".
const ProblemTypeBase = "https://cloudconnector.dev/problems/"

// Media types of response bodies.
const (
	ContentTypeJSON    = "application/json"
	ContentTypeProblem = "application/problem+json"
)

// problemKind is the HTTP status and title of one domain.Kind.
type problemKind struct {
	status int
	title  string
}

var problemKinds = map[domain.Kind]problemKind{
	domain.KindInvalid:          {http.StatusBadRequest, "Invalid request"},
	domain.KindUnauthenticated:  {http.StatusUnauthorized, "Authentication required"},
	domain.KindForbidden:        {http.StatusForbidden, "Forbidden"},
	domain.KindNotFound:         {http.StatusNotFound, "Not found"},
	domain.KindConflict:         {http.StatusConflict, "Conflict"},
	domain.KindTooLarge:         {http.StatusRequestEntityTooLarge, "Request body too large"},
	domain.KindUnsupportedMedia: {http.StatusUnsupportedMediaType, "Unsupported media type"},
	domain.KindUnprocessable:    {http.StatusUnprocessableEntity, "Unprocessable request"},
	domain.KindUpstream:         {http.StatusBadGateway, "Data Center instance failed"},
	domain.KindUnavailable:      {http.StatusServiceUnavailable, "Service unavailable"},
	domain.KindInternal:         {http.StatusInternalServerError, "Internal error"},
}

// reservedMembers are the problem members that domain.Error.Extra cannot
// replace.
var reservedMembers = map[string]bool{
	"type": true, "title": true, "status": true, "detail": true,
	"instance": true, "errors": true, "current": true,
}

// StatusOf returns the HTTP status for err: the status of its domain.Kind,
// or 500 for an error without a known kind.
func StatusOf(err error) int {
	return problemKinds[knownKind(err)].status
}

// knownKind returns the kind of err, or domain.KindInternal when err carries
// no kind or one missing from problemKinds.
func knownKind(err error) domain.Kind {
	kind := domain.KindOf(err)
	if _, ok := problemKinds[kind]; !ok {
		return domain.KindInternal
	}
	return kind
}

// ProblemResponse returns the RFC 9457 problem response for err. The members
// are type, title, status, detail, instance (omitted when empty), errors
// (the domain.Error's fields, when any), current (the resource of a conflict,
// when set) and the domain.Error's Extra members.
//
// A 500 never shows err.Error(). Its detail is a fixed sentence that quotes
// requestID, so the caller can report it and an operator can find the logged
// error. A 401 carries the header WWW-Authenticate: Bearer.
func ProblemResponse(err error, instance, requestID string) events.APIGatewayV2HTTPResponse {
	kind := knownKind(err)
	pk := problemKinds[kind]

	body := map[string]any{
		"type":   ProblemTypeBase + string(kind),
		"title":  pk.title,
		"status": pk.status,
	}
	if instance != "" {
		body["instance"] = instance
	}

	var de *domain.Error
	if kind == domain.KindInternal || !errors.As(err, &de) {
		body["detail"] = internalDetail(requestID)
	} else {
		body["detail"] = de.Detail
		if len(de.Fields) > 0 {
			body["errors"] = de.Fields
		}
		if kind == domain.KindConflict && de.Current != nil {
			body["current"] = de.Current
		}
		for name, value := range de.Extra {
			if !reservedMembers[name] {
				body[name] = value
			}
		}
	}

	encoded, marshalErr := json.Marshal(body)
	if marshalErr != nil {
		// Current or Extra held a value encoding/json cannot encode, which
		// is a bug in the code that built the error.
		return internalProblem(instance, requestID)
	}

	header := map[string]string{"Content-Type": ContentTypeProblem}
	if pk.status == http.StatusUnauthorized {
		header["WWW-Authenticate"] = "Bearer"
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: pk.status, Headers: header, Body: string(encoded)}
}

func internalDetail(requestID string) string {
	if requestID == "" {
		return "The service failed to process the request."
	}
	return fmt.Sprintf("The service failed to process the request. Quote request id %s when reporting it.", requestID)
}

// internalProblem returns the 500 problem sent when encoding a response
// failed. ProblemResponse builds it from strings and an int only, which
// encoding/json always encodes.
func internalProblem(instance, requestID string) events.APIGatewayV2HTTPResponse {
	return ProblemResponse(errors.New("encode response"), instance, requestID)
}

// JSONResponse returns a response with status and body encoded as JSON and
// Content-Type application/json. A nil body gives an empty response body
// without Content-Type, as a 204 needs. Entries of header are added with
// canonical names and replace the defaults. If body cannot be encoded,
// JSONResponse returns a 500 problem and logs nothing. A handler that returns
// a Response instead lets the router log the encoding error.
func JSONResponse(status int, body any, header map[string]string) events.APIGatewayV2HTTPResponse {
	resp, err := encodeResponse(status, body, header)
	if err != nil {
		return internalProblem("", "")
	}
	return resp
}

func encodeResponse(status int, body any, header map[string]string) (events.APIGatewayV2HTTPResponse, error) {
	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{}}
	if body != nil {
		encoded, err := json.Marshal(body)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("encode %d response body: %w", status, err)
		}
		resp.Body = string(encoded)
		resp.Headers["Content-Type"] = ContentTypeJSON
	}
	for name, value := range header {
		resp.Headers[http.CanonicalHeaderKey(name)] = value
	}
	return resp, nil
}
