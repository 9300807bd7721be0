package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/scripts/internal/devjwt"
)

func TestRunPrintsValidToken(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer

	err := run([]string{"-org", "org-1", "-sub", "user-1", "-roles", " org-admin  site-admin:s1 ", "-ttl", "5m", "-key-dir", dir}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr.String())
	}

	key, err := devjwt.LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("LoadOrCreate: %v", err)
	}
	claims, err := key.Verifier().Verify(strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}

	got, err := json.Marshal(claims["roles"])
	if err != nil {
		t.Fatalf("marshal roles: %v", err)
	}
	if want := `["org-admin","site-admin:s1"]`; string(got) != want {
		t.Errorf("roles: got %s, want %s", got, want)
	}
	if claims["org"] != "org-1" || claims["sub"] != "user-1" {
		t.Errorf("org, sub: got %v, %v, want org-1, user-1", claims["org"], claims["sub"])
	}
}

func TestRunRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"org missing", []string{"-sub", "u"}, "-org and -sub are required"},
		{"sub missing", []string{"-org", "o"}, "-org and -sub are required"},
		{"unquoted roles", []string{"-org", "o", "-sub", "u", "-roles", "org-admin", "site-admin:s"}, "unexpected arguments"},
		{"negative ttl", []string{"-org", "o", "-sub", "u", "-ttl", "-1h"}, "want a positive duration"},
		{"bad ttl", []string{"-org", "o", "-sub", "u", "-ttl", "soon"}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append(tt.args, "-key-dir", t.TempDir())
			err := run(args, &stdout, &stderr)
			if err == nil {
				t.Fatalf("run: got no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run: got error %q, want one containing %q", err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: got %q, want nothing", stdout.String())
			}
		})
	}
}
