package datacenter

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// DefaultTimeout bounds each call of a Client built without an http.Client.
const DefaultTimeout = 8 * time.Second

// maxResponseBytes bounds how much of a response body the client reads.
const maxResponseBytes = 64 << 10

// userAgent identifies the service's calls in the instance's access log.
const userAgent = "cloudconnector"

// Target is one Data Center instance as the service calls it.
type Target struct {
	// ConnectorID is the connected source the instance was registered as.
	ConnectorID string
	// RPCURL is the base URL of the instance, possibly with a context path
	// such as https://dc.example.com/jira. Routes are appended to it.
	RPCURL string
	// Key is the bytes of the connector key string ("cck_..."), the HMAC key
	// of every signed call.
	Key []byte
}

// Client calls Data Center instances. It is safe for concurrent use.
type Client struct {
	http *http.Client
	now  func() time.Time
}

// New returns a Client that sends its calls with a copy of httpClient and
// signs them with the time now returns. A nil httpClient means a client
// with DefaultTimeout, and a nil now means time.Now. The client never
// follows a redirect: a 3xx response is an upstream error.
func New(httpClient *http.Client, now func() time.Time) *Client {
	var hc http.Client
	if httpClient != nil {
		hc = *httpClient
	} else {
		hc.Timeout = DefaultTimeout
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if now == nil {
		now = time.Now
	}
	return &Client{http: &hc, now: now}
}

// call sends one signed request to t and returns the body of a 2xx response.
// Every other outcome is an upstream error whose detail starts with op.
// Each string in secrets is removed from anything the error quotes from the
// response.
func (c *Client) call(ctx context.Context, t Target, op, method string, u *url.URL, contentType string, body []byte, secrets ...string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, &domain.Error{Kind: domain.KindInternal, Detail: op + ": cannot build the request", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	Sign(req, t.ConnectorID, t.Key, body, c.now())

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(op, err)
	}
	defer resp.Body.Close()

	respBody, tooLong, readErr := readLimited(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, statusError(op, req, resp, respBody, secrets)
	}
	if readErr != nil {
		return nil, malformedError(op, "response body could not be read", readErr)
	}
	if tooLong {
		return nil, malformedError(op, fmt.Sprintf("response body longer than %d bytes", maxResponseBytes), nil)
	}
	return respBody, nil
}

// readLimited reads at most maxResponseBytes of r and reports whether the
// body was longer. On a read error it returns the bytes read so far.
func readLimited(r io.Reader) (body []byte, tooLong bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, maxResponseBytes+1))
	if err != nil {
		return body, false, fmt.Errorf("read response body: %w", err)
	}
	if len(body) > maxResponseBytes {
		return body[:maxResponseBytes], true, nil
	}
	return body, false, nil
}

// endpoint returns the URL of the route at escapedPath (which starts with a
// slash and is already escaped) under t.RPCURL, keeping the RPC URL's own
// path as a prefix.
func (t Target) endpoint(escapedPath string) (*url.URL, error) {
	base, err := url.Parse(t.RPCURL)
	if err != nil {
		return nil, fmt.Errorf("parse RPC URL of connector %s: %w", t.ConnectorID, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" || base.Host == "" || base.Opaque != "" {
		return nil, fmt.Errorf("RPC URL of connector %s must be an absolute http or https URL", t.ConnectorID)
	}
	if base.User != nil || base.RawQuery != "" || base.ForceQuery || base.Fragment != "" {
		return nil, fmt.Errorf("RPC URL of connector %s must not contain user info, a query or a fragment", t.ConnectorID)
	}

	joined := strings.TrimRight(base.EscapedPath(), "/") + escapedPath
	path, err := url.PathUnescape(joined)
	if err != nil {
		return nil, fmt.Errorf("RPC URL path of connector %s: %w", t.ConnectorID, err)
	}
	return &url.URL{Scheme: base.Scheme, Host: base.Host, Path: path, RawPath: joined}, nil
}

// check returns an error naming what is missing from t.
func (t Target) check() error {
	if !validConnectorID(t.ConnectorID) {
		return fmt.Errorf("connector id %q must be 1 to %d visible ASCII characters", t.ConnectorID, maxConnectorIDLength)
	}
	if len(t.Key) == 0 {
		return fmt.Errorf("connector %s has no key", t.ConnectorID)
	}
	return nil
}

// checkPathID returns an error unless id is a non-empty run of URL
// unreserved characters (letters, digits, '-', '.', '_', '~') other than "."
// and "..", so it needs no escaping and cannot change the route.
func checkPathID(name, id string) error {
	if id == "" || len(id) > maxConnectorIDLength || id == "." || id == ".." {
		return fmt.Errorf("%s %q must be 1 to %d URL unreserved characters", name, id, maxConnectorIDLength)
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '.', ch == '_', ch == '~':
		default:
			return fmt.Errorf("%s %q must contain only letters, digits, '-', '.', '_' and '~'", name, id)
		}
	}
	return nil
}
