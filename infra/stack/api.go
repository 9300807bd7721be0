package stack

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// accessLogFields are the fields of one access log line, as HTTP API
// $context variables. They hold no token and no request body.
var accessLogFields = map[string]string{
	"requestId":          "$context.requestId",
	"requestTime":        "$context.requestTime",
	"sourceIp":           "$context.identity.sourceIp",
	"httpMethod":         "$context.httpMethod",
	"routeKey":           "$context.routeKey",
	"path":               "$context.path",
	"status":             "$context.status",
	"responseLength":     "$context.responseLength",
	"responseLatency":    "$context.responseLatency",
	"integrationLatency": "$context.integrationLatency",
	"integrationError":   "$context.integrationErrorMessage",
	"authorizerError":    "$context.authorizer.error",
	"sub":                "$context.authorizer.claims.sub",
}

// newAPI creates the HTTP API with a JWT authorizer and one route per entry
// of routes.All, each integrated with its function using payload format 2.0.
// It has no default route, so any other method or path gets a 404 from API
// Gateway. The $default stage is throttled and writes JSON access logs.
func newAPI(scope constructs.Construct, cfg Config, functions map[string]awslambda.Function) (awsapigatewayv2.HttpApi, awsapigatewayv2.HttpStage, error) {
	api := awsapigatewayv2.NewHttpApi(scope, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description:        jsii.String("Cloud connector API"),
		CreateDefaultStage: jsii.Bool(false),
	})

	authorizer := awsapigatewayv2authorizers.NewHttpJwtAuthorizer(jsii.String("JwtAuthorizer"), jsii.String(cfg.JWTIssuer),
		&awsapigatewayv2authorizers.HttpJwtAuthorizerProps{
			AuthorizerName: jsii.String("jwt"),
			JwtAudience:    jsii.Strings(cfg.JWTAudiences...),
		})

	integrations := map[string]awsapigatewayv2integrations.HttpLambdaIntegration{}
	for _, route := range routes.All {
		fn, ok := functions[route.Function]
		if !ok {
			return nil, nil, fmt.Errorf("route %s: function %s is not part of the stack", route.Key(), route.Function)
		}
		integration, ok := integrations[route.Function]
		if !ok {
			integration = awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(route.Function), fn,
				&awsapigatewayv2integrations.HttpLambdaIntegrationProps{
					PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
				})
			integrations[route.Function] = integration
		}

		// The construct id is the route key: constructs replace its slashes,
		// and a stable id keeps the route's logical id when routes.All is
		// reordered.
		awsapigatewayv2.NewHttpRoute(api, jsii.String(route.Key()), &awsapigatewayv2.HttpRouteProps{
			HttpApi:     api,
			RouteKey:    awsapigatewayv2.HttpRouteKey_With(jsii.String(route.Path), awsapigatewayv2.HttpMethod(route.Method)),
			Integration: integration,
			Authorizer:  authorizer,
		})
	}

	format, err := json.Marshal(accessLogFields)
	if err != nil {
		return nil, nil, fmt.Errorf("encode access log format: %w", err)
	}
	accessLogs := awslogs.NewLogGroup(scope, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention: logRetention,
	})
	stage := awsapigatewayv2.NewHttpStage(scope, jsii.String("ApiDefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			RateLimit:  jsii.Number(apiRateLimit),
			BurstLimit: jsii.Number(apiBurstLimit),
		},
		AccessLogSettings: &accessLogSettings{
			destination: awsapigatewayv2.NewLogGroupLogDestination(accessLogs),
			format:      awsapigateway.AccessLogFormat_Custom(jsii.String(string(format))),
		},
	})
	return api, stage, nil
}

// accessLogSettings implements awsapigatewayv2.IAccessLogSettings.
type accessLogSettings struct {
	destination awsapigatewayv2.IAccessLogDestination
	format      awsapigateway.AccessLogFormat
}

// Destination returns the log group that receives the access logs.
func (s *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination {
	return s.destination
}

// Format returns the format of one access log line.
func (s *accessLogSettings) Format() awsapigateway.AccessLogFormat {
	return s.format
}
