package apigw

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/domain"
)

func TestPrincipalFromClaimsRoles(t *testing.T) {
	orgAdmin := domain.Role{Name: domain.RoleOrgAdmin}
	siteAdmin := domain.Role{Name: domain.RoleSiteAdmin, Target: "S1"}
	dcAdmin := domain.Role{Name: domain.RoleDCAdmin, Target: testConnectorID}

	tests := []struct {
		name  string
		roles string
		want  []domain.Role
	}{
		{"API Gateway array rendering", "[org-admin site-admin:S1]", []domain.Role{orgAdmin, siteAdmin}},
		{"JSON array", `["org-admin","site-admin:S1"]`, []domain.Role{orgAdmin, siteAdmin}},
		{"JSON array with spaces", ` [ "org-admin" , "site-admin:S1" ] `, []domain.Role{orgAdmin, siteAdmin}},
		{"space separated", "org-admin site-admin:S1", []domain.Role{orgAdmin, siteAdmin}},
		{"tab is no separator", "org-admin\tsite-admin:S1", nil},
		{"newline is no separator", "org-admin\nsite-admin:S1", nil},
		{"several spaces", "  org-admin   site-admin:S1  ", []domain.Role{orgAdmin, siteAdmin}},
		{"single role", "org-admin", []domain.Role{orgAdmin}},
		{"dc admin", "[dc-admin:" + testConnectorID + "]", []domain.Role{dcAdmin}},
		{"duplicates collapse", "org-admin org-admin", []domain.Role{orgAdmin}},
		{"absent", "", nil},
		{"empty rendering", "[]", nil},
		{"empty JSON array", "[ ]", nil},
		{"unknown entries dropped", "[viewer org-admin admin]", []domain.Role{orgAdmin}},
		{"upper case grants nothing", "ORG-ADMIN", nil},
		{"dc admin with bad id dropped", "dc-admin:con_123 org-admin", []domain.Role{orgAdmin}},
		{"site admin without target dropped", "site-admin: org-admin", []domain.Role{orgAdmin}},

		// Malformed values must never grant more than their well-formed
		// entries, and a malformed bracketed value grants nothing.
		{"text after brackets", "[org-admin]x", nil},
		{"text before brackets", "x[org-admin]", nil},
		{"unclosed bracket", "[org-admin site-admin:S1", nil},
		{"unopened bracket", "org-admin site-admin:S1]", nil},
		{"two bracketed groups", "[org-admin] [site-admin:S1]", nil},
		{"nested rendering", "[[org-admin]]", nil},
		{"nested JSON array", `[["org-admin"]]`, nil},
		{"JSON with a number", `["org-admin", 5]`, nil},
		{"JSON with trailing text", `["org-admin"]x`, nil},
		{"JSON entry with space", `["site-admin:S1 org-admin"]`, nil},
		{"JSON entry with escaped space", `["site-admin:S1\u0020org-admin"]`, nil},
		{"JSON entry with brackets", `["[org-admin]"]`, nil},
		{"JSON string", `"org-admin"`, nil},
		{"comma separated", "org-admin,site-admin:S1", nil},
		{"comma in rendering", "[org-admin, site-admin:S1]", []domain.Role{siteAdmin}},
		{"quoted entries in rendering", `["org-admin" "site-admin:S1"]`, nil},
		{"NUL inside entry", "org-admin\x00", nil},
		{"trailing NEL", "org-admin\u0085", nil},
		{"trailing tab", "org-admin\t", nil},
		{"no-break space", "org-admin\u00a0site-admin:S1", nil},
		{"object", `{"org-admin":true}`, nil},
		{"site target with space", `["site-admin:S1 "]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := map[string]string{"sub": "user-1", "org": testOrgID}
			if tt.roles != "" {
				claims["roles"] = tt.roles
			}
			p, err := PrincipalFromClaims(claims)
			if err != nil {
				t.Fatalf("PrincipalFromClaims: %v", err)
			}
			if !reflect.DeepEqual(p.Roles, tt.want) {
				t.Errorf("roles of %q = %+v, want %+v", tt.roles, p.Roles, tt.want)
			}
		})
	}
}

func TestPrincipalFromClaimsIdentity(t *testing.T) {
	tests := []struct {
		name   string
		claims map[string]string
		ok     bool
	}{
		{"valid", map[string]string{"sub": "user-1", "org": "org-acme"}, true},
		{"sub with pipe and unicode", map[string]string{"sub": "auth0|Zoë-42", "org": "org-acme"}, true},
		{"sub of max length", map[string]string{"sub": strings.Repeat("é", MaxSubjectLength), "org": "org-acme"}, true},
		{"numeric claims as strings", map[string]string{"sub": "1718722804", "org": "o1", "exp": "1718722804"}, true},
		{"nil claims", nil, false},
		{"empty claims", map[string]string{}, false},
		{"missing sub", map[string]string{"org": "org-acme"}, false},
		{"empty sub", map[string]string{"sub": "", "org": "org-acme"}, false},
		{"missing org", map[string]string{"sub": "user-1"}, false},
		{"empty org", map[string]string{"sub": "user-1", "org": ""}, false},
		{"sub too long", map[string]string{"sub": strings.Repeat("a", MaxSubjectLength+1), "org": "org-acme"}, false},
		{"sub with newline", map[string]string{"sub": "user\n1", "org": "org-acme"}, false},
		{"sub with NUL", map[string]string{"sub": "user\x001", "org": "org-acme"}, false},
		{"sub invalid UTF-8", map[string]string{"sub": "user\xff", "org": "org-acme"}, false},
		{"sub rendered array", map[string]string{"sub": "[a b]", "org": "org-acme"}, false},
		{"sub rendered object", map[string]string{"sub": "{id=1}", "org": "org-acme"}, false},
		{"org rendered array", map[string]string{"sub": "user-1", "org": "[org-a org-b]"}, false},
		{"org JSON array", map[string]string{"sub": "user-1", "org": `["org-a"]`}, false},
		{"org with space", map[string]string{"sub": "user-1", "org": "org acme"}, false},
		{"org too long", map[string]string{"sub": "user-1", "org": strings.Repeat("o", domain.MaxSiteIDLength+1)}, false},
		{"capitalised claim names", map[string]string{"Sub": "user-1", "Org": "org-acme"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PrincipalFromClaims(tt.claims)
			if tt.ok {
				if err != nil {
					t.Fatalf("PrincipalFromClaims(%q): %v, want no error", tt.claims, err)
				}
				if p.Subject != tt.claims["sub"] || p.OrgID != tt.claims["org"] {
					t.Errorf("principal = %+v, want subject %q org %q", p, tt.claims["sub"], tt.claims["org"])
				}
				return
			}
			if !domain.IsKind(err, domain.KindUnauthenticated) {
				t.Fatalf("PrincipalFromClaims(%q) error = %v, want kind %s", tt.claims, err, domain.KindUnauthenticated)
			}
			if !reflect.DeepEqual(p, domain.Principal{}) {
				t.Errorf("principal on error = %+v, want zero", p)
			}
		})
	}
}

func TestAuthenticateAuthorizerShapes(t *testing.T) {
	jwt := func(claims map[string]string) *events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription {
		return &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}
	}
	tests := []struct {
		name string
		auth *events.APIGatewayV2HTTPRequestContextAuthorizerDescription
		ok   bool
	}{
		{"JWT", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: jwt(validClaims())}, true},
		{"no authorizer", nil, false},
		{"all members nil", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}, false},
		{"JWT with nil claims", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: jwt(nil)}, false},
		{"JWT with empty claims", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: jwt(map[string]string{})}, false},
		{"IAM", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: "arn:aws:iam::111122223333:user/x"},
		}, false},
		{"Lambda", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			Lambda: map[string]any{"sub": "user-1", "org": testOrgID},
		}, false},
		{"empty Lambda context", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{}}, false},
		{"IAM beside JWT", &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: jwt(validClaims()),
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent("GET /links", nil)
			ev.RequestContext.Authorizer = tt.auth
			_, err := authenticate(&ev)
			if tt.ok && err != nil {
				t.Fatalf("authenticate: %v, want no error", err)
			}
			if !tt.ok && !domain.IsKind(err, domain.KindUnauthenticated) {
				t.Fatalf("authenticate error = %v, want kind %s", err, domain.KindUnauthenticated)
			}
		})
	}
}
