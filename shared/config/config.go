// Package config reads and validates a function's environment at init and
// builds the AWS clients and service it needs, so a missing or invalid
// variable stops the function before its first request with one log line
// naming the variable.
package config

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cloudconnector/cloudconnector/shared/awsenv"
	"github.com/cloudconnector/cloudconnector/shared/datacenter"
	"github.com/cloudconnector/cloudconnector/shared/dynamo"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

// Environment variable names, set by the CDK stack and the local stack.
const (
	EnvTable             = "TABLE_NAME"
	EnvQueueURL          = "ROTATION_QUEUE_URL"
	EnvKeyID             = "KMS_KEY_ID"
	EnvRequestTTL        = "REQUEST_TTL"
	EnvRotationMaxAge    = "ROTATION_MAX_AGE"
	EnvGracePeriod       = "ROTATION_GRACE_PERIOD"
	EnvMaxAttempts       = "ROTATION_MAX_ATTEMPTS"
	EnvAllowLoopbackHTTP = "ALLOW_LOOPBACK_HTTP"
)

// Needs names the adapters a function uses.
type Needs struct {
	Store, Sealer, DataCenter, Queue bool
}

// Settings holds the values Build read from the environment for the
// adapters a function builds itself.
type Settings struct {
	AWS      aws.Config
	KeyID    string
	QueueURL string
}

// Build reads the environment and returns a service with the store and the
// Data Center client if needs names them. It checks the variables of every
// adapter in needs. The KMS and SQS clients are built by the functions that
// use them, with kmsseal.FromConfig and sqsqueue.FromConfig and the returned
// Settings, because a linked client package costs every function about half
// a millisecond of init and a few hundred kilobytes.
func Build(ctx context.Context, needs Needs, log *slog.Logger) (*service.Service, Settings, error) {
	var set Settings
	cfg, err := ServiceConfig()
	if err != nil {
		return nil, set, err
	}
	var table string
	if needs.Store {
		if table, err = required(EnvTable); err != nil {
			return nil, set, err
		}
	}
	if needs.Queue {
		if set.QueueURL, err = required(EnvQueueURL); err != nil {
			return nil, set, err
		}
	}
	if needs.Sealer {
		if set.KeyID, err = required(EnvKeyID); err != nil {
			return nil, set, err
		}
	}
	if set.AWS, err = awsenv.Load(ctx); err != nil {
		return nil, set, err
	}

	svc := service.New(nil, nil, nil, nil, cfg, log)
	if needs.Store {
		svc.Store = dynamo.FromConfig(set.AWS, table)
	}
	if needs.DataCenter {
		svc.DataCenter = datacenter.New(datacenter.PublicHTTPClient(cfg.AllowLoopbackHTTP), nil)
	}
	return svc, set, nil
}

// ServiceConfig reads the service's rules from the environment, with the
// defaults of service.DefaultConfig for unset variables.
func ServiceConfig() (service.Config, error) {
	cfg := service.DefaultConfig()
	var err error
	if cfg.RequestTTL, err = duration(EnvRequestTTL, cfg.RequestTTL); err != nil {
		return cfg, err
	}
	if cfg.RotationMaxAge, err = duration(EnvRotationMaxAge, cfg.RotationMaxAge); err != nil {
		return cfg, err
	}
	if cfg.GracePeriod, err = duration(EnvGracePeriod, cfg.GracePeriod); err != nil {
		return cfg, err
	}
	if s := os.Getenv(EnvMaxAttempts); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return cfg, fmt.Errorf("invalid %s %q: want a whole number from 1 to 100", EnvMaxAttempts, s)
		}
		cfg.MaxAttempts = n
	}
	if s := os.Getenv(EnvAllowLoopbackHTTP); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return cfg, fmt.Errorf("invalid %s %q: want true or false", EnvAllowLoopbackHTTP, s)
		}
		cfg.AllowLoopbackHTTP = b
	}
	return cfg, nil
}

func required(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("missing environment variable %s", name)
	}
	return v, nil
}

func duration(name string, def time.Duration) (time.Duration, error) {
	s := os.Getenv(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("invalid %s %q: want a positive Go duration such as 168h or 15m", name, s)
	}
	return d, nil
}
