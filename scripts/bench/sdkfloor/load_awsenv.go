//go:build !floor_loaddefault

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cloudconnector/cloudconnector/shared/awsenv"
)

// loadConfig loads the configuration as the functions do.
func loadConfig(ctx context.Context) (aws.Config, error) { return awsenv.Load(ctx) }

// endpoint applies AWS_ENDPOINT_URL_<SERVICE> as the functions do, because
// awsenv.Load leaves service-specific overrides to each client.
func endpoint(service string, current *string) *string {
	if ep := awsenv.Endpoint(service); ep != nil {
		return ep
	}
	return current
}
