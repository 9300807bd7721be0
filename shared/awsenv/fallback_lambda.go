//go:build lambda.norpc

package awsenv

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// loadFallback fails: Lambda always sets the region and the execution
// role's credentials in the environment, so a missing one is a broken
// environment, not a reason to search profiles or the metadata service.
func loadFallback(context.Context) (aws.Config, error) {
	var missing []string
	if firstEnv("AWS_REGION", "AWS_DEFAULT_REGION") == "" {
		missing = append(missing, "AWS_REGION")
	}
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		if firstEnv(name) == "" {
			missing = append(missing, name)
		}
	}
	return aws.Config{}, fmt.Errorf("load AWS config: missing environment variables %s, which Lambda always sets", strings.Join(missing, ", "))
}
