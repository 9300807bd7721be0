package main

import (
	"strings"
	"testing"
	"time"
)

func TestParseInterval(t *testing.T) {
	tests := []struct {
		raw     string
		want    time.Duration
		wantErr bool
	}{
		{"60s", time.Minute, false},
		{"5m", 5 * time.Minute, false},
		{"90", 90 * time.Second, false},
		{"1s", time.Second, false},
		{"500ms", 0, true},
		{"0", 0, true},
		{"-5", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := parseInterval(tt.raw)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseInterval(%q): got %s, want an error", tt.raw, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseInterval(%q): got error %v, want %s", tt.raw, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("parseInterval(%q): got %s, want %s", tt.raw, got, tt.want)
			}
		})
	}
}

func TestReadSettings(t *testing.T) {
	required := map[string]string{"TABLE_NAME": "t", "ROTATION_QUEUE_URL": "http://127.0.0.1:4566/000000000000/q", "KMS_KEY_ID": "k"}
	tests := []struct {
		name    string
		env     map[string]string
		want    settings
		wantErr string
	}{
		{"defaults", map[string]string{}, settings{port: 3000, queueURL: required["ROTATION_QUEUE_URL"], interval: time.Minute}, ""},
		{"port and interval", map[string]string{"PORT": "3100", "SCHEDULE_INTERVAL": "10s"}, settings{port: 3100, queueURL: required["ROTATION_QUEUE_URL"], interval: 10 * time.Second}, ""},
		{"port not a number", map[string]string{"PORT": "http"}, settings{}, "PORT"},
		{"port out of range", map[string]string{"PORT": "70000"}, settings{}, "PORT"},
		{"queue missing", map[string]string{"ROTATION_QUEUE_URL": ""}, settings{}, "ROTATION_QUEUE_URL is not set"},
		{"table missing", map[string]string{"TABLE_NAME": ""}, settings{}, "TABLE_NAME is not set"},
		{"key missing", map[string]string{"KMS_KEY_ID": ""}, settings{}, "KMS_KEY_ID is not set"},
		{"bad interval", map[string]string{"SCHEDULE_INTERVAL": "often"}, settings{}, "SCHEDULE_INTERVAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PORT", "")
			t.Setenv("SCHEDULE_INTERVAL", "")
			for name, value := range required {
				t.Setenv(name, value)
			}
			for name, value := range tt.env {
				t.Setenv(name, value)
			}

			got, err := readSettings()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("readSettings: got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("readSettings: got error %v, want none", err)
			}
			if got != tt.want {
				t.Errorf("readSettings: got %+v, want %+v", got, tt.want)
			}
		})
	}
}
