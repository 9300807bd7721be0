package metrics

import (
	"strconv"
	"time"
)

// Metric names in the CloudConnector namespace.
const (
	// RotationsStarted counts rotations started by an admin or by the
	// rotation schedule. No dimensions.
	RotationsStarted = "RotationsStarted"
	// RotationsCompleted counts rotations whose new credential was
	// promoted. No dimensions.
	RotationsCompleted = "RotationsCompleted"
	// RotationsFailed counts rotations marked FAILED after their last
	// attempt. No dimensions.
	RotationsFailed = "RotationsFailed"
	// RotationDuration is the time from a rotation's start to its promote,
	// in milliseconds. No dimensions.
	RotationDuration = "RotationDuration"
	// TokenRequests counts token broker requests by the Outcome dimension.
	TokenRequests = "TokenRequests"
	// Requests counts HTTP API requests by the Route and StatusClass
	// dimensions.
	Requests = "Requests"
	// RequestDuration is the handler time of an HTTP API request in
	// milliseconds, by the Route and StatusClass dimensions.
	RequestDuration = "RequestDuration"
)

// Dimension names.
const (
	// DimensionOutcome is the TokenOutcome of a token request.
	DimensionOutcome = "Outcome"
	// DimensionRoute is the route key of a request, such as
	// "GET /links/{linkId}", or UnmatchedRoute.
	DimensionRoute = "Route"
	// DimensionStatusClass is the class of a response status: "2xx", "4xx"
	// or "5xx".
	DimensionStatusClass = "StatusClass"
)

// UnmatchedRoute is the Route dimension of a request that matched no route,
// so a stray route key cannot create a new metric.
const UnmatchedRoute = "unmatched"

// TokenOutcome is the outcome of a token broker request.
type TokenOutcome string

// Token request outcomes. A request refused before these points (an invalid
// body, a missing or foreign link, a missing role, scopes beyond the
// accepted ones) or failed by a dependency of the service is counted only
// by the Requests metric.
const (
	// TokenOK is a token the Data Center instance issued for the request.
	TokenOK TokenOutcome = "ok"
	// TokenCached is a token served from the broker's cache.
	TokenCached TokenOutcome = "cached"
	// TokenUpstreamError is a token request the Data Center instance failed
	// or refused.
	TokenUpstreamError TokenOutcome = "upstream_error"
	// TokenConflict is a request for a link that is not connected.
	TokenConflict TokenOutcome = "conflict"
)

// Property names: members kept in the log event for CloudWatch Logs
// Insights queries, named as in the functions' log lines.
const (
	propertyLinkID     = "link_id"
	propertyRotationID = "rotation_id"
	propertyStatus     = "status"
)

// RotationStarted records the start of rotation rotationID of link linkID.
func (r *Recorder) RotationStarted(linkID, rotationID string) {
	r.emit(nil, []value{{RotationsStarted, UnitCount, 1}}, rotationProps(linkID, rotationID))
}

// RotationCompleted records the promote of rotation rotationID of link
// linkID, elapsed after its start.
func (r *Recorder) RotationCompleted(linkID, rotationID string, elapsed time.Duration) {
	r.emit(nil, []value{
		{RotationsCompleted, UnitCount, 1},
		{RotationDuration, UnitMilliseconds, milliseconds(elapsed)},
	}, rotationProps(linkID, rotationID))
}

// RotationFailed records that rotation rotationID of link linkID was marked
// FAILED.
func (r *Recorder) RotationFailed(linkID, rotationID string) {
	r.emit(nil, []value{{RotationsFailed, UnitCount, 1}}, rotationProps(linkID, rotationID))
}

// TokenRequest records one token broker request for link linkID.
func (r *Recorder) TokenRequest(linkID string, outcome TokenOutcome) {
	r.emit([]dimension{{DimensionOutcome, string(outcome)}},
		[]value{{TokenRequests, UnitCount, 1}},
		[]property{{propertyLinkID, linkID}})
}

// Request records one HTTP API request: route is its route key, or "" when
// it matched none, status is the response status and elapsed the time the
// router spent on it.
func (r *Recorder) Request(route string, status int, elapsed time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	r.emit([]dimension{{DimensionRoute, route}, {DimensionStatusClass, StatusClass(status)}},
		[]value{{Requests, UnitCount, 1}, {RequestDuration, UnitMilliseconds, milliseconds(elapsed)}},
		[]property{{propertyStatus, status}})
}

// StatusClass returns the class of an HTTP status, such as "4xx" for 404,
// or "other" for a number outside 100 to 599.
func StatusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

func rotationProps(linkID, rotationID string) []property {
	return []property{{propertyLinkID, linkID}, {propertyRotationID, rotationID}}
}

// milliseconds converts d to milliseconds with microsecond precision.
func milliseconds(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
