package main

import (
	"slices"
	"testing"
)

func TestFunctionEnv(t *testing.T) {
	environ := []string{
		"AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL=http://127.0.0.1:4566",
		"AWS_EC2_METADATA_DISABLED=false",
		"TABLE_NAME=from-environment",
		"ALLOW_LOOPBACK_HTTP=false",
		"PATH=/usr/bin",
		"GOFLAGS=-mod=mod",
		"SECRET_OF_THE_SHELL=x",
		"MALFORMED",
	}
	settings := [][2]string{{"TABLE_NAME", "from-settings"}, {"ROTATION_DLQ_URL", "http://dlq"}}

	got := functionEnv("getlink", environ, settings)

	want := []string{
		"ALLOW_LOOPBACK_HTTP=false",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL=http://127.0.0.1:4566",
		"AWS_LAMBDA_FUNCTION_NAME=getlink",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_REGION=us-east-1",
		"PATH=/usr/bin",
		"ROTATION_DLQ_URL=http://dlq",
		"TABLE_NAME=from-settings",
	}
	if !slices.Equal(got, want) {
		t.Errorf("functionEnv()\n got %q\nwant %q", got, want)
	}
}

func TestFunctionEnvDefaults(t *testing.T) {
	got := functionEnv("token", nil, nil)

	want := []string{
		"ALLOW_LOOPBACK_HTTP=true",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_LAMBDA_FUNCTION_NAME=token",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	}
	if !slices.Equal(got, want) {
		t.Errorf("functionEnv() with an empty environment\n got %q\nwant %q", got, want)
	}
}
