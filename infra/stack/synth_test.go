package stack

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// testEnv guards the Go test process. Synthesis needs no AWS access, and
// static dummy credentials with the instance metadata disabled keep any AWS
// SDK from looking for real ones.
//
// NOTE: the jsii runtime copies the environment for its Node.js process while
// the packages initialize, before TestMain runs. These values, and the
// variables that silence the runtime's Node version banner
// (JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 and
// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20), reach that process only
// when the caller of go test sets them.
var testEnv = map[string]string{
	"AWS_REGION":                "us-east-1",
	"AWS_ACCESS_KEY_ID":         "AKIAIOSFODNN7EXAMPLE",
	"AWS_SECRET_ACCESS_KEY":     "dummy-secret-for-offline-synth",
	"AWS_EC2_METADATA_DISABLED": "true",
}

// synthesized is the stack built once for all tests, with its template.
type synthesized struct {
	stack    *Stack
	cfg      Config
	outdir   string
	template map[string]any
	nagError []string
}

// synth is set by TestMain before any test runs.
var synth *synthesized

func TestMain(m *testing.M) {
	for k, v := range testEnv {
		os.Setenv(k, v)
	}
	code, err := runTests(m)
	jsii.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

// runTests synthesizes the stack into a temporary directory and runs the
// tests against it.
func runTests(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "cloudconnector-infra-")
	if err != nil {
		return 0, fmt.Errorf("create temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	synth, err = synthesize(dir)
	if err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// synthesize writes a placeholder bootstrap for every function under dir,
// builds the stack with the context of the repository's cdk.json and returns
// the synthesized template and the cdk-nag errors.
func synthesize(dir string) (result *synthesized, err error) {
	// The CDK reports a failed synthesis, such as an unsuppressed cdk-nag
	// error, by panicking from the jsii call.
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, fmt.Errorf("synthesize the stack: %v", r)
		}
	}()

	assetDir := filepath.Join(dir, "build")
	if err := writePlaceholderAssets(assetDir); err != nil {
		return nil, err
	}

	context, err := cdkContext(filepath.Join("..", "..", "cdk.json"))
	if err != nil {
		return nil, err
	}
	context[ContextAssetDir] = assetDir
	// The CDK CLI sets this for every synthesis. It records each asset's
	// staged directory in the template, which lets the tests check it.
	context["aws:cdk:enable-asset-metadata"] = true

	outdir := filepath.Join(dir, "cdk.out")
	app := awscdk.NewApp(&awscdk.AppProps{Context: &context, Outdir: jsii.String(outdir)})
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		return nil, fmt.Errorf("read context: %w", err)
	}
	s, err := New(app, "Test", cfg)
	if err != nil {
		return nil, fmt.Errorf("create stack: %w", err)
	}

	template, err := normalize(assertions.Template_FromStack(s.Stack, nil).ToJSON())
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	var nagErrors []string
	findings := assertions.Annotations_FromStack(s.Stack).FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*")))
	for _, f := range *findings {
		nagErrors = append(nagErrors, fmt.Sprintf("%s: %v", *f.Id, f.Entry.Data))
	}
	return &synthesized{stack: s, cfg: cfg, outdir: outdir, template: template.(map[string]any), nagError: nagErrors}, nil
}

// writePlaceholderAssets writes a bootstrap for every function under dir.
// Each file holds the function name, so a test can tell the assets apart.
func writePlaceholderAssets(dir string) error {
	for _, fn := range FunctionNames() {
		fnDir := filepath.Join(dir, fn)
		if err := os.MkdirAll(fnDir, 0o755); err != nil {
			return fmt.Errorf("create asset directory: %w", err)
		}
		if err := os.WriteFile(filepath.Join(fnDir, "bootstrap"), []byte(placeholderBootstrap(fn)), 0o755); err != nil {
			return fmt.Errorf("write placeholder bootstrap: %w", err)
		}
	}
	return nil
}

// placeholderBootstrap returns the content of function fn's placeholder.
func placeholderBootstrap(fn string) string {
	return "#!/bin/sh\n# placeholder for " + fn + "\n"
}

// cdkContext reads the context object of the cdk.json file at path, so the
// tests synthesize with the same feature flags as the CDK CLI.
func cdkContext(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var file struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	if file.Context == nil {
		return map[string]any{}, nil
	}
	return file.Context, nil
}

// normalize round-trips v through JSON, so it holds only maps, slices,
// strings, float64 and bool.
func normalize(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// resourcesOfType returns the template's resources of CloudFormation type
// typ, keyed by logical id.
func resourcesOfType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range synth.template["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// resource returns the resource with logical id id, or fails the test.
func resource(t *testing.T, id string) map[string]any {
	t.Helper()
	r, ok := synth.template["Resources"].(map[string]any)[id]
	if !ok {
		t.Fatalf("template has no resource %s", id)
	}
	return r.(map[string]any)
}

// props returns the Properties of resource r.
func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// logicalID returns the logical id of the CloudFormation resource behind the
// construct c.
func logicalID(t *testing.T, c constructs.IConstruct) string {
	t.Helper()
	el, ok := c.Node().DefaultChild().(awscdk.CfnElement)
	if !ok {
		t.Fatalf("construct %s has no CloudFormation resource", *c.Node().Path())
	}
	return *synth.stack.GetLogicalId(el)
}

// ref returns the CloudFormation reference {"Ref": id}.
func ref(id string) map[string]any {
	return map[string]any{"Ref": id}
}

// getAtt returns the CloudFormation expression {"Fn::GetAtt": [id, attr]}.
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

// jsonString formats v for a failure message.
func jsonString(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}
