package stack

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
)

// Context keys read by ConfigFromContext. Set them in cdk.json or with
// `cdk synth -c key=value`.
const (
	ContextJWTIssuer   = "jwtIssuer"
	ContextJWTAudience = "jwtAudience"
	ContextAssetDir    = "assetDir"
)

// DefaultAssetDir is the asset directory used when the assetDir context value
// is not set. The Makefile builds each function into DefaultAssetDir/<name>/bootstrap.
const DefaultAssetDir = "build"

// Config holds the deployment settings that differ between installations.
type Config struct {
	// JWTIssuer is the issuer URL the JWT authorizer accepts, such as
	// https://issuer.example.com/. API Gateway fetches the signing keys from
	// its OpenID discovery document.
	JWTIssuer string
	// JWTAudiences lists the accepted values of the token's aud claim.
	JWTAudiences []string
	// AssetDir contains one directory per function, each holding the
	// function's compiled bootstrap executable.
	AssetDir string
}

// ConfigFromContext reads the Config from the CDK context of node and
// validates it. The jwtAudience value may be a JSON list of audiences or a
// string of audiences separated by commas.
func ConfigFromContext(node constructs.Node) (Config, error) {
	cfg := Config{
		JWTIssuer:    contextString(node, ContextJWTIssuer),
		JWTAudiences: contextList(node, ContextJWTAudience),
		AssetDir:     contextString(node, ContextAssetDir),
	}
	if cfg.AssetDir == "" {
		cfg.AssetDir = DefaultAssetDir
	}

	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// contextString returns the context value of key as a trimmed string, or ""
// when it is not set. A non-string value is formatted with fmt.
func contextString(node constructs.Node, key string) string {
	v := node.TryGetContext(&key)
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

// contextList returns the non-empty, trimmed items of the context value of
// key, which is a list or a comma-separated string.
func contextList(node constructs.Node, key string) []string {
	var items []string
	switch v := node.TryGetContext(&key).(type) {
	case nil:
	case []any:
		for _, item := range v {
			items = append(items, fmt.Sprint(item))
		}
	case string:
		items = strings.Split(v, ",")
	default:
		items = []string{fmt.Sprint(v)}
	}

	var out []string
	for _, item := range items {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Validate checks that the issuer is an https URL, that at least one audience
// is set and that the asset directory contains an executable bootstrap file
// for every function. It joins all the problems it finds into one error.
func (c Config) Validate() error {
	var errs []error

	if c.JWTIssuer == "" {
		errs = append(errs, fmt.Errorf("context value %q is missing: set the JWT issuer URL in cdk.json or with -c %s=https://issuer.example.com/", ContextJWTIssuer, ContextJWTIssuer))
	} else if u, err := url.Parse(c.JWTIssuer); err != nil || u.Scheme != "https" || u.Host == "" {
		errs = append(errs, fmt.Errorf("context value %q is invalid: got %q, want an https URL such as https://issuer.example.com/", ContextJWTIssuer, c.JWTIssuer))
	}
	if len(c.JWTAudiences) == 0 {
		errs = append(errs, fmt.Errorf("context value %q is missing: set the accepted JWT audience in cdk.json or with -c %s=AUDIENCE", ContextJWTAudience, ContextJWTAudience))
	}

	for _, fn := range FunctionNames() {
		path := filepath.Join(c.AssetDir, fn, "bootstrap")
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("function %s: asset %s is missing: build the functions first (make build) or set -c %s=DIR", fn, path, ContextAssetDir))
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("function %s: read asset: %w", fn, err))
			continue
		}
		if !info.Mode().IsRegular() {
			errs = append(errs, fmt.Errorf("function %s: asset %s is not a regular file", fn, path))
			continue
		}
		if info.Mode().Perm()&0o111 == 0 {
			errs = append(errs, fmt.Errorf("function %s: asset %s is not executable, so Lambda cannot start it: rebuild it or run chmod +x", fn, path))
		}
	}

	return errors.Join(errs...)
}
