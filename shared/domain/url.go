package domain

import (
	"net"
	"net/url"
	"strings"
)

// MaxURLLength bounds every URL the service stores.
const MaxURLLength = 2048

// CheckURL validates raw as the value of field: an absolute https URL with a
// host, no user info, no query and no fragment. When allowLoopbackHTTP is set
// (the service runs locally), plain http is also accepted for loopback hosts.
// It returns the URL without a trailing slash.
func CheckURL(field, raw string, allowLoopbackHTTP bool) (string, error) {
	fail := func(reason string) error {
		return Invalid("invalid "+field+": "+reason, FieldError{Field: field, Reason: reason})
	}
	if raw == "" {
		return "", fail("must not be empty")
	}
	if len(raw) > MaxURLLength {
		return "", fail("longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "", fail("must be an absolute URL such as https://jira.example.com")
	}
	if u.User != nil {
		return "", fail("must not contain user info")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fail("must not contain a fragment")
	}
	if u.RawQuery != "" || strings.Contains(raw, "?") {
		return "", fail("must not contain a query")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowLoopbackHTTP || !isLoopback(u.Hostname()) {
			return "", fail("must use https (plain http only for loopback hosts when running locally)")
		}
	default:
		return "", fail("must use https")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
