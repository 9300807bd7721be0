package httpapi_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cloudconnector/cloudconnector/shared/rotation"
)

// publicEventsDir holds sample events published by other projects. It sits
// beside the repository on the development and CI machines and is not part
// of the project, so the test skips where it is absent. The project's own
// fixtures in shared/apigw/testdata cover the same shapes.
const publicEventsDir = "../../../shared/public-events"

// TestPublicSampleEvents sends every public sample event to every function:
// API Gateway events to each HTTP handler, SQS events to the worker,
// scheduled events to the scheduler. None may get a 5xx or a panic.
func TestPublicSampleEvents(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(publicEventsDir, "*.json"))
	if len(files) == 0 {
		t.Skip("no public sample events beside the repository")
	}
	h := newHarness(t)
	worker := rotation.NewWorker(h.svc, h.svc.Log)
	scheduler := rotation.NewScheduler(h.svc, h.svc.Log)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		lower := strings.ToLower(name)
		switch {
		case strings.Contains(lower, "sqs"):
			var ev events.SQSEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Logf("%s: not an SQS event: %v", name, err)
				continue
			}
			resp, err := worker(context.Background(), ev)
			if err != nil {
				t.Errorf("%s: worker returned an error: %v", name, err)
			}
			if len(resp.BatchItemFailures) != len(ev.Records) {
				t.Errorf("%s: %d of %d foreign messages reported as failed, want all", name, len(resp.BatchItemFailures), len(ev.Records))
			}
		case strings.Contains(lower, "schedule") || strings.Contains(lower, "eventbridge"):
			var ev events.EventBridgeEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Logf("%s: not an EventBridge event: %v", name, err)
				continue
			}
			if err := scheduler(context.Background(), ev); err != nil {
				t.Errorf("%s: scheduler returned an error: %v", name, err)
			}
		default:
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Logf("%s: not an HTTP API event: %v", name, err)
				continue
			}
			for fn, handler := range h.handlers {
				resp, err := handler(context.Background(), ev)
				if err != nil || resp.StatusCode >= 500 {
					t.Errorf("%s -> %s: status %d, error %v, body %s", name, fn, resp.StatusCode, err, resp.Body)
				}
			}
		}
	}
}
