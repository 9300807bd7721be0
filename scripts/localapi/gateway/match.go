package gateway

import (
	"fmt"
	"strings"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// compiledRoute is a route with its path template split into segments.
type compiledRoute struct {
	route    routes.Route
	segments []string // a literal, or a parameter name in braces
}

func compileRoutes(all []routes.Route) ([]compiledRoute, error) {
	compiled := make([]compiledRoute, 0, len(all))
	for _, r := range all {
		if !strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("route %q: path must start with /", r.Key())
		}
		segments := strings.Split(r.Path[1:], "/")
		for _, s := range segments {
			if s == "" {
				return nil, fmt.Errorf("route %q: empty path segment", r.Key())
			}
			if strings.ContainsAny(s, "{}") && !isParam(s) {
				return nil, fmt.Errorf("route %q: segment %q mixes a parameter with literal text", r.Key(), s)
			}
		}
		compiled = append(compiled, compiledRoute{route: r, segments: segments})
	}
	return compiled, nil
}

func isParam(segment string) bool {
	return len(segment) > 2 && segment[0] == '{' && segment[len(segment)-1] == '}'
}

// match returns the route for method and the decoded request path, with its
// path parameters. A parameter matches one non-empty segment. When several
// routes match, the one with the most literal segments wins, as in API
// Gateway, so /links/{linkId}/events is preferred to a parameter in that
// place. The method must match exactly: API Gateway responds 404, not 405,
// for a path served only with other methods.
func (g *Gateway) match(method, path string) (routes.Route, map[string]string, bool) {
	if !strings.HasPrefix(path, "/") {
		return routes.Route{}, nil, false
	}
	parts := strings.Split(path[1:], "/")

	var (
		best       *compiledRoute
		bestParams map[string]string
		bestScore  = -1
	)
	for i := range g.routes {
		candidate := &g.routes[i]
		if candidate.route.Method != method || len(candidate.segments) != len(parts) {
			continue
		}
		params, score, ok := matchSegments(candidate.segments, parts)
		if ok && score > bestScore {
			best, bestParams, bestScore = candidate, params, score
		}
	}
	if best == nil {
		return routes.Route{}, nil, false
	}
	return best.route, bestParams, true
}

// matchSegments matches the template segments against the path parts and
// returns the parameters and the number of literal segments.
func matchSegments(segments, parts []string) (map[string]string, int, bool) {
	var params map[string]string
	literals := 0
	for i, s := range segments {
		part := parts[i]
		if part == "" {
			return nil, 0, false
		}
		if isParam(s) {
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-1]] = part
			continue
		}
		if s != part {
			return nil, 0, false
		}
		literals++
	}
	return params, literals, true
}
