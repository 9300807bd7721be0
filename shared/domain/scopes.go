package domain

import (
	"fmt"
	"slices"
	"strings"
)

// MaxScopes bounds the number of scope entries in one request, before
// de-duplication, so a hostile list cannot cost more than a few microseconds.
const MaxScopes = 32

// CheckScopeCount rejects a scope list longer than MaxScopes, so a
// hostile request is refused before any work is done for it.
func CheckScopeCount(scopes []string) error {
	if len(scopes) > MaxScopes {
		return Invalid(fmt.Sprintf("at most %d scopes may be requested", MaxScopes),
			FieldError{Field: "scopes", Reason: fmt.Sprintf("at most %d entries", MaxScopes)})
	}
	return nil
}

// CanonicalScopes trims, upper-cases, de-duplicates and sorts scopes and checks
// each against the product's catalogue. An empty list or an unknown scope is
// a KindInvalid error listing the valid scopes.
func CanonicalScopes(p Product, scopes []string) ([]string, error) {
	valid := p.Scopes()
	if len(scopes) == 0 {
		return nil, scopeError(p, "scopes must not be empty", "")
	}
	if len(scopes) > MaxScopes {
		return nil, scopeError(p, fmt.Sprintf("at most %d scopes may be requested", MaxScopes), "")
	}
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !slices.Contains(valid, s) {
			return nil, scopeError(p, "unknown scope", s)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func scopeError(p Product, detail, scope string) error {
	valid := strings.Join(p.Scopes(), ", ")
	if scope != "" {
		detail = fmt.Sprintf("%s %q", detail, truncate(scope, 64))
	}
	return Invalid(fmt.Sprintf("%s; valid %s scopes: %s", detail, p, valid),
		FieldError{Field: "scopes", Reason: "valid scopes: " + valid})
}

// ScopeDiff returns the scopes of requested missing from accepted and the
// scopes of accepted not in requested. Both inputs must be canonical.
func ScopeDiff(requested, accepted []string) (missing, extra []string) {
	missing, extra = []string{}, []string{}
	for _, s := range requested {
		if !slices.Contains(accepted, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range accepted {
		if !slices.Contains(requested, s) {
			extra = append(extra, s)
		}
	}
	return missing, extra
}

// truncate shortens s to at most n bytes for inclusion in a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
