package main

import (
	"sort"
	"strings"

	"github.com/cloudconnector/cloudconnector/shared/config"
)

// passThrough lists the variables of the caller's environment, besides every
// AWS_* variable, that reach the function: the function's own settings and
// what the AWS SDK and Go's TLS stack read. Everything else stays out, so
// the function's environment is close to the one Lambda provides.
var passThrough = map[string]bool{
	config.EnvTable:             true,
	config.EnvQueueURL:          true,
	config.EnvKeyID:             true,
	config.EnvRequestTTL:        true,
	config.EnvRotationMaxAge:    true,
	config.EnvGracePeriod:       true,
	config.EnvMaxAttempts:       true,
	config.EnvAllowLoopbackHTTP: true,
	"HOME":                      true, // the SDK's default shared config location
	"PATH":                      true,
	"TZ":                        true,
	"SSL_CERT_FILE":             true,
	"SSL_CERT_DIR":              true,
	"LOG_LEVEL":                 true, // aws-lambda-rie's own log level
}

// functionEnv returns the environment of the emulator, which passes all of
// it to function fn. It is built from, in increasing precedence:
//
//  1. defaults: ALLOW_LOOPBACK_HTTP=true, because the simulated Data Center
//     serves plain http on 127.0.0.1; AWS_LAMBDA_LOG_FORMAT=JSON, as the
//     deployed functions log; AWS_LAMBDA_FUNCTION_NAME=fn;
//  2. the AWS_* variables and those in passThrough from environ;
//  3. the settings file's variables, as `source .local/env` would set them;
//  4. AWS_EC2_METADATA_DISABLED=true, always, so the AWS SDK never contacts
//     the instance metadata address.
//
// The result is sorted by name.
func functionEnv(fn string, environ []string, settings [][2]string) []string {
	vars := map[string]string{
		config.EnvAllowLoopbackHTTP: "true",
		"AWS_LAMBDA_LOG_FORMAT":     "JSON",
		"AWS_LAMBDA_FUNCTION_NAME":  fn,
	}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && (strings.HasPrefix(name, "AWS_") || passThrough[name]) {
			vars[name] = value
		}
	}
	for _, s := range settings {
		vars[s[0]] = s[1]
	}
	vars["AWS_EC2_METADATA_DISABLED"] = "true"

	env := make([]string, 0, len(vars))
	for name, value := range vars {
		env = append(env, name+"="+value)
	}
	sort.Strings(env)
	return env
}
