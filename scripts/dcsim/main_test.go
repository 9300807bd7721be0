package main

import "testing"

func TestListenAddress(t *testing.T) {
	tests := []struct {
		port    string
		want    string
		wantErr bool
	}{
		{port: "", want: "127.0.0.1:8099"},
		{port: "9000", want: "127.0.0.1:9000"},
		{port: "65535", want: "127.0.0.1:65535"},
		{port: "0", wantErr: true},
		{port: "65536", wantErr: true},
		{port: "-1", wantErr: true},
		{port: "80x", wantErr: true},
		{port: "0.0.0.0:80", wantErr: true},
	}
	for _, tt := range tests {
		got, err := listenAddress(tt.port)
		if tt.wantErr {
			if err == nil {
				t.Errorf("listenAddress(%q) = %q, want an error", tt.port, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("listenAddress(%q) = %q, %v; want %q, nil", tt.port, got, err, tt.want)
		}
	}
}
