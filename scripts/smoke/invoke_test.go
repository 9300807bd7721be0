package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/scripts/invoke/rie"
	"github.com/cloudconnector/cloudconnector/shared/config"
	"github.com/cloudconnector/cloudconnector/shared/routes"
	"github.com/cloudconnector/cloudconnector/shared/testenv"
)

// invokeTimeout bounds one invocation. It guards against a hang.
const invokeTimeout = time.Minute

// TestBootstrapsHandleSampleEvents runs every function's real bootstrap
// under aws-lambda-rie with its own table, queue and key. It sends it each
// of its sample events in file name order, checks each response against
// expectations, and then stops the emulator with SIGTERM.
func TestBootstrapsHandleSampleEvents(t *testing.T) {
	p := openProject(t)
	local := testenv.LocalAWS(t)
	paths := bootstrapsOf(t, p)

	for _, fn := range functionNames() {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			files := eventFiles(t, p.root, fn)
			if len(files) == 0 {
				t.Fatalf("events/%s has no sample events", fn)
			}
			queue := local.NewQueue(t, 5, 30*time.Second)
			env := localEnv(t, fn,
				config.EnvTable+"="+local.NewTable(t),
				config.EnvQueueURL+"="+queue.URL,
				config.EnvKeyID+"="+local.NewKey(t),
			)
			bootstrap, err := filepath.EvalSymlinks(paths[fn])
			if err != nil {
				t.Fatalf("resolve %s: %v", paths[fn], err)
			}
			emu := startEmulator(t, p, bootstrap, env)

			for _, path := range files {
				key := eventKey(path)
				t.Run(filepath.Base(path), func(t *testing.T) {
					event, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("read %s: %v", path, err)
					}
					resp := invoke(t, emu, event)
					checkResponse(t, fn, resp.Body, expectations[key])
				})
			}

			stopCleanly(t, emu, bootstrap)

			// A crash makes the emulator start the function again, so one
			// init means that one process handled every event.
			if n := strings.Count(emu.Output(), "INIT START(type: on-demand, phase: init)"); n != 1 {
				t.Errorf("the function was initialized %d times, want 1\nemulator output:\n%s", n, emu.Output())
			}
		})
	}
}

// invoke sends event and fails the test unless the emulator returned 200
// with a response that is not a function error.
func invoke(t *testing.T, emu *rie.Emulator, event []byte) rie.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), invokeTimeout)
	defer cancel()
	resp, err := emu.Invoke(ctx, event)
	if err != nil {
		t.Fatalf("invoke: %v\nemulator output:\n%s", err, emu.Output())
	}
	if resp.Status != 200 {
		t.Fatalf("emulator status = %d, want 200; body %q\nemulator output:\n%s", resp.Status, resp.Body, emu.Output())
	}
	if errorType, message, ok := resp.FunctionError(); ok {
		t.Fatalf("function returned error %s: %s, want a response\nemulator output:\n%s", errorType, message, emu.Output())
	}
	return resp
}

// checkResponse checks the response of function fn against want.
func checkResponse(t *testing.T, fn string, body []byte, want expectation) {
	t.Helper()
	switch fn {
	case routes.RotationWorker:
		checkBatchResponse(t, body, want.failures)
	case routes.RotationScheduler:
		// The scheduler's handler returns only an error, so success is
		// the JSON null payload.
		if got := string(bytes.TrimSpace(body)); got != "null" {
			t.Errorf("scheduler response = %s, want null", got)
		}
	default:
		checkHTTPResponse(t, body, want.status)
	}
}

// checkHTTPResponse checks an API Gateway HTTP API response: the expected
// status, and a body that matches it.
func checkHTTPResponse(t *testing.T, body []byte, wantStatus int) {
	t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	decodeStrict(t, body, &resp)
	if resp.StatusCode >= 500 {
		t.Fatalf("statusCode = %d, want no 5xx; body %s", resp.StatusCode, resp.Body)
	}
	if resp.StatusCode != wantStatus {
		t.Errorf("statusCode = %d, want %d; body %s", resp.StatusCode, wantStatus, resp.Body)
	}
	if resp.IsBase64Encoded {
		t.Errorf("isBase64Encoded = true, want a JSON text body")
	}

	contentType := resp.Headers["Content-Type"]
	switch {
	case resp.StatusCode == 204:
		if resp.Body != "" {
			t.Errorf("204 response has body %q, want none", resp.Body)
		}
	case resp.StatusCode >= 400:
		if contentType != "application/problem+json" {
			t.Errorf("Content-Type = %q, want application/problem+json", contentType)
		}
		var problem struct {
			Type   string `json:"type"`
			Title  string `json:"title"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &problem); err != nil {
			t.Fatalf("problem body %q is not JSON: %v", resp.Body, err)
		}
		if problem.Status != resp.StatusCode || problem.Type == "" || problem.Title == "" {
			t.Errorf("problem = %+v, want type, title and status %d", problem, resp.StatusCode)
		}
	default:
		if contentType != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", contentType)
		}
		if !json.Valid([]byte(resp.Body)) {
			t.Errorf("body %q is not JSON", resp.Body)
		}
	}
}

// checkBatchResponse checks a partial batch response: it must name
// batchItemFailures, as Lambda's ReportBatchItemFailures requires, and list
// exactly the wanted message ids.
func checkBatchResponse(t *testing.T, body []byte, wantFailures []string) {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatalf("response %s is not a JSON object: %v", body, err)
	}
	if _, ok := fields["batchItemFailures"]; !ok {
		t.Fatalf("response %s has no batchItemFailures", body)
	}
	var resp events.SQSEventResponse
	decodeStrict(t, body, &resp)
	var got []string
	for _, f := range resp.BatchItemFailures {
		got = append(got, f.ItemIdentifier)
	}
	if !slices.Equal(got, wantFailures) {
		t.Errorf("batch item failures = %q, want %q", got, wantFailures)
	}
}
