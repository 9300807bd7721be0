package datacenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// maxQuotedLength bounds how much of a response an error detail quotes.
const maxQuotedLength = 200

// maxErrorCodeLength bounds the error code an error detail quotes.
const maxErrorCodeLength = 64

// StatusError is the cause (domain.Error.Err) of an upstream error when the
// instance responded with a status outside 2xx, including a redirect.
type StatusError struct {
	Method string
	// URL is the called URL. It never contains a secret: secrets travel in
	// request bodies only.
	URL        string
	StatusCode int
	// Code is the "error" member of a JSON error body, as OAuth 2.0 token
	// endpoints send it (for example "invalid_client"), or "" when the body
	// had none.
	Code string
}

func (e *StatusError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("%s %s: HTTP %d %s", e.Method, e.URL, e.StatusCode, e.Code)
	}
	return fmt.Sprintf("%s %s: HTTP %d", e.Method, e.URL, e.StatusCode)
}

// errMalformedResponse is wrapped by the cause of every error about a
// response the client could not use.
var errMalformedResponse = errors.New("malformed response")

// Retryable reports whether err is an upstream failure that may succeed when
// the call is repeated: the instance was unreachable or timed out, or it
// responded 408, 425, 429 or a 5xx status. A rejection (any other 4xx), a
// redirect, a malformed response, a canceled context and errors of other
// kinds are not retryable.
func Retryable(err error) bool {
	if !domain.IsKind(err, domain.KindUpstream) {
		return false
	}
	var statusErr *StatusError
	if errors.As(err, &statusErr) {
		switch code := statusErr.StatusCode; {
		case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests:
			return true
		default:
			return code >= 500
		}
	}
	if errors.Is(err, errMalformedResponse) || errors.Is(err, context.Canceled) {
		return false
	}
	return true
}

// transportError returns the upstream error for a call that got no response.
func transportError(op string, err error) *domain.Error {
	detail := op + ": Data Center instance unreachable"
	switch {
	case isTimeout(err):
		detail = op + ": Data Center instance did not respond in time"
	case errors.Is(err, context.Canceled):
		detail = op + ": call canceled before the Data Center instance responded"
	}
	return &domain.Error{Kind: domain.KindUpstream, Detail: detail, Err: err}
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()
}

// statusError returns the upstream error for a response outside 2xx. The
// detail carries the status, the error code of a JSON body and at most
// maxQuotedLength characters of its message, with every secret removed.
func statusError(op string, req *http.Request, resp *http.Response, body []byte, secrets []string) *domain.Error {
	code, message := describeErrorBody(body, secrets)
	cause := &StatusError{Method: req.Method, URL: req.URL.String(), StatusCode: resp.StatusCode, Code: code}

	detail := fmt.Sprintf("%s: Data Center instance returned HTTP %d", op, resp.StatusCode)
	if code != "" {
		detail += " " + code
	}
	if message != "" {
		detail += ": " + message
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		detail += " (redirects are not followed)"
	}
	return &domain.Error{Kind: domain.KindUpstream, Detail: detail, Err: cause}
}

// malformedError returns the upstream error for a 2xx response the client
// cannot use. reason is the client's own description and never quotes the
// body. A body that timed out while being read is a timeout, not malformed.
func malformedError(op, reason string, cause error) *domain.Error {
	if cause != nil && isTimeout(cause) {
		return transportError(op, cause)
	}
	err := fmt.Errorf("%w: %s", errMalformedResponse, reason)
	if cause != nil {
		err = fmt.Errorf("%w: %s: %w", errMalformedResponse, reason, cause)
	}
	return &domain.Error{
		Kind:   domain.KindUpstream,
		Detail: op + ": Data Center instance sent a malformed response: " + reason,
		Err:    err,
	}
}

// describeErrorBody returns the error code and a short message from an
// error response: the "error" and "error_description" or "message" members
// of a JSON object, or else the start of the body as text.
func describeErrorBody(body []byte, secrets []string) (code, message string) {
	var parsed struct {
		Error            any    `json:"error"`
		ErrorDescription string `json:"error_description"`
		Message          string `json:"message"`
	}
	if err := json.Unmarshal(body, &parsed); err != nil {
		return "", quote(string(body), secrets)
	}
	if s, ok := parsed.Error.(string); ok && validErrorCode(s) {
		code = s
	}
	message = parsed.ErrorDescription
	if message == "" {
		message = parsed.Message
	}
	return code, quote(message, secrets)
}

// validErrorCode reports whether s is short and made of letters, digits,
// '_', '-' and '.', as OAuth 2.0 error codes are in practice.
func validErrorCode(s string) bool {
	if s == "" || len(s) > maxErrorCodeLength {
		return false
	}
	for _, r := range s {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.')) {
			return false
		}
	}
	return true
}

// quote prepares text from a response for an error detail: each secret is
// replaced by "[redacted]" before anything is cut, control characters and
// runs of white space become one space, and the result is cut to
// maxQuotedLength bytes.
func quote(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxQuotedLength {
		return s
	}
	cut := maxQuotedLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
