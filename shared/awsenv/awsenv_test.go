package awsenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// setEnv replaces the AWS environment of the test with vars.
func setEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_SQS", "AWS_PROFILE"} {
		t.Setenv(name, vars[name])
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}

func TestLoadStaticEnvironment(t *testing.T) {
	setEnv(t, map[string]string{
		"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
		"AWS_SESSION_TOKEN": "TOKEN", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
	})
	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Region != "eu-west-1" {
		t.Errorf("region = %q, want eu-west-1 from AWS_DEFAULT_REGION", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("retrieve credentials: %v", err)
	}
	if creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "SECRET" || creds.SessionToken != "TOKEN" {
		t.Errorf("credentials = %q/%q/%q, want AKID/SECRET/TOKEN", creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	}
	if got := aws.ToString(cfg.BaseEndpoint); got != "http://127.0.0.1:4566" {
		t.Errorf("base endpoint = %q, want AWS_ENDPOINT_URL", got)
	}

	client := dynamodb.NewFromConfig(cfg)
	if _, ok := client.Options().Retryer.(*retry.Standard); !ok {
		t.Errorf("client retryer is %T, want the SDK's standard retryer", client.Options().Retryer)
	}
}

func TestEndpointOverride(t *testing.T) {
	setEnv(t, map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:9"})
	if got := aws.ToString(Endpoint("dynamodb")); got != "http://127.0.0.1:9" {
		t.Errorf("Endpoint(dynamodb) = %q, want AWS_ENDPOINT_URL_DYNAMODB", got)
	}
	if got := Endpoint("KMS"); got != nil {
		t.Errorf("Endpoint(KMS) = %q, want nil when AWS_ENDPOINT_URL_KMS is unset", *got)
	}
}
