package apigw

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

// Claim names read from the JWT authorizer's claims.
const (
	ClaimSubject = "sub"
	ClaimOrg     = "org"
	ClaimRoles   = "roles"
)

// MaxSubjectLength is the maximum length of the sub claim, in characters.
const MaxSubjectLength = 256

// authenticate returns the principal of a request that passed the HTTP API's
// JWT authorizer. An event without an authorizer block, with an all-null one,
// or from an IAM or Lambda authorizer is unauthenticated.
func authenticate(ev *events.APIGatewayV2HTTPRequest) (domain.Principal, error) {
	auth := ev.RequestContext.Authorizer
	if auth == nil {
		return domain.Principal{}, domain.Errorf(domain.KindUnauthenticated, "a bearer token is required")
	}
	if auth.IAM != nil || auth.Lambda != nil {
		return domain.Principal{}, domain.Errorf(domain.KindUnauthenticated, "only JWT bearer tokens are accepted")
	}
	if auth.JWT == nil || len(auth.JWT.Claims) == 0 {
		return domain.Principal{}, domain.Errorf(domain.KindUnauthenticated, "a bearer token is required")
	}
	return PrincipalFromClaims(auth.JWT.Claims)
}

// PrincipalFromClaims builds the caller's principal from JWT claims in the
// form API Gateway passes them, where every claim value is a string.
//
// The sub claim must be 1 to MaxSubjectLength characters of valid UTF-8
// without control characters, and must not look like a rendered array or
// object (a leading '[' or '{'). The org claim must be a valid organization id.
// Otherwise the error is a domain.KindUnauthenticated *domain.Error.
//
// The roles claim may be absent. It may be API Gateway's rendering of an
// array ("[org-admin site-admin:S1]"), a JSON array of strings, or a list
// separated by spaces. An entry that domain.ParseRole rejects is dropped, so
// it grants nothing, and a value with brackets in any other form grants no
// role at all.
func PrincipalFromClaims(claims map[string]string) (domain.Principal, error) {
	sub := claims[ClaimSubject]
	if !validSubject(sub) {
		return domain.Principal{}, domain.Errorf(domain.KindUnauthenticated,
			"the token's %s claim is missing or invalid", ClaimSubject)
	}
	org := claims[ClaimOrg]
	if !domain.ValidOrgID(org) {
		return domain.Principal{}, domain.Errorf(domain.KindUnauthenticated,
			"the token's %s claim is missing or invalid", ClaimOrg)
	}

	var roles []domain.Role
	for _, entry := range parseRoles(claims[ClaimRoles]) {
		role, ok := domain.ParseRole(entry)
		if ok && !containsRole(roles, role) {
			roles = append(roles, role)
		}
	}
	return domain.Principal{Subject: sub, OrgID: org, Roles: roles}, nil
}

func validSubject(sub string) bool {
	if sub == "" || !utf8.ValidString(sub) || utf8.RuneCountInString(sub) > MaxSubjectLength {
		return false
	}
	if sub[0] == '[' || sub[0] == '{' {
		return false
	}
	for _, r := range sub {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// parseRoles splits a roles claim into entries. Three forms are accepted:
//
//   - API Gateway's rendering of a JSON array claim: "[org-admin site-admin:S1]"
//   - a JSON array of strings: `["org-admin","site-admin:S1"]`
//   - a list separated by spaces: "org-admin site-admin:S1"
//
// A value that contains '[' or ']' and is neither of the bracketed forms
// yields no entries at all, so a malformed claim such as "[org-admin]x" or
// "[org-admin site-admin:S1" grants nothing.
//
// NOTE: API Gateway's rendering cannot tell "[a b]" (two entries) from an
// array with the single entry "a b". Role values come from the identity
// provider's configuration, so a role name that contains a space must not be
// configured there.
func parseRoles(claim string) []string {
	claim = strings.Trim(claim, " ")
	if !strings.ContainsAny(claim, "[]") {
		return splitSpaces(claim)
	}

	var entries []string
	if err := json.Unmarshal([]byte(claim), &entries); err == nil {
		return entries
	}

	inner, ok := strings.CutPrefix(claim, "[")
	if !ok {
		return nil
	}
	inner, ok = strings.CutSuffix(inner, "]")
	if !ok || strings.ContainsAny(inner, "[]") {
		return nil
	}
	return splitSpaces(inner)
}

// splitSpaces splits s at runs of ASCII spaces only, as OAuth 2.0 splits
// its scope claim. Any other whitespace stays inside an entry, where
// domain.ParseRole rejects it.
func splitSpaces(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })
}

func containsRole(roles []domain.Role, role domain.Role) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}
