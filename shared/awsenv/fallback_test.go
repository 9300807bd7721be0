//go:build !lambda.norpc

package awsenv

import (
	"context"
	"testing"
)

func TestLoadFallsBackToDefaultChain(t *testing.T) {
	setEnv(t, map[string]string{"AWS_REGION": "us-east-1"})
	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatalf("Load without static credentials: %v", err)
	}
	if cfg.Region != "us-east-1" {
		t.Errorf("region = %q, want us-east-1", cfg.Region)
	}

	setEnv(t, nil)
	if _, err := Load(context.Background()); err == nil {
		t.Errorf("Load without any region returned no error, want one naming AWS_REGION")
	}
}
