package stack

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

func TestConfigFromContext(t *testing.T) {
	assets := filepath.Join(t.TempDir(), "build")
	if err := writePlaceholderAssets(assets); err != nil {
		t.Fatal(err)
	}
	withoutWorker := filepath.Join(t.TempDir(), "build")
	if err := writePlaceholderAssets(withoutWorker); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(withoutWorker, "rotationworker")); err != nil {
		t.Fatal(err)
	}

	notExecutable := filepath.Join(t.TempDir(), "build")
	if err := writePlaceholderAssets(notExecutable); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(notExecutable, "token", "bootstrap"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		context map[string]any
		want    Config
		wantErr []string
	}{
		{
			name:    "valid",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": "cloud-connector", "assetDir": assets},
			want:    Config{JWTIssuer: "https://issuer.example.com/", JWTAudiences: []string{"cloud-connector"}, AssetDir: assets},
		},
		{
			name:    "several audiences",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": " a, b ,,c ", "assetDir": assets},
			want:    Config{JWTIssuer: "https://issuer.example.com/", JWTAudiences: []string{"a", "b", "c"}, AssetDir: assets},
		},
		{
			name:    "audience list",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": []any{"a", " b", ""}, "assetDir": assets},
			want:    Config{JWTIssuer: "https://issuer.example.com/", JWTAudiences: []string{"a", "b"}, AssetDir: assets},
		},
		{
			name:    "missing issuer and audience",
			context: map[string]any{"assetDir": assets},
			wantErr: []string{`"jwtIssuer" is missing`, `"jwtAudience" is missing`},
		},
		{
			name:    "http issuer",
			context: map[string]any{"jwtIssuer": "http://issuer.example.com/", "jwtAudience": "x", "assetDir": assets},
			wantErr: []string{`"jwtIssuer" is invalid`, "want an https URL"},
		},
		{
			name:    "blank audience",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": " , ", "assetDir": assets},
			wantErr: []string{`"jwtAudience" is missing`},
		},
		{
			name:    "missing bootstrap",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": "x", "assetDir": withoutWorker},
			wantErr: []string{"function rotationworker: asset", "is missing", "make build"},
		},
		{
			name:    "bootstrap not executable",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": "x", "assetDir": notExecutable},
			wantErr: []string{"function token: asset", "is not executable"},
		},
		{
			name:    "default asset directory",
			context: map[string]any{"jwtIssuer": "https://issuer.example.com/", "jwtAudience": "x"},
			wantErr: []string{filepath.Join(DefaultAssetDir, "connectors", "bootstrap")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Context: &tt.context})
			got, err := ConfigFromContext(app.Node())
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("got config %+v, want an error containing %q", got, tt.wantErr)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want config %+v", err, tt.want)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got config %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	app := awscdk.NewApp(nil)
	_, err := New(app, "Invalid", Config{JWTIssuer: "https://issuer.example.com/", JWTAudiences: []string{"x"}, AssetDir: t.TempDir()})
	if err == nil {
		t.Fatal("New with an empty asset directory returned no error")
	}
	if !strings.Contains(err.Error(), "invalid stack configuration") {
		t.Errorf("error %q does not contain %q", err, "invalid stack configuration")
	}
}
