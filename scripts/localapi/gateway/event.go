package gateway

import (
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// requestTimeLayout is the layout of requestContext.time, such as
// "17/Jun/2024:15:49:29 +0000".
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// inbound is the data of one request that the event is built from.
type inbound struct {
	r         *http.Request
	route     routes.Route
	params    map[string]string
	body      []byte
	claims    map[string]string
	requestID string
	traceID   string
	received  time.Time
}

// buildEvent returns the payload format 2.0 event for in, shaped as API
// Gateway builds it.
func (g *Gateway) buildEvent(in inbound) events.APIGatewayV2HTTPRequest {
	r := in.r
	sourceIP := remoteIP(r.RemoteAddr)
	host := r.Host

	ev := events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: in.route.Key(),
		// HTTP APIs pass the path percent-decoded in rawPath, unlike REST
		// APIs and function URLs.
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies(r.Header),
		Headers:               headers(r, host, sourceIP, in.traceID),
		QueryStringParameters: queryParameters(r.URL.RawQuery),
		PathParameters:        in.params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     in.route.Key(),
			AccountID:    g.cfg.AccountID,
			Stage:        "$default",
			RequestID:    in.requestID,
			APIID:        g.cfg.APIID,
			DomainName:   hostname(host),
			DomainPrefix: domainPrefix(hostname(host)),
			Time:         in.received.UTC().Format(requestTimeLayout),
			TimeEpoch:    in.received.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
					Claims: in.claims,
					Scopes: nil,
				},
			},
		},
	}

	if len(in.body) > 0 {
		if utf8.Valid(in.body) {
			ev.Body = string(in.body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(in.body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// headers returns the request headers with lower-case names and repeated
// headers joined by commas. API Gateway moves the Cookie header into the
// cookies field and adds host, the x-forwarded-* headers and a trace id.
func headers(r *http.Request, host, sourceIP, traceID string) map[string]string {
	out := make(map[string]string, len(r.Header)+5)
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			continue
		}
		out[lower] = strings.Join(values, ",")
	}

	out["host"] = host
	if prior := out["x-forwarded-for"]; prior != "" {
		out["x-forwarded-for"] = prior + ", " + sourceIP
	} else {
		out["x-forwarded-for"] = sourceIP
	}
	out["x-forwarded-proto"] = "http"
	if _, port, err := net.SplitHostPort(host); err == nil {
		out["x-forwarded-port"] = port
	} else {
		out["x-forwarded-port"] = "80"
	}
	out["x-amzn-trace-id"] = traceID
	if out["content-length"] == "" && r.ContentLength > 0 {
		out["content-length"] = itoa(r.ContentLength)
	}
	return out
}

// cookies splits every Cookie header at "; " into the cookies field.
func cookies(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Cookie") {
		for _, c := range strings.Split(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// queryParameters decodes the query string. A repeated parameter arrives
// once, with its values joined by commas; rawQueryString keeps them apart.
// It returns nil for an empty query, as API Gateway omits the field then.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	// ParseQuery keeps every pair it could decode and skips the rest.
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for name, list := range values {
		out[name] = strings.Join(list, ",")
	}
	return out
}

func remoteIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// hostname returns host without its port.
func hostname(host string) string {
	if name, _, err := net.SplitHostPort(host); err == nil {
		return name
	}
	return host
}

// domainPrefix returns the first label of a domain name, as API Gateway
// does for requestContext.domainPrefix.
func domainPrefix(domain string) string {
	prefix, _, _ := strings.Cut(domain, ".")
	return prefix
}
