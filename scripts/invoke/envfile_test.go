package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][2]string
	}{
		{
			name: "localsetup output",
			in: "export TABLE_NAME='cloud-connector'\n" +
				"export ROTATION_QUEUE_URL='http://127.0.0.1:4566/000000000000/cloud-connector-rotation'\n" +
				"export KMS_KEY_ID='alias/cloud-connector'\n",
			want: [][2]string{
				{"TABLE_NAME", "cloud-connector"},
				{"ROTATION_QUEUE_URL", "http://127.0.0.1:4566/000000000000/cloud-connector-rotation"},
				{"KMS_KEY_ID", "alias/cloud-connector"},
			},
		},
		{
			name: "comments blank lines and no export",
			in:   "# local stack\n\nTABLE_NAME=plain\n  export REQUEST_TTL='1h'  \n",
			want: [][2]string{{"TABLE_NAME", "plain"}, {"REQUEST_TTL", "1h"}},
		},
		{
			name: "escaped single quote",
			in:   `export NAME='it'\''s'` + "\n",
			want: [][2]string{{"NAME", "it's"}},
		},
		{
			name: "empty value",
			in:   "export EMPTY=''\nexport BARE=\n",
			want: [][2]string{{"EMPTY", ""}, {"BARE", ""}},
		},
		{
			name: "equals sign in value",
			in:   "export URL='http://h/q?a=b'\n",
			want: [][2]string{{"URL", "http://h/q?a=b"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEnvFile(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("parseEnvFile(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseEnvFile(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseEnvFileRejects(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"no equals sign", "export TABLE_NAME\n", "line 1: want NAME=value"},
		{"invalid name", "export 1TABLE=x\n", "line 1: want NAME=value"},
		{"unterminated quote", "A=ok\nexport B='open\n", "line 2: value of B: unterminated single quote"},
		{"expansion", "export A=$HOME\n", "line 1: value of A: character '$' outside single quotes"},
		{"double quotes", `export A="x"` + "\n", `character '"' outside single quotes`},
		{"space", "export A=two words\n", "character ' ' outside single quotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEnvFile(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("parseEnvFile(%q) = %q, want an error containing %q", tt.in, got, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseEnvFile(%q) error = %q, want it to contain %q", tt.in, err, tt.wantErr)
			}
		})
	}
}
