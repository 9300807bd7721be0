package rie

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// BuildArgs are the go build arguments of a function binary, the same as
// for the deployed functions: no cgo (CGO_ENABLED=0 in the environment),
// the aws-lambda-go build without its RPC mode, reproducible paths and
// build id, and no symbol tables.
var BuildArgs = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w -buildid="}

// Build compiles the functions named by fns, each a directory under
// moduleDir/functions, for the local operating system and architecture, and
// writes each binary to outDir/<fn>/bootstrap. One go build compiles them
// all, so shared packages compile once. It returns the binaries' paths by
// function name.
func Build(ctx context.Context, moduleDir, outDir string, fns ...string) (map[string]string, error) {
	if len(fns) == 0 {
		return nil, errors.New("build functions: no function named")
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("create build directory %s: %w", outDir, err)
	}
	staging, err := os.MkdirTemp(outDir, ".build-")
	if err != nil {
		return nil, fmt.Errorf("create build directory in %s: %w", outDir, err)
	}
	defer os.RemoveAll(staging)

	// With -o naming a directory, go build writes each main package's
	// binary there under the last element of its import path.
	args := append([]string{"build"}, BuildArgs...)
	args = append(args, "-o", staging+string(filepath.Separator))
	for _, fn := range fns {
		if _, err := os.Stat(filepath.Join(moduleDir, "functions", fn, "main.go")); err != nil {
			return nil, fmt.Errorf("build function %s: %w", fn, err)
		}
		args = append(args, "./functions/"+fn)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build %v: %w\n%s", fns, err, out.String())
	}

	paths := make(map[string]string, len(fns))
	for _, fn := range fns {
		dir := filepath.Join(outDir, fn)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
		bootstrap := filepath.Join(dir, "bootstrap")
		if err := os.Rename(filepath.Join(staging, fn), bootstrap); err != nil {
			return nil, fmt.Errorf("move the binary of %s to %s: %w", fn, bootstrap, err)
		}
		paths[fn] = bootstrap
	}
	return paths, nil
}

// ModuleRoot returns the nearest directory at or above dir that contains
// go.mod.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", dir, err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or any parent directory", dir)
		}
	}
}
