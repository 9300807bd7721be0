package metrics_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/shared/metrics"
)

// emfLine is the part of an EMF line that the tests compare.
type emfLine struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

type definition struct{ Name, Unit string }

func TestLinesFollowEMF(t *testing.T) {
	const link, rot = "lnk_01KKNTWRE0MVJTQ70Z6HFH8Q39", "rot_01KKNTWRE0MVJTQ70Z6HFH8Q40"
	tests := []struct {
		name        string
		record      func(r *metrics.Recorder)
		wantDims    []string
		wantMetrics []definition
		wantMembers map[string]any
	}{
		{
			name:        "rotation started",
			record:      func(r *metrics.Recorder) { r.RotationStarted(link, rot) },
			wantDims:    []string{},
			wantMetrics: []definition{{"RotationsStarted", "Count"}},
			wantMembers: map[string]any{"RotationsStarted": 1.0, "link_id": link, "rotation_id": rot},
		},
		{
			name:        "rotation completed",
			record:      func(r *metrics.Recorder) { r.RotationCompleted(link, rot, 1500*time.Microsecond) },
			wantDims:    []string{},
			wantMetrics: []definition{{"RotationsCompleted", "Count"}, {"RotationDuration", "Milliseconds"}},
			wantMembers: map[string]any{"RotationsCompleted": 1.0, "RotationDuration": 1.5, "link_id": link, "rotation_id": rot},
		},
		{
			name:        "rotation failed",
			record:      func(r *metrics.Recorder) { r.RotationFailed(link, rot) },
			wantDims:    []string{},
			wantMetrics: []definition{{"RotationsFailed", "Count"}},
			wantMembers: map[string]any{"RotationsFailed": 1.0, "link_id": link, "rotation_id": rot},
		},
		{
			name:        "token cached",
			record:      func(r *metrics.Recorder) { r.TokenRequest(link, metrics.TokenCached) },
			wantDims:    []string{"Outcome"},
			wantMetrics: []definition{{"TokenRequests", "Count"}},
			wantMembers: map[string]any{"TokenRequests": 1.0, "Outcome": "cached", "link_id": link},
		},
		{
			name:        "token upstream error",
			record:      func(r *metrics.Recorder) { r.TokenRequest(link, metrics.TokenUpstreamError) },
			wantDims:    []string{"Outcome"},
			wantMetrics: []definition{{"TokenRequests", "Count"}},
			wantMembers: map[string]any{"TokenRequests": 1.0, "Outcome": "upstream_error", "link_id": link},
		},
		{
			name:        "request",
			record:      func(r *metrics.Recorder) { r.Request("GET /links/{linkId}", 404, 2*time.Millisecond) },
			wantDims:    []string{"Route", "StatusClass"},
			wantMetrics: []definition{{"Requests", "Count"}, {"RequestDuration", "Milliseconds"}},
			wantMembers: map[string]any{"Requests": 1.0, "RequestDuration": 2.0, "Route": "GET /links/{linkId}", "StatusClass": "4xx", "status": 404.0},
		},
		{
			name:        "unmatched request",
			record:      func(r *metrics.Recorder) { r.Request("", 404, 0) },
			wantDims:    []string{"Route", "StatusClass"},
			wantMetrics: []definition{{"Requests", "Count"}, {"RequestDuration", "Milliseconds"}},
			wantMembers: map[string]any{"Route": "unmatched", "StatusClass": "4xx", "RequestDuration": 0.0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := metrics.New(&out)
			before := time.Now().UnixMilli()
			tt.record(r)
			after := time.Now().UnixMilli()

			line := out.String()
			if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
				t.Fatalf("output = %q, want exactly one line ending in a newline", line)
			}
			if err := metrics.Validate([]byte(line)); err != nil {
				t.Fatalf("Validate(%s) = %v, want nil", line, err)
			}
			var got emfLine
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("decode %s: %v", line, err)
			}
			if ts := got.AWS.Timestamp; ts < before || ts > after {
				t.Errorf("_aws.Timestamp = %d, want from %d to %d", ts, before, after)
			}
			if n := len(got.AWS.CloudWatchMetrics); n != 1 {
				t.Fatalf("%d metric directives, want 1: %s", n, line)
			}
			d := got.AWS.CloudWatchMetrics[0]
			if d.Namespace != "CloudConnector" {
				t.Errorf("Namespace = %q, want CloudConnector", d.Namespace)
			}
			if want := [][]string{tt.wantDims}; !reflect.DeepEqual(d.Dimensions, want) {
				t.Errorf("Dimensions = %q, want %q", d.Dimensions, want)
			}
			var defs []definition
			for _, m := range d.Metrics {
				defs = append(defs, definition{m.Name, m.Unit})
			}
			if !reflect.DeepEqual(defs, tt.wantMetrics) {
				t.Errorf("Metrics = %v, want %v", defs, tt.wantMetrics)
			}

			var members map[string]any
			if err := json.Unmarshal([]byte(line), &members); err != nil {
				t.Fatalf("decode %s: %v", line, err)
			}
			for name, want := range tt.wantMembers {
				if members[name] != want {
					t.Errorf("member %s = %#v, want %#v", name, members[name], want)
				}
			}
		})
	}
}

