// Package routes is the one table of HTTP routes. The CDK stack creates one
// API Gateway route per entry and the local API serves the same entries, so
// the two cannot drift.
package routes

// Function names. Each is a directory under functions/ and one Lambda.
const (
	Connectors        = "connectors"
	CreateLink        = "createlink"
	ReviewLink        = "reviewlink"
	GetLink           = "getlink"
	RotateLink        = "rotatelink"
	DeleteLink        = "deletelink"
	Token             = "token"
	RotationWorker    = "rotationworker"
	RotationScheduler = "rotationscheduler"
)

// Route is one HTTP API route and the function that serves it.
type Route struct {
	Method   string
	Path     string // API Gateway path template, such as /links/{linkId}
	Function string
}

// Key returns the API Gateway route key, such as "GET /links/{linkId}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// All lists every route of the HTTP API.
var All = []Route{
	{"PUT", "/sites/{siteId}", Connectors},
	{"POST", "/connectors", Connectors},
	{"GET", "/connectors", Connectors},
	{"GET", "/connectors/{connectorId}", Connectors},
	{"PATCH", "/connectors/{connectorId}", Connectors},
	{"DELETE", "/connectors/{connectorId}", Connectors},
	{"POST", "/links", CreateLink},
	{"GET", "/connectors/{connectorId}/link-requests", ReviewLink},
	{"POST", "/links/{linkId}/accept", ReviewLink},
	{"POST", "/links/{linkId}/reject", ReviewLink},
	{"GET", "/links/{linkId}", GetLink},
	{"GET", "/links", GetLink},
	{"GET", "/links/{linkId}/events", GetLink},
	{"POST", "/links/{linkId}/rotate", RotateLink},
	{"DELETE", "/links/{linkId}", DeleteLink},
	{"POST", "/links/{linkId}/token", Token},
}

// HTTPFunctions lists the functions that serve routes, in table order.
func HTTPFunctions() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range All {
		if !seen[r.Function] {
			seen[r.Function] = true
			out = append(out, r.Function)
		}
	}
	return out
}

// ForFunction returns the routes served by function fn.
func ForFunction(fn string) []Route {
	var out []Route
	for _, r := range All {
		if r.Function == fn {
			out = append(out, r)
		}
	}
	return out
}
