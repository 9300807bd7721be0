package main

import (
	"encoding/json"
	"testing"

	"github.com/cloudconnector/cloudconnector/scripts/bench/internal/targets"
)

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	tests := []struct {
		p    int
		want float64
	}{{50, 5}, {90, 9}, {100, 10}, {1, 1}}
	for _, tt := range tests {
		if got := percentile(xs, tt.p); got != tt.want {
			t.Errorf("percentile(p%d) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of no samples = %v, want 0", got)
	}
}

func TestInvocationForEveryFunction(t *testing.T) {
	fns, err := targets.Functions("../../..")
	if err != nil {
		t.Fatalf("Functions: %v", err)
	}
	for _, f := range append(fns, targets.Baselines(fns)...) {
		inv, err := invocationFor(f)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal(inv.event, &ev); err != nil {
			t.Errorf("%s: event is not a JSON object: %v", f.Name, err)
		}
		_, http := ev["routeKey"]
		if http != (inv.wantStatus == 404) {
			t.Errorf("%s: HTTP event %v with wanted status %d, want 404 exactly for HTTP events", f.Name, http, inv.wantStatus)
		}
	}
}

func TestCheckAnswer(t *testing.T) {
	tests := []struct {
		body    string
		want    int
		wantErr bool
	}{
		{`{"statusCode":404,"body":"{}"}`, 404, false},
		{`{"statusCode":200}`, 404, true},
		{`{"errorMessage":"boom","errorType":"x"}`, 0, true},
		{`{"batchItemFailures":[]}`, 0, false},
		{`not json`, 0, true},
	}
	for _, tt := range tests {
		err := checkAnswer([]byte(tt.body), invocation{wantStatus: tt.want})
		if (err != nil) != tt.wantErr {
			t.Errorf("checkAnswer(%s, want %d) = %v, want error %v", tt.body, tt.want, err, tt.wantErr)
		}
	}
}
