// Package localaws loads the AWS configuration of the local programs. Unless
// AWS_ENDPOINT_URL is already set, it points every client at the local
// servers on 127.0.0.1 with static dummy credentials. The instance metadata
// address is never contacted, whatever the endpoint.
package localaws

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// Defaults of the local stack: kumo serves DynamoDB and SQS, local-kms
// serves KMS.
const (
	Region      = "us-east-1"
	Endpoint    = "http://127.0.0.1:4566"
	KMSEndpoint = "http://127.0.0.1:4599"
)

// ApplyDefaults sets the process environment for local use and reports
// whether the endpoint is local (unset, or a loopback address).
//
// AWS_REGION defaults to us-east-1 and AWS_EC2_METADATA_DISABLED is always
// true. When AWS_ENDPOINT_URL is unset, it also points AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_KMS (unless set) at the local servers, replaces any
// credentials with static dummy ones and switches off the shared config and
// credentials files. When AWS_ENDPOINT_URL is a loopback address, such as
// LocalStack's, it sets the same dummy credentials only if
// AWS_ACCESS_KEY_ID is unset. Any other endpoint (real AWS) keeps the
// caller's credentials.
func ApplyDefaults() (local bool, err error) {
	set := func(name, value string) {
		if err == nil {
			if setErr := os.Setenv(name, value); setErr != nil {
				err = fmt.Errorf("set %s: %w", name, setErr)
			}
		}
	}
	setIfEmpty := func(name, value string) {
		if os.Getenv(name) == "" {
			set(name, value)
		}
	}
	useDummyCredentials := func() {
		set("AWS_ACCESS_KEY_ID", "test")
		set("AWS_SECRET_ACCESS_KEY", "test")
		set("AWS_CONFIG_FILE", os.DevNull)
		set("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
		for _, name := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
			if unsetErr := os.Unsetenv(name); unsetErr != nil && err == nil {
				err = fmt.Errorf("unset %s: %w", name, unsetErr)
			}
		}
	}

	setIfEmpty("AWS_REGION", Region)
	set("AWS_EC2_METADATA_DISABLED", "true")

	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	switch {
	case endpoint == "":
		set("AWS_ENDPOINT_URL", Endpoint)
		setIfEmpty("AWS_ENDPOINT_URL_KMS", KMSEndpoint)
		useDummyCredentials()
		return true, err
	case isLoopback(endpoint):
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			useDummyCredentials()
		}
		return true, err
	default:
		return false, err
	}
}

// isLoopback reports whether endpoint is a URL whose host is localhost or a
// loopback IP address.
func isLoopback(endpoint string) bool {
	parsed, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	host := parsed.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Load applies the local defaults and loads the AWS configuration from the
// environment, with the instance metadata client switched off.
func Load(ctx context.Context) (aws.Config, error) {
	if _, err := ApplyDefaults(); err != nil {
		return aws.Config{}, fmt.Errorf("apply local AWS defaults: %w", err)
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
