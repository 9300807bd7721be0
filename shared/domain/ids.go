package domain

import (
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// Id prefixes. Ids are a prefix and a ULID, so they sort by creation time.
const (
	PrefixLink      = "lnk_"
	PrefixConnector = "con_"
	PrefixRotation  = "rot_"
	PrefixEvent     = "evt_"
	PrefixClient    = "cli_"
)

// MaxSiteIDLength bounds client-chosen site ids.
const MaxSiteIDLength = 64

var (
	entropyMu sync.Mutex
	entropy   = ulid.Monotonic(rand.Reader, 0)
)

// NewID returns prefix followed by a new ULID drawn from crypto/rand.
// Ids made in the same millisecond by one process still sort in creation order.
func NewID(prefix string, now time.Time) string {
	entropyMu.Lock()
	defer entropyMu.Unlock()
	return prefix + ulid.MustNew(ulid.Timestamp(now), entropy).String()
}

// ValidID reports whether id is prefix followed by a well-formed ULID.
func ValidID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || len(rest) != ulid.EncodedSize {
		return false
	}
	_, err := ulid.ParseStrict(rest)
	return err == nil
}

// ValidSiteID reports whether id is an acceptable site id. Site ids come from
// the cloud product, so they are not ULIDs: 1 to 64 characters of letters,
// digits, '-', '_' and '.'.
func ValidSiteID(id string) bool {
	if id == "" || len(id) > MaxSiteIDLength {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

// ValidOrgID reports whether id is an acceptable organization id, using the
// same character rules as site ids.
func ValidOrgID(id string) bool { return ValidSiteID(id) }
