package datacenter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Headers that carry the connector signature of a call.
const (
	HeaderConnectorID = "X-Connector-Id"
	HeaderTimestamp   = "X-Connector-Timestamp"
	HeaderSignature   = "X-Connector-Signature"
)

// ReplayWindow is how far a signed timestamp may be from the verifier's
// clock, in either direction, before the call is rejected.
const ReplayWindow = 5 * time.Minute

// signaturePrefix names the signature scheme: HMAC-SHA256 over the canonical
// form, encoded as unpadded base64url.
const signaturePrefix = "v1="

// Limits on the signature headers, so a hostile header costs little to reject.
const (
	maxConnectorIDLength = 128
	maxTimestampDigits   = 19
)

// Errors that Verify wraps, so a caller can tell a missing signature from a
// wrong one with errors.Is.
var (
	ErrSignatureMissing       = errors.New("signature headers missing")
	ErrSignatureMalformed     = errors.New("signature headers malformed")
	ErrTimestampOutsideWindow = errors.New("signature timestamp outside the replay window")
	ErrUnknownConnector       = errors.New("unknown connector")
	ErrSignatureMismatch      = errors.New("signature does not match")
)

// Sign sets the connector signature headers on req. The signature is an
// HMAC-SHA256 with key over the method, the escaped URL path (no host, no
// query), now in Unix seconds and the SHA-256 of body, which must be the exact
// bytes req sends.
func Sign(req *http.Request, connectorID string, key []byte, body []byte, now time.Time) {
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	timestamp := strconv.FormatInt(now.Unix(), 10)
	mac := computeMAC(key, req.Method, requestPath(req.URL), timestamp, body)
	req.Header.Set(HeaderConnectorID, connectorID)
	req.Header.Set(HeaderTimestamp, timestamp)
	req.Header.Set(HeaderSignature, signaturePrefix+base64.RawURLEncoding.EncodeToString(mac))
}

// HasSignature reports whether h carries any of the signature headers. A
// request that carries some but not all of them is malformed, not unsigned.
func HasSignature(h http.Header) bool {
	return len(h.Values(HeaderConnectorID)) > 0 ||
		len(h.Values(HeaderTimestamp)) > 0 ||
		len(h.Values(HeaderSignature)) > 0
}

// Verify checks the connector signature of r, whose body is body, and
// returns the connector id it was signed for. lookupKey returns the key of a
// connector id and false for an unknown one. The timestamp must be within
// ReplayWindow of now. Every failure returns an empty id and an error that
// wraps one of ErrSignatureMissing, ErrSignatureMalformed,
// ErrTimestampOutsideWindow, ErrUnknownConnector or ErrSignatureMismatch.
func Verify(r *http.Request, body []byte, lookupKey func(connectorID string) ([]byte, bool), now time.Time) (connectorID string, err error) {
	id, timestamp, signature, err := parseSignatureHeaders(r.Header)
	if err != nil {
		return "", err
	}

	seconds, _ := strconv.ParseInt(timestamp, 10, 64) // parseSignatureHeaders checked the digits
	skew := now.Unix() - seconds
	if skew > int64(ReplayWindow/time.Second) || skew < -int64(ReplayWindow/time.Second) {
		return "", fmt.Errorf("%w: timestamp %d is %d s away from the verifier's clock, more than %s",
			ErrTimestampOutsideWindow, seconds, skew, ReplayWindow)
	}

	key, ok := lookupKey(id)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownConnector, id)
	}
	want := computeMAC(key, r.Method, requestPath(r.URL), timestamp, body)
	if !hmac.Equal(signature, want) {
		return "", fmt.Errorf("%w for connector %q", ErrSignatureMismatch, id)
	}
	return id, nil
}

// parseSignatureHeaders returns the connector id, the timestamp as sent and
// the decoded MAC. Each header must appear exactly once.
func parseSignatureHeaders(h http.Header) (id, timestamp string, mac []byte, err error) {
	if !HasSignature(h) {
		return "", "", nil, ErrSignatureMissing
	}
	id, err = singleHeader(h, HeaderConnectorID)
	if err != nil {
		return "", "", nil, err
	}
	if !validConnectorID(id) {
		return "", "", nil, fmt.Errorf("%w: %s must be 1 to %d visible ASCII characters",
			ErrSignatureMalformed, HeaderConnectorID, maxConnectorIDLength)
	}

	timestamp, err = singleHeader(h, HeaderTimestamp)
	if err != nil {
		return "", "", nil, err
	}
	if !allDigits(timestamp, maxTimestampDigits) {
		return "", "", nil, fmt.Errorf("%w: %s must be Unix seconds, 1 to %d digits",
			ErrSignatureMalformed, HeaderTimestamp, maxTimestampDigits)
	}
	if _, err := strconv.ParseInt(timestamp, 10, 64); err != nil {
		return "", "", nil, fmt.Errorf("%w: %s out of range", ErrSignatureMalformed, HeaderTimestamp)
	}

	signature, err := singleHeader(h, HeaderSignature)
	if err != nil {
		return "", "", nil, err
	}
	encoded, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return "", "", nil, fmt.Errorf("%w: %s must start with %q", ErrSignatureMalformed, HeaderSignature, signaturePrefix)
	}
	mac, err = base64.RawURLEncoding.Strict().DecodeString(encoded)
	if err != nil || len(mac) != sha256.Size {
		return "", "", nil, fmt.Errorf("%w: %s must be %q followed by %d bytes in unpadded base64url",
			ErrSignatureMalformed, HeaderSignature, signaturePrefix, sha256.Size)
	}
	return id, timestamp, mac, nil
}

func singleHeader(h http.Header, name string) (string, error) {
	values := h.Values(name)
	switch len(values) {
	case 0:
		return "", fmt.Errorf("%w: %s missing", ErrSignatureMalformed, name)
	case 1:
		return values[0], nil
	default:
		return "", fmt.Errorf("%w: %s sent %d times", ErrSignatureMalformed, name, len(values))
	}
}

func validConnectorID(id string) bool {
	if id == "" || len(id) > maxConnectorIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func allDigits(s string, maxLength int) bool {
	if s == "" || len(s) > maxLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// requestPath returns the escaped path that goes on the request line, which
// is "/" for an empty path.
func requestPath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// computeMAC returns HMAC-SHA256(key, canonical form). The canonical form is
// METHOD, escaped path, timestamp and the lowercase hex SHA-256 of the body,
// joined by newlines.
func computeMAC(key []byte, method, escapedPath, timestamp string, body []byte) []byte {
	bodySum := sha256.Sum256(body)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(method + "\n" + escapedPath + "\n" + timestamp + "\n" + hex.EncodeToString(bodySum[:])))
	return m.Sum(nil)
}
