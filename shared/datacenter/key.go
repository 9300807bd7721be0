package datacenter

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// ConnectorKeyPrefix starts every connector key.
const ConnectorKeyPrefix = "cck_"

// connectorKeyBytes is the number of random bytes behind a connector key.
const connectorKeyBytes = 32

// NewConnectorKey returns a new connector key: ConnectorKeyPrefix followed by
// the unpadded base64url encoding of 32 bytes from crypto/rand. The bytes of
// the whole string are the HMAC key.
func NewConnectorKey() string {
	b := make([]byte, connectorKeyBytes)
	// crypto/rand.Read never returns an error since Go 1.24: it aborts the
	// program if the system's random source fails.
	_, _ = rand.Read(b)
	return ConnectorKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ValidConnectorKey reports whether s has the form NewConnectorKey returns.
func ValidConnectorKey(s string) bool {
	rest, ok := strings.CutPrefix(s, ConnectorKeyPrefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(connectorKeyBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil && len(b) == connectorKeyBytes
}
