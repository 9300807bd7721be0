package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/routes"
)

// initFailures are invalid environments, each with a function that must
// reject it at init. The resource variables name nothing real, so a function
// that passed its checks would fail on its first call to kumo instead.
var initFailures = []struct {
	name     string
	function string
	env      []string // replaces localEnv's variables and the resource variables
	unset    string   // a variable to remove
	variable string   // the variable the log line must name
}{
	{"missing table", routes.GetLink, nil, config.EnvTable, config.EnvTable},
	{"missing queue", routes.RotationWorker, nil, config.EnvQueueURL, config.EnvQueueURL},
	{"missing key", routes.Token, nil, config.EnvKeyID, config.EnvKeyID},
	{"max attempts not a number", routes.Connectors, []string{config.EnvMaxAttempts + "=abc"}, "", config.EnvMaxAttempts},
	{"max age without unit", routes.RotationScheduler, []string{config.EnvRotationMaxAge + "=90"}, "", config.EnvRotationMaxAge},
	{"loopback flag not a boolean", routes.CreateLink, []string{config.EnvAllowLoopbackHTTP + "=yes"}, "", config.EnvAllowLoopbackHTTP},
}

// TestInvalidEnvironmentFailsAtInit checks that a function with a missing or
// invalid variable stops at init with exactly one log line naming the
// variable, before it requests an event from the runtime API. It runs each
// binary twice: directly, where it must exit with status 1 after that one
// line, and under aws-lambda-rie, where the first invocation must fail as an
// init failure with no request handled.
func TestInvalidEnvironmentFailsAtInit(t *testing.T) {
	p := openProject(t)
	paths := bootstrapsOf(t, p)

	for _, tc := range initFailures {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vars := []string{
				config.EnvTable + "=smoke-no-such-table",
				config.EnvQueueURL + "=" + os.Getenv("AWS_ENDPOINT_URL") + "/000000000000/smoke-no-such-queue",
				config.EnvKeyID + "=alias/smoke-no-such-key",
			}
			env := without(localEnv(t, tc.function, append(vars, tc.env...)...), tc.unset)
			bootstrap := paths[tc.function]

			t.Run("direct", func(t *testing.T) {
				cmd := exec.Command(bootstrap)
				cmd.Dir = filepath.Dir(bootstrap)
				cmd.Env = env
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 1 {
					t.Errorf("exit = %v, want exit status 1", err)
				}
				if stderr.Len() > 0 {
					t.Errorf("stderr = %q, want nothing", stderr.String())
				}
				lines := functionLogLines(t, stdout.String())
				if len(lines) != 1 {
					t.Fatalf("got %d log lines, want 1:\n%s", len(lines), stdout.String())
				}
				checkInitLogLine(t, lines[0], tc.function, tc.variable)
			})

			t.Run("emulator", func(t *testing.T) {
				emu := startEmulator(t, p, bootstrap, env)
				event, err := os.ReadFile(eventFiles(t, p.root, tc.function)[0])
				if err != nil {
					t.Fatalf("read event: %v", err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
				defer cancel()
				resp, err := emu.Invoke(ctx, event)
				if err != nil {
					t.Fatalf("invoke: %v\nemulator output:\n%s", err, emu.Output())
				}
				// aws-lambda-rie returns 502 for a failed init.
				if resp.Status != 502 {
					t.Errorf("emulator status = %d, want 502 for a failed init; body %q", resp.Status, resp.Body)
				}

				// The emulator may respond before it logs the end of the
				// init, so the output is complete only after it exits.
				stopCtx, stopCancel := context.WithTimeout(context.Background(), stopTimeout)
				defer stopCancel()
				if err := emu.Stop(stopCtx); err != nil {
					t.Errorf("stop after SIGTERM: %v; want exit status 0\nemulator output:\n%s", err, emu.Output())
				}
				out := emu.Output()
				initEnd := strings.Index(out, "INIT RTDONE(status: error)")
				if initEnd < 0 {
					t.Fatalf("emulator output does not report a failed init (INIT RTDONE(status: error)):\n%s", out)
				}
				lines := functionLogLines(t, out)
				if len(lines) == 0 {
					t.Fatalf("the function logged nothing:\n%s", out)
				}
				for _, line := range lines {
					checkInitLogLine(t, line, tc.function, tc.variable)
				}
				if first := strings.Index(out, lines[0].raw); first > initEnd {
					t.Errorf("the first log line comes after the init ended, want it during init:\n%s", out)
				}
			})
		})
	}
}

// logLine is one JSON log line of a function.
type logLine struct {
	raw    string
	fields map[string]any
}

// functionLogLines returns the lines of output that are JSON objects: the
// function's log, because aws-lambda-rie writes its own log as text.
func functionLogLines(t *testing.T, output string) []logLine {
	t.Helper()
	var lines []logLine
	for _, raw := range strings.Split(output, "\n") {
		raw = strings.TrimSpace(raw)
		if !strings.HasPrefix(raw, "{") {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal([]byte(raw), &fields); err != nil {
			t.Errorf("log line %q is not JSON: %v", raw, err)
			continue
		}
		lines = append(lines, logLine{raw: raw, fields: fields})
	}
	return lines
}

// checkInitLogLine checks the line a function logs when its environment is
// invalid.
func checkInitLogLine(t *testing.T, line logLine, function, variable string) {
	t.Helper()
	if line.fields["level"] != "ERROR" || line.fields["message"] != "invalid configuration" {
		t.Errorf("log line %s: want level ERROR and message \"invalid configuration\"", line.raw)
	}
	if line.fields["function"] != function {
		t.Errorf("log line %s: want function %q", line.raw, function)
	}
	if msg, _ := line.fields["error"].(string); !strings.Contains(msg, variable) {
		t.Errorf("log line %s: want an error naming %s", line.raw, variable)
	}
}

// without returns env without the variable name. An empty name removes
// nothing.
func without(env []string, name string) []string {
	if name == "" {
		return env
	}
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
