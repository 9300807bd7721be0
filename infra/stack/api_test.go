package stack

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

func TestRoutesMatchRouteTable(t *testing.T) {
	apiID := logicalID(t, synth.stack.API)
	authorizers := resourcesOfType("AWS::ApiGatewayV2::Authorizer")
	if len(authorizers) != 1 {
		t.Fatalf("got %d authorizers, want 1", len(authorizers))
	}
	var authorizerID string
	for id := range authorizers {
		authorizerID = id
	}

	gotRoutes := map[string]map[string]any{}
	for _, r := range resourcesOfType("AWS::ApiGatewayV2::Route") {
		p := props(r)
		key, _ := p["RouteKey"].(string)
		if _, dup := gotRoutes[key]; dup {
			t.Errorf("route %q appears twice", key)
		}
		gotRoutes[key] = p
	}
	var got, want []string
	for key := range gotRoutes {
		got = append(got, key)
	}
	for _, r := range routes.All {
		want = append(want, r.Key())
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("route keys:\ngot  %q\nwant %q", got, want)
	}

	for _, r := range routes.All {
		t.Run(r.Key(), func(t *testing.T) {
			p := gotRoutes[r.Key()]
			if !reflect.DeepEqual(p["ApiId"], any(ref(apiID))) {
				t.Errorf("ApiId = %s, want %s", jsonString(p["ApiId"]), jsonString(ref(apiID)))
			}
			if p["AuthorizationType"] != "JWT" {
				t.Errorf("AuthorizationType = %v, want JWT", p["AuthorizationType"])
			}
			if !reflect.DeepEqual(p["AuthorizerId"], any(ref(authorizerID))) {
				t.Errorf("AuthorizerId = %s, want %s", jsonString(p["AuthorizerId"]), jsonString(ref(authorizerID)))
			}

			integrationID, ok := routeIntegration(p["Target"])
			if !ok {
				t.Fatalf("Target = %s, want integrations/<integration>", jsonString(p["Target"]))
			}
			integration := props(resource(t, integrationID))
			wantURI := getAtt(logicalID(t, synth.stack.Functions[r.Function]), "Arn")
			if !reflect.DeepEqual(integration["IntegrationUri"], any(wantURI)) {
				t.Errorf("integration URI = %s, want %s (function %s)", jsonString(integration["IntegrationUri"]), jsonString(wantURI), r.Function)
			}
			if integration["IntegrationType"] != "AWS_PROXY" {
				t.Errorf("IntegrationType = %v, want AWS_PROXY", integration["IntegrationType"])
			}
			if integration["PayloadFormatVersion"] != "2.0" {
				t.Errorf("PayloadFormatVersion = %v, want 2.0", integration["PayloadFormatVersion"])
			}
		})
	}
}

// routeIntegration returns the integration logical id of a route target of
// the form {"Fn::Join": ["", ["integrations/", {"Ref": id}]]}.
func routeIntegration(target any) (string, bool) {
	join, ok := target.(map[string]any)["Fn::Join"].([]any)
	if !ok || len(join) != 2 {
		return "", false
	}
	parts, ok := join[1].([]any)
	if !ok || len(parts) != 2 || parts[0] != "integrations/" {
		return "", false
	}
	id, ok := parts[1].(map[string]any)["Ref"].(string)
	return id, ok
}

func TestAPIHasOnlyRouteTableIntegrations(t *testing.T) {
	if got := len(resourcesOfType("AWS::ApiGatewayV2::Api")); got != 1 {
		t.Errorf("got %d HTTP APIs, want 1", got)
	}
	if got, want := len(resourcesOfType("AWS::ApiGatewayV2::Integration")), len(routes.HTTPFunctions()); got != want {
		t.Errorf("got %d integrations, want %d (one per HTTP function)", got, want)
	}
	for id, api := range resourcesOfType("AWS::ApiGatewayV2::Api") {
		p := props(api)
		if p["ProtocolType"] != "HTTP" {
			t.Errorf("API %s ProtocolType = %v, want HTTP", id, p["ProtocolType"])
		}
		if _, ok := p["Target"]; ok {
			t.Errorf("API %s has a quick-create Target, want none", id)
		}
	}
}

func TestJWTAuthorizer(t *testing.T) {
	for id, a := range resourcesOfType("AWS::ApiGatewayV2::Authorizer") {
		p := props(a)
		if p["AuthorizerType"] != "JWT" {
			t.Errorf("authorizer %s type = %v, want JWT", id, p["AuthorizerType"])
		}
		var audiences []any
		for _, aud := range synth.cfg.JWTAudiences {
			audiences = append(audiences, aud)
		}
		wantConfig := map[string]any{"Issuer": synth.cfg.JWTIssuer, "Audience": audiences}
		if !reflect.DeepEqual(p["JwtConfiguration"], any(wantConfig)) {
			t.Errorf("JwtConfiguration = %s, want %s", jsonString(p["JwtConfiguration"]), jsonString(wantConfig))
		}
		wantSource := []any{"$request.header.Authorization"}
		if !reflect.DeepEqual(p["IdentitySource"], any(wantSource)) {
			t.Errorf("IdentitySource = %s, want %s", jsonString(p["IdentitySource"]), jsonString(wantSource))
		}
	}
}

func TestDefaultStage(t *testing.T) {
	stages := resourcesOfType("AWS::ApiGatewayV2::Stage")
	if len(stages) != 1 {
		t.Fatalf("got %d stages, want 1", len(stages))
	}
	p := props(resource(t, logicalID(t, synth.stack.Stage)))

	if p["StageName"] != "$default" {
		t.Errorf("StageName = %v, want $default", p["StageName"])
	}
	if p["AutoDeploy"] != true {
		t.Errorf("AutoDeploy = %v, want true", p["AutoDeploy"])
	}
	wantThrottle := map[string]any{"ThrottlingRateLimit": float64(apiRateLimit), "ThrottlingBurstLimit": float64(apiBurstLimit)}
	if !reflect.DeepEqual(p["DefaultRouteSettings"], any(wantThrottle)) {
		t.Errorf("DefaultRouteSettings = %s, want %s", jsonString(p["DefaultRouteSettings"]), jsonString(wantThrottle))
	}

	logs, _ := p["AccessLogSettings"].(map[string]any)
	dest, ok := logs["DestinationArn"].(map[string]any)["Fn::GetAtt"].([]any)
	if !ok || len(dest) != 2 {
		t.Fatalf("access log DestinationArn = %s, want the ARN of a log group", jsonString(logs["DestinationArn"]))
	}
	group := resource(t, dest[0].(string))
	if group["Type"] != "AWS::Logs::LogGroup" {
		t.Errorf("access log destination type = %v, want AWS::Logs::LogGroup", group["Type"])
	}
	if got, want := props(group)["RetentionInDays"], float64(30); got != want {
		t.Errorf("access log retention = %v days, want %v", got, want)
	}

	format, _ := logs["Format"].(string)
	var fields map[string]string
	if err := json.Unmarshal([]byte(format), &fields); err != nil {
		t.Fatalf("access log format %q is not a JSON object: %v", format, err)
	}
	for _, key := range []string{"requestId", "routeKey", "status"} {
		if fields[key] == "" {
			t.Errorf("access log format has no %q field: %s", key, format)
		}
	}
}