func TestStatusClass(t *testing.T) {
	tests := []struct {
		status int
		want   string
	}{
		{200, "2xx"}, {204, "2xx"}, {302, "3xx"}, {409, "4xx"}, {502, "5xx"}, {599, "5xx"},
		{0, "other"}, {99, "other"}, {600, "other"}, {-1, "other"},
	}
	for _, tt := range tests {
		if got := metrics.StatusClass(tt.status); got != tt.want {
			t.Errorf("StatusClass(%d) = %q, want %q", tt.status, got, tt.want)
		}
	}
}

func TestNilRecorderDoesNothing(t *testing.T) {
	var r *metrics.Recorder
	r.RotationStarted("l", "r")
	r.RotationCompleted("l", "r", time.Second)
	r.RotationFailed("l", "r")
	r.TokenRequest("l", metrics.TokenOK)
	r.Request("GET /links", 200, time.Millisecond)
	r.SetOutput(&bytes.Buffer{})
	if n := r.Failures(); n != 0 {
		t.Errorf("Failures() = %d, want 0", n)
	}
}

// lineWriter records each Write call as one line.
type lineWriter struct {
	mu    sync.Mutex
	lines []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, string(p))
	return len(p), nil
}

func TestConcurrentLinesStayWhole(t *testing.T) {
	const goroutines, perGoroutine = 20, 50
	w := &lineWriter{}
	r := metrics.New(w)

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perGoroutine {
				r.Request(fmt.Sprintf("GET /r%d", g), 200+i, time.Duration(i)*time.Millisecond)
			}
		}()
	}
	wg.Wait()

	if len(w.lines) != goroutines*perGoroutine {
		t.Fatalf("%d writes, want %d", len(w.lines), goroutines*perGoroutine)
	}
	for _, line := range w.lines {
		if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
			t.Fatalf("write %q is not exactly one line", line)
		}
		if err := metrics.Validate([]byte(line)); err != nil {
			t.Fatalf("Validate(%s) = %v, want nil", line, err)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestWriteFailuresAreCounted(t *testing.T) {
	r := metrics.New(failingWriter{})
	r.TokenRequest("l", metrics.TokenOK)
	r.RotationFailed("l", "r")
	if n := r.Failures(); n != 2 {
		t.Errorf("Failures() = %d, want 2", n)
	}

	var out bytes.Buffer
	r.SetOutput(&out)
	r.TokenRequest("l", metrics.TokenOK)
	if out.Len() == 0 {
		t.Error("no line written after SetOutput replaced the failing output")
	}
	if n := r.Failures(); n != 2 {
		t.Errorf("Failures() after a good write = %d, want 2", n)
	}
}

func TestValidate(t *testing.T) {
	const valid = `{"_aws":{"Timestamp":1718722804000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"],[]],"Metrics":[{"Name":"M","Unit":"Count"},{"Name":"L","Unit":"Milliseconds","StorageResolution":60}]}]},"D":"d","M":1,"L":[1.5,2]}`
	manyDims := make([]string, 31)
	for i := range manyDims {
		manyDims[i] = fmt.Sprintf(`"D%d"`, i)
	}
	tests := []struct {
		name    string
		line    string
		wantErr string // "" for a valid line
	}{
		{"valid", valid, ""},
		{"valid with newline", valid + "\n", ""},
		{"not JSON", `{"_aws":`, "not a JSON object"},
		{"array", `[]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"trailing data", valid + ` {}`, "data after"},
		{"no _aws", `{"M":1}`, `missing member "_aws"`},
		{"_aws not object", `{"_aws":[]}`, "not an object"},
		{"extra _aws member", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[],"X":1}}`, `"X"`},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "Timestamp"},
		{"string timestamp", `{"_aws":{"Timestamp":"1","CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "Timestamp"},
		{"fractional timestamp", `{"_aws":{"Timestamp":1.5,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "Timestamp"},
		{"empty directives", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]}}`, "CloudWatchMetrics"},
		{"extra directive member", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}],"Unit":"Count"}]},"M":1}`, `"Unit"`},
		{"no namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "Namespace"},
		{"colon namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":":N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "Namespace"},
		{"no dimensions", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "Dimensions"},
		{"flat dimensions", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":["D"],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"D":"d","M":1}`, "Dimensions"},
		{"missing dimension member", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, `dimension "D"`},
		{"numeric dimension", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"D":1,"M":1}`, `dimension "D"`},
		{"empty dimension value", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["D"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"D":"","M":1}`, `dimension "D"`},
		{"31 dimensions", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[` + strings.Join(manyDims, ",") + `]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":1}`, "more than 30"},
		{"no metrics", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[]}]}}`, "Metrics"},
		{"no unit", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M"}]}]},"M":1}`, "Unit"},
		{"unknown unit", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Requests"}]}]},"M":1}`, "not a CloudWatch unit"},
		{"bad storage resolution", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count","StorageResolution":5}]}]},"M":1}`, "StorageResolution"},
		{"extra definition member", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count","Value":1}]}]},"M":1}`, `"Value"`},
		{"duplicate metric", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"},{"Name":"M","Unit":"Count"}]}]},"M":1}`, "defined twice"},
		{"missing value", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]}}`, "no member"},
		{"string value", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":"1"}`, "not a number"},
		{"null value", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":null}`, "not a number"},
		{"null in values", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":[1,null]}`, "not a number"},
		{"empty values", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[[]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"M":[]}`, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := metrics.Validate([]byte(tt.line))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("Validate = nil, want an error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func BenchmarkRequestLine(b *testing.B) {
	r := metrics.New(io.Discard)
	for b.Loop() {
		r.Request("POST /links/{linkId}/token", 200, 1500*time.Microsecond)
	}
}
