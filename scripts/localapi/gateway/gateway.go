// Package gateway replaces the API Gateway HTTP API of the deployed service
// on the local stack. It serves the route table over HTTP, checks
// bearer tokens as the JWT authorizer does, and invokes the same handler code
// with the payload format 2.0 events that API Gateway would send. It also
// polls the rotation queue as a Lambda event source mapping does and invokes
// the scheduler as an EventBridge schedule does.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/scripts/internal/devjwt"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// HTTPHandler is a Lambda handler behind an HTTP API route.
type HTTPHandler func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Functions are the handlers that the local stack invokes.
type Functions struct {
	HTTP      map[string]HTTPHandler // by function name (routes.Route.Function)
	Worker    func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)
	Scheduler func(ctx context.Context, ev events.EventBridgeEvent) error
}

// MaxBodyBytes is the largest request body accepted: 10 MiB, the payload
// limit of API Gateway HTTP APIs. A larger body gets 413.
const MaxBodyBytes = 10 << 20

// Defaults of Config.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
	DefaultAPIID     = "local"
	// DefaultTimeout is the integration timeout of an HTTP API: API Gateway
	// responds 503 when a function takes longer.
	DefaultTimeout = 30 * time.Second
)

// Config sets up a Gateway.
type Config struct {
	Verifier  *devjwt.Verifier // required: checks the bearer token of every route
	Region    string           // region in ARNs; DefaultRegion when empty
	AccountID string           // account id in events and ARNs; DefaultAccountID when empty
	APIID     string           // requestContext.apiId; DefaultAPIID when empty
	Timeout   time.Duration    // integration timeout; DefaultTimeout when zero
	Logger    *slog.Logger     // slog.Default() when nil
}

// Gateway is an http.Handler that serves every route of routes.All.
type Gateway struct {
	routes   []compiledRoute
	handlers map[string]HTTPHandler
	cfg      Config
}

// New returns a Gateway that invokes fns.HTTP. It fails when cfg has no
// Verifier or when a function of the route table has no handler, so a
// wiring mistake stops the program at start instead of at the first request.
func New(fns Functions, cfg Config) (*Gateway, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("new gateway: Config.Verifier is nil; every route needs the JWT authorizer")
	}
	var missing []string
	for _, name := range routes.HTTPFunctions() {
		if fns.HTTP[name] == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("new gateway: no HTTP handler for functions %q", missing)
	}

	compiled, err := compileRoutes(routes.All)
	if err != nil {
		return nil, fmt.Errorf("new gateway: %w", err)
	}
	return &Gateway{routes: compiled, handlers: fns.HTTP, cfg: cfg.withDefaults()}, nil
}

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	if c.APIID == "" {
		c.APIID = DefaultAPIID
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// functionARN returns the ARN that a deployed function named name would have.
func functionARN(region, accountID, name string) string {
	return "arn:aws:lambda:" + region + ":" + accountID + ":function:" + name
}
