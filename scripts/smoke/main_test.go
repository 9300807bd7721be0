package smoke

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/invoke/rie"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// buildTimeout bounds the one go build of all functions. A first build on
// an empty build cache compiles the AWS SDK, which takes about 90 seconds on
// 2 cores.
const buildTimeout = 10 * time.Minute

// stopTimeout bounds how long an emulator may take to exit after SIGTERM.
// Exceeding it fails the test: it guards against a hang and measures
// nothing.
const stopTimeout = 30 * time.Second

// buildDir holds the bootstraps of this test run. TestMain creates and
// removes it.
var buildDir string

var (
	buildOnce  sync.Once
	bootstraps map[string]string
	buildErr   error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smoke-bootstraps-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "create build directory: %v\n", err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	if err := os.RemoveAll(dir); err != nil {
		fmt.Fprintf(os.Stderr, "remove build directory %s: %v\n", dir, err)
	}
	os.Exit(code)
}

// functionNames lists every function of the stack: the functions that serve
// routes, then the rotation worker and the rotation scheduler.
func functionNames() []string {
	return append(routes.HTTPFunctions(), routes.RotationWorker, routes.RotationScheduler)
}

// project is the checkout under test.
type project struct {
	root     string // the module root
	emulator string // bin/aws-lambda-rie
}

// openProject finds the module root and aws-lambda-rie. A missing emulator
// fails the test, because this test is the only check of the deployed
// binaries and must not be skipped quietly.
func openProject(t *testing.T) project {
	t.Helper()
	root := moduleRoot(t)
	emulator := filepath.Join(root, "bin", "aws-lambda-rie")
	if _, err := os.Stat(emulator); err != nil {
		t.Fatalf("aws-lambda-rie is missing at %s: run the tests with make test, which installs it (make tools installs it alone): %v", emulator, err)
	}
	return project{root: root, emulator: emulator}
}

// moduleRoot returns the directory of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := rie.ModuleRoot(".")
	if err != nil {
		t.Fatalf("find the module root: %v", err)
	}
	return root
}

// bootstrapsOf builds every function once per test run and returns the
// binaries' paths by function name.
func bootstrapsOf(t *testing.T, p project) map[string]string {
	t.Helper()
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		started := time.Now()
		bootstraps, buildErr = rie.Build(ctx, p.root, buildDir, functionNames()...)
		t.Logf("built %d bootstraps in %s", len(bootstraps), time.Since(started).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatalf("build the functions: %v", buildErr)
	}
	return bootstraps
}

// localEnv returns the environment of a function under the emulator: the
// local servers from AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS, static dummy
// credentials, no shared config files, no instance metadata, JSON logs as
// deployed, and the given variables, which replace those before them.
func localEnv(t *testing.T, fn string, vars ...string) []string {
	t.Helper()
	endpoint, kmsEndpoint := os.Getenv("AWS_ENDPOINT_URL"), os.Getenv("AWS_ENDPOINT_URL_KMS")
	if endpoint == "" || kmsEndpoint == "" {
		t.Fatal("AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS are not set: run the tests with make test, which starts kumo and local-kms on 127.0.0.1")
	}
	env := []string{
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_ENDPOINT_URL_KMS=" + kmsEndpoint,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_LAMBDA_FUNCTION_NAME=" + fn,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=60",
		"ALLOW_LOOPBACK_HTTP=true",
	}
	return append(env, vars...)
}

// startEmulator starts bootstrap under aws-lambda-rie and stops it, if the
// test has not, when the test ends.
func startEmulator(t *testing.T, p project, bootstrap string, env []string) *rie.Emulator {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	emu, err := rie.Start(ctx, rie.Config{Emulator: p.emulator, Bootstrap: bootstrap, Env: env})
	if err != nil {
		t.Fatalf("start aws-lambda-rie for %s: %v", bootstrap, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		defer cancel()
		_ = emu.Stop(ctx)
	})
	return emu
}

// stopCleanly sends SIGTERM to the emulator and fails the test unless it
// exits with status 0 and its function process is gone.
func stopCleanly(t *testing.T, emu *rie.Emulator, bootstrap string) {
	t.Helper()
	children := childProcesses(t, emu.Pid())
	if len(children) != 1 {
		t.Errorf("aws-lambda-rie (pid %d) has %d child processes before SIGTERM, want 1 (the function): %v", emu.Pid(), len(children), children)
	}
	for _, c := range children {
		if c.exe != bootstrap {
			t.Errorf("child process %d of aws-lambda-rie runs %s, want %s", c.pid, c.exe, bootstrap)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := emu.Stop(ctx); err != nil {
		t.Errorf("stop after SIGTERM: %v; want exit status 0\nemulator output:\n%s", err, emu.Output())
	}
	for _, c := range children {
		if c.stillRunning() {
			t.Errorf("function process %d (%s) still runs after aws-lambda-rie exited", c.pid, c.exe)
		}
	}
}

// process is a running process seen in /proc.
type process struct {
	pid       int
	exe       string
	startTime string // field 22 of /proc/PID/stat, which differs for a reused pid
}

func (p process) String() string { return fmt.Sprintf("%d %s", p.pid, p.exe) }

// stillRunning reports whether the process exists and is not a zombie.
func (p process) stillRunning() bool {
	fields, err := statFields(p.pid)
	if err != nil {
		return false
	}
	return fields[19] == p.startTime && fields[0] != "Z"
}

// childProcesses returns the processes whose parent is ppid.
func childProcesses(t *testing.T, ppid int) []process {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("list processes: %v", err)
	}
	var children []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fields, err := statFields(pid)
		if err != nil || fields[1] != strconv.Itoa(ppid) {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err != nil {
			t.Fatalf("read the executable of process %d: %v", pid, err)
		}
		children = append(children, process{pid: pid, exe: exe, startTime: fields[19]})
	}
	return children
}

// statFields returns the fields of /proc/PID/stat after the command name,
// starting with the state (field 3), so field N is at index N-3.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	// The command name is in parentheses and may contain spaces and
	// parentheses itself, so the fields start after the last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil, fmt.Errorf("parse /proc/%d/stat: no ')'", pid)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 20 {
		return nil, fmt.Errorf("parse /proc/%d/stat: %d fields after the name, want at least 20", pid, len(fields))
	}
	return fields, nil
}

// eventFiles returns the sample events of function fn, sorted by name.
func eventFiles(t *testing.T, root, fn string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "events", fn, "*.json"))
	if err != nil {
		t.Fatalf("list events of %s: %v", fn, err)
	}
	slices.Sort(files)
	return files
}

// eventKey returns the name of an event file relative to events/, such as
// "getlink/get-link.json".
func eventKey(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}
