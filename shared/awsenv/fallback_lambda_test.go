//go:build lambda.norpc

package awsenv

import (
	"context"
	"strings"
	"testing"
)

func TestLoadInLambdaNeedsStaticCredentials(t *testing.T) {
	setEnv(t, map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID"})
	_, err := Load(context.Background())
	if err == nil || !strings.Contains(err.Error(), "AWS_SECRET_ACCESS_KEY") || strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("Load = %v, want an error naming only AWS_SECRET_ACCESS_KEY", err)
	}
}
