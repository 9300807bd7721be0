package stack

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/service"
)

func TestFunctionSettings(t *testing.T) {
	if got, want := len(resourcesOfType("AWS::Lambda::Function")), len(FunctionNames()); got != want {
		t.Errorf("got %d functions, want %d", got, want)
	}
	wantTimeout := map[string]float64{
		routes.RotationWorker:    30,
		routes.RotationScheduler: 60,
	}
	for _, fn := range routes.HTTPFunctions() {
		wantTimeout[fn] = 10
	}
	wantTimeout[routes.ReviewLink] = 29 // accept makes up to three calls to the instance

	for _, fn := range FunctionNames() {
		t.Run(fn, func(t *testing.T) {
			r := resource(t, logicalID(t, synth.stack.Functions[fn]))
			p := props(r)

			checks := []struct {
				field string
				got   any
				want  any
			}{
				{"Architectures", p["Architectures"], []any{"arm64"}},
				{"Runtime", p["Runtime"], "provided.al2023"},
				{"Handler", p["Handler"], "bootstrap"},
				{"MemorySize", p["MemorySize"], float64(256)},
				{"Timeout", p["Timeout"], wantTimeout[fn]},
				{"LoggingConfig.LogFormat", p["LoggingConfig"].(map[string]any)["LogFormat"], "JSON"},
				{"ReservedConcurrentExecutions", p["ReservedConcurrentExecutions"], nil},
				{"TracingConfig", p["TracingConfig"], nil},
			}
			for _, c := range checks {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Errorf("%s = %s, want %s", c.field, jsonString(c.got), jsonString(c.want))
				}
			}

			group, ok := p["LoggingConfig"].(map[string]any)["LogGroup"].(map[string]any)["Ref"].(string)
			if !ok {
				t.Fatalf("LoggingConfig.LogGroup = %s, want a reference to a log group", jsonString(p["LoggingConfig"]))
			}
			if got, want := props(resource(t, group))["RetentionInDays"], float64(30); got != want {
				t.Errorf("log retention = %v days, want %v", got, want)
			}

			// The staged asset is the directory <assetDir>/<function>.
			metadata, _ := r["Metadata"].(map[string]any)
			assetPath, _ := metadata["aws:asset:path"].(string)
			if assetPath == "" {
				t.Fatalf("function has no aws:asset:path metadata: %s", jsonString(metadata))
			}
			got, err := os.ReadFile(filepath.Join(synth.outdir, assetPath, "bootstrap"))
			if err != nil {
				t.Fatalf("read staged bootstrap: %v", err)
			}
			if want := placeholderBootstrap(fn); string(got) != want {
				t.Errorf("staged bootstrap = %q, want %q", got, want)
			}
		})
	}
}

func TestFunctionEnvironment(t *testing.T) {
	table := ref(logicalID(t, synth.stack.Table))
	queue := ref(logicalID(t, synth.stack.Queue))
	key := ref(logicalID(t, synth.stack.Key))

	withRules := func(resources map[string]any) map[string]any {
		env := map[string]any{
			"REQUEST_TTL":           "168h",
			"ROTATION_MAX_AGE":      "2160h",
			"ROTATION_GRACE_PERIOD": "15m",
			"ROTATION_MAX_ATTEMPTS": "5",
		}
		for k, v := range resources {
			env[k] = v
		}
		return env
	}
	tests := map[string]map[string]any{
		routes.Connectors:        withRules(map[string]any{"TABLE_NAME": table, "KMS_KEY_ID": key}),
		routes.CreateLink:        withRules(map[string]any{"TABLE_NAME": table}),
		routes.ReviewLink:        withRules(map[string]any{"TABLE_NAME": table, "KMS_KEY_ID": key, "ROTATION_QUEUE_URL": queue}),
		routes.GetLink:           withRules(map[string]any{"TABLE_NAME": table}),
		routes.RotateLink:        withRules(map[string]any{"TABLE_NAME": table, "ROTATION_QUEUE_URL": queue}),
		routes.DeleteLink:        withRules(map[string]any{"TABLE_NAME": table, "ROTATION_QUEUE_URL": queue}),
		routes.Token:             withRules(map[string]any{"TABLE_NAME": table, "KMS_KEY_ID": key}),
		routes.RotationWorker:    withRules(map[string]any{"TABLE_NAME": table, "KMS_KEY_ID": key, "ROTATION_QUEUE_URL": queue}),
		routes.RotationScheduler: withRules(map[string]any{"TABLE_NAME": table, "ROTATION_QUEUE_URL": queue}),
	}
	if len(tests) != len(FunctionNames()) {
		t.Fatalf("test table covers %d functions, want %d", len(tests), len(FunctionNames()))
	}

	for fn, want := range tests {
		t.Run(fn, func(t *testing.T) {
			p := props(resource(t, logicalID(t, synth.stack.Functions[fn])))
			env, _ := p["Environment"].(map[string]any)
			got := env["Variables"]
			if !reflect.DeepEqual(got, any(want)) {
				t.Errorf("environment:\ngot  %s\nwant %s", jsonString(got), jsonString(want))
			}
			if level := p["LoggingConfig"].(map[string]any)["ApplicationLogLevel"]; level != "INFO" {
				t.Errorf("LoggingConfig.ApplicationLogLevel = %v, want INFO", level)
			}
		})
	}
}

func TestServiceRulesParse(t *testing.T) {
	p := props(resource(t, logicalID(t, synth.stack.Functions[routes.RotationWorker])))
	for name, value := range p["Environment"].(map[string]any)["Variables"].(map[string]any) {
		if s, ok := value.(string); ok {
			t.Setenv(name, s)
		}
	}

	got, err := config.ServiceConfig()
	if err != nil {
		t.Fatalf("functions reject the stack's service rules: %v", err)
	}
	want := service.DefaultConfig()
	want.RequestTTL = 168 * time.Hour
	want.RotationMaxAge = 2160 * time.Hour
	want.GracePeriod = 15 * time.Minute
	want.MaxAttempts = 5
	if !reflect.DeepEqual(got, want) {
		t.Errorf("service config:\ngot  %+v\nwant %+v", got, want)
	}
}
