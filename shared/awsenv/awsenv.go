// Package awsenv builds the AWS SDK configuration of a function from its
// environment at init.
//
// config.LoadDefaultConfig reads shared config files and walks the whole
// credential chain, which costs several milliseconds of every cold start. In
// Lambda the region and the execution role's credentials are environment
// variables, so Load builds the aws.Config from them directly and keeps what
// the service relies on: the standard retryer (the SDK default when
// Config.Retryer is nil), endpoint overrides through AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>, and the static credentials with their session
// token.
//
// When the region or the static credentials are missing, a build for
// Lambda (build tag lambda.norpc, as the CDK stack builds every function)
// fails with an error naming them. Any other build, such as the local API,
// falls back to LoadDefaultConfig's full chain with its refreshing
// credential cache, so a local run can use a profile. The Lambda build
// never links the config package, whose credential providers (STS, SSO,
// sign-in) add about 1 ms of package init to a cold start and 1.2 MB to the
// binary.
package awsenv

import (
	"context"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Load returns the AWS configuration described by the environment. It never
// contacts an instance metadata address when AWS_REGION and static
// credentials are set, which is the case in Lambda and in every local run.
func Load(ctx context.Context) (aws.Config, error) {
	region := firstEnv("AWS_REGION", "AWS_DEFAULT_REGION")
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || id == "" || secret == "" {
		return loadFallback(ctx)
	}

	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")),
	}
	if ep := os.Getenv("AWS_ENDPOINT_URL"); ep != "" {
		cfg.BaseEndpoint = aws.String(ep)
	}
	return cfg, nil
}

// Endpoint returns the endpoint override for one service, such as "DYNAMODB",
// "SQS" or "KMS", from AWS_ENDPOINT_URL_<SERVICE>, or nil to keep the
// configuration's endpoint. Clients built by Load need it because only
// LoadDefaultConfig applies service-specific overrides by itself.
func Endpoint(service string) *string {
	if ep := os.Getenv("AWS_ENDPOINT_URL_" + strings.ToUpper(service)); ep != "" {
		return aws.String(ep)
	}
	return nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
