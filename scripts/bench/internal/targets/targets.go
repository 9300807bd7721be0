// Package targets lists the binaries the benchmarks build and measure, the
// functions under functions/ and their baselines, and builds them as the CDK
// stack does.
package targets

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Kind is the role of a target: a function or one of the baselines.
type Kind string

// Target kinds.
const (
	// Function is a Lambda function under functions/.
	Function Kind = "function"
	// Empty is an aws-lambda-go handler that creates nothing.
	Empty Kind = "empty"
	// Floor is an empty handler that loads the AWS configuration with
	// shared/awsenv and builds a function's AWS SDK clients.
	Floor Kind = "floor"
	// FloorDefault is Floor with config.LoadDefaultConfig in place of
	// shared/awsenv.
	FloorDefault Kind = "floor-loaddefault"
)

// Clients is the set of AWS SDK clients a function builds. Every function
// builds a DynamoDB client.
type Clients struct {
	KMS, SQS bool
}

// String returns the client set, such as "DynamoDB+KMS".
func (c Clients) String() string {
	s := "DynamoDB"
	if c.KMS {
		s += "+KMS"
	}
	if c.SQS {
		s += "+SQS"
	}
	return s
}

// Target is one binary to build.
type Target struct {
	// Name identifies the target in tables and file names: the function's
	// directory name, "empty", or "floor:<clients>" and
	// "floor-loaddefault:<clients>".
	Name string
	Kind Kind
	// Package is the Go package path relative to the module root.
	Package string
	// Tags are the build tags besides lambda.norpc.
	Tags []string
	// Clients is the set of clients a function or a floor builds.
	Clients Clients
}

// needsPattern matches the config.Needs literal of a function's main.go.
var needsPattern = regexp.MustCompile(`config\.Needs\{([^}]*)\}`)

// Functions returns every function under root/functions with the clients its
// main.go requests from config.Build: Store means DynamoDB, Sealer KMS and
// Queue SQS.
func Functions(root string) ([]Target, error) {
	dirs, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("no functions/*/main.go under %s", root)
	}
	var out []Target
	for _, path := range dirs {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		m := needsPattern.FindSubmatch(src)
		if m == nil {
			return nil, fmt.Errorf("%s: no config.Needs literal, cannot tell which clients it builds", path)
		}
		needs := string(m[1])
		if !strings.Contains(needs, "Store: true") {
			return nil, fmt.Errorf("%s: function builds no DynamoDB client, which the floors assume", path)
		}
		name := filepath.Base(filepath.Dir(path))
		out = append(out, Target{Name: name, Kind: Function, Package: "./functions/" + name,
			Clients: Clients{KMS: strings.Contains(needs, "Sealer: true"), SQS: strings.Contains(needs, "Queue: true")}})
	}
	return out, nil
}

// Baselines returns the empty handler and, for each client set of fns, a
// floor and a LoadDefaultConfig floor.
func Baselines(fns []Target) []Target {
	out := []Target{{Name: "empty", Kind: Empty, Package: "./scripts/bench/empty"}}
	seen := map[Clients]bool{}
	for _, f := range fns {
		if seen[f.Clients] {
			continue
		}
		seen[f.Clients] = true
		var tags []string
		if f.Clients.KMS {
			tags = append(tags, "floor_kms")
		}
		if f.Clients.SQS {
			tags = append(tags, "floor_sqs")
		}
		out = append(out,
			Target{Name: "floor:" + f.Clients.String(), Kind: Floor, Package: "./scripts/bench/sdkfloor", Tags: tags, Clients: f.Clients},
			Target{Name: "floor-loaddefault:" + f.Clients.String(), Kind: FloorDefault, Package: "./scripts/bench/sdkfloor",
				Tags: append(append([]string{}, tags...), "floor_loaddefault"), Clients: f.Clients})
	}
	return out
}

// FloorOf returns the baseline of kind k that builds the clients of f.
func FloorOf(all []Target, f Target, k Kind) (Target, bool) {
	for _, t := range all {
		if t.Kind == k && t.Clients == f.Clients {
			return t, true
		}
	}
	return Target{}, false
}

// Build compiles t for linux on arch (amd64 or arm64) into
// dir/<name>/bootstrap with the flags of the CDK stack: CGO_ENABLED=0,
// -tags lambda.norpc, -trimpath, -ldflags '-s -w -buildid='. It returns the
// binary's path.
func Build(ctx context.Context, root string, t Target, arch, dir string) (string, error) {
	out := filepath.Join(dir, strings.NewReplacer(":", "_", "+", "_").Replace(t.Name), "bootstrap")
	tags := strings.Join(append([]string{"lambda.norpc"}, t.Tags...), ",")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", tags, "-trimpath", "-ldflags", "-s -w -buildid=", "-o", out, t.Package)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s for %s: %w\n%s", t.Name, arch, err, b)
	}
	return out, nil
}
