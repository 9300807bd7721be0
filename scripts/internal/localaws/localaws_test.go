package localaws

import (
	"context"
	"os"
	"testing"
)

// clearAWSEnv empties every variable that ApplyDefaults reads or writes, and
// restores them when the test ends.
func clearAWSEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		"AWS_REGION", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
		"AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	} {
		t.Setenv(name, "")
		if err := os.Unsetenv(name); err != nil {
			t.Fatalf("unset %s: %v", name, err)
		}
	}
}

func TestApplyDefaultsLocal(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_PROFILE", "production")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREAL")

	local, err := ApplyDefaults()
	if err != nil {
		t.Fatalf("ApplyDefaults: %v", err)
	}
	if !local {
		t.Errorf("local: got false, want true")
	}

	want := map[string]string{
		"AWS_REGION":                  Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            Endpoint,
		"AWS_ENDPOINT_URL_KMS":        KMSEndpoint,
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_PROFILE":                 "",
	}
	for name, value := range want {
		if got := os.Getenv(name); got != value {
			t.Errorf("%s: got %q, want %q", name, got, value)
		}
	}
}

func TestApplyDefaultsLoopbackEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		keyID    string
		want     map[string]string
		local    bool
	}{
		{"loopback without credentials", "http://127.0.0.1:4576", "", map[string]string{
			"AWS_ACCESS_KEY_ID": "test", "AWS_CONFIG_FILE": os.DevNull, "AWS_ENDPOINT_URL": "http://127.0.0.1:4576", "AWS_ENDPOINT_URL_KMS": "",
		}, true},
		{"localhost without credentials", "http://localhost:4566", "", map[string]string{"AWS_ACCESS_KEY_ID": "test"}, true},
		{"IPv6 loopback", "http://[::1]:4566", "", map[string]string{"AWS_ACCESS_KEY_ID": "test"}, true},
		{"loopback with credentials", "http://127.0.0.1:4566", "from-user", map[string]string{"AWS_ACCESS_KEY_ID": "from-user", "AWS_CONFIG_FILE": ""}, true},
		{"remote", "https://dynamodb.us-east-1.amazonaws.com", "", map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_CONFIG_FILE": ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearAWSEnv(t)
			t.Setenv("AWS_ENDPOINT_URL", tt.endpoint)
			if tt.keyID != "" {
				t.Setenv("AWS_ACCESS_KEY_ID", tt.keyID)
			}

			local, err := ApplyDefaults()
			if err != nil {
				t.Fatalf("ApplyDefaults: %v", err)
			}
			if local != tt.local {
				t.Errorf("local: got %v, want %v", local, tt.local)
			}
			for name, value := range tt.want {
				if got := os.Getenv(name); got != value {
					t.Errorf("%s: got %q, want %q", name, got, value)
				}
			}
			if got := os.Getenv("AWS_EC2_METADATA_DISABLED"); got != "true" {
				t.Errorf("AWS_EC2_METADATA_DISABLED: got %q, want true", got)
			}
		})
	}
}

func TestApplyDefaultsRemoteEndpoint(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", "https://example.invalid")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "from-user")

	local, err := ApplyDefaults()
	if err != nil {
		t.Fatalf("ApplyDefaults: %v", err)
	}
	if local {
		t.Errorf("local: got true, want false")
	}

	want := map[string]string{
		"AWS_REGION":                "eu-west-1",
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID":         "from-user",
		"AWS_ENDPOINT_URL_KMS":      "",
	}
	for name, value := range want {
		if got := os.Getenv(name); got != value {
			t.Errorf("%s: got %q, want %q", name, got, value)
		}
	}
}

func TestLoadUsesLocalCredentials(t *testing.T) {
	clearAWSEnv(t)

	cfg, err := Load(context.Background())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Region != Region {
		t.Errorf("region: got %q, want %q", cfg.Region, Region)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatalf("retrieve credentials: %v", err)
	}
	if creds.AccessKeyID != "test" {
		t.Errorf("access key id: got %q, want %q", creds.AccessKeyID, "test")
	}
	if cfg.BaseEndpoint == nil || *cfg.BaseEndpoint != Endpoint {
		t.Errorf("base endpoint: got %v, want %q", cfg.BaseEndpoint, Endpoint)
	}
}
