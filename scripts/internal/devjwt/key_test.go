package devjwt

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLoadOrCreateStoresKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "jwt")

	first, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}

	info, err := os.Stat(filepath.Join(dir, keyFile))
	if err != nil {
		t.Fatalf("stat key file: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode: got %#o, want 0600", got)
	}
	dirInfo, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("stat key directory: %v", err)
	}
	if got := dirInfo.Mode().Perm(); got != 0o700 {
		t.Errorf("key directory mode: got %#o, want 0700", got)
	}

	second, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate again: %v", err)
	}
	if first.ID() != second.ID() {
		t.Errorf("key id after reload: got %q, want %q", second.ID(), first.ID())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read key directory: %v", err)
	}
	if len(entries) != 1 {
		t.Errorf("files in key directory: got %d, want 1 (temporary files must be removed)", len(entries))
	}
}

func TestLoadOrCreateConcurrent(t *testing.T) {
	dir := t.TempDir()
	const workers = 4

	ids := make([]string, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			key, err := LoadOrCreate(dir)
			errs[i] = err
			if err == nil {
				ids[i] = key.ID()
			}
		})
	}
	wg.Wait()

	for i := range workers {
		if errs[i] != nil {
			t.Fatalf("LoadOrCreate %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("key id %d: got %q, want %q", i, ids[i], ids[0])
		}
	}
}

func TestLoadOrCreateRejects(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "", 0o644, "want 0600"},
		{"not PEM", "hello", 0o600, "no PKCS #8 PEM block"},
		{"wrong PEM type", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0o600, "no PKCS #8 PEM block"},
		{"garbage key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0o600, "parse signing key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, keyFile)
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatalf("write key file: %v", err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatalf("chmod key file: %v", err)
			}

			_, err := LoadOrCreate(dir)
			if err == nil {
				t.Fatalf("LoadOrCreate: got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadOrCreate: got error %q, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestDefaultDirFromEnv(t *testing.T) {
	t.Setenv("DEVJWT_DIR", "/tmp/somewhere")
	got, err := DefaultDir()
	if err != nil {
		t.Fatalf("DefaultDir: %v", err)
	}
	if got != "/tmp/somewhere" {
		t.Errorf("DefaultDir: got %q, want %q", got, "/tmp/somewhere")
	}
}

func TestDefaultDirModuleRoot(t *testing.T) {
	t.Setenv("DEVJWT_DIR", "")
	got, err := DefaultDir()
	if err != nil {
		t.Fatalf("DefaultDir: %v", err)
	}
	root := filepath.Dir(filepath.Dir(got))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("DefaultDir: got %q, want a directory .local/jwt beside go.mod: %v", got, err)
	}
	if !strings.HasSuffix(got, filepath.Join(".local", "jwt")) {
		t.Errorf("DefaultDir: got %q, want it to end in .local/jwt", got)
	}
}

func TestNewClaimsRoundTrip(t *testing.T) {
	key, _ := keys(t)
	v := key.Verifier()
	now := time.Now()

	claims, err := NewClaims(Actor{Org: "org-1", Sub: "user-1", Roles: []string{"org-admin", "site-admin:s1"}}, time.Hour, now)
	if err != nil {
		t.Fatalf("NewClaims: %v", err)
	}
	token, err := key.Sign(claims)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	got, err := v.Verify(token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}

	roles, ok := got["roles"].([]any)
	if !ok || len(roles) != 2 || roles[0] != "org-admin" || roles[1] != "site-admin:s1" {
		t.Errorf("roles: got %#v, want [org-admin site-admin:s1]", got["roles"])
	}
	if got["org"] != "org-1" {
		t.Errorf("org: got %v, want org-1", got["org"])
	}
	if got["jti"] == "" || got["jti"] == nil {
		t.Errorf("jti: got %v, want a random id", got["jti"])
	}
}

func TestNewClaimsRejects(t *testing.T) {
	tests := []struct {
		name  string
		actor Actor
		ttl   time.Duration
		want  string
	}{
		{"org empty", Actor{Sub: "u"}, time.Hour, "org is empty"},
		{"sub empty", Actor{Org: "o"}, time.Hour, "sub is empty"},
		{"ttl zero", Actor{Org: "o", Sub: "u"}, 0, "want a positive duration"},
		{"ttl negative", Actor{Org: "o", Sub: "u"}, -time.Minute, "want a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClaims(tt.actor, tt.ttl, time.Now())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewClaims: got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
