// Package metrics writes the service's CloudWatch metrics as Embedded Metric
// Format (EMF) lines: one JSON object per line whose "_aws" member names the
// members that CloudWatch Logs extracts as metrics. A Lambda function's
// stdout is its log stream, so writing a line is all it takes to publish a
// metric: no CloudWatch API call, no permission and no added latency.
//
// Every metric is in the namespace CloudConnector. Lambda keeps a line
// without a "level" member at level INFO, so the functions' application log
// level must stay at INFO or lower, or the metric lines are dropped.
package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "CloudConnector"

// Unit is a CloudWatch metric unit.
type Unit string

// Units the service's metrics use.
const (
	UnitCount        Unit = "Count"
	UnitMilliseconds Unit = "Milliseconds"
)

// Recorder writes EMF lines to an output. It is safe for concurrent use, and
// each line reaches the output in one Write call, so lines from concurrent
// requests never interleave. The methods of a nil *Recorder do nothing.
type Recorder struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time

	failures atomic.Uint64
}

// New returns a recorder that writes to out.
func New(out io.Writer) *Recorder {
	return &Recorder{out: out, now: time.Now}
}

var defaultRecorder = New(os.Stdout)

// Default returns the process's recorder, which writes to stdout until
// SetOutput changes it. service.New and apigw.NewRouter use it.
func Default() *Recorder { return defaultRecorder }

// SetOutput replaces the output of r.
func (r *Recorder) SetOutput(out io.Writer) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out = out
}

// Failures returns how many lines could not be encoded or written. Such a
// line is dropped. There is nowhere else to report it, because stdout is
// also where the functions' logs go.
func (r *Recorder) Failures() uint64 {
	if r == nil {
		return 0
	}
	return r.failures.Load()
}

// dimension is one dimension of a line, such as Route="GET /links".
type dimension struct {
	name, value string
}

// value is one metric value of a line.
type value struct {
	name  string
	unit  Unit
	value float64
}

// property is a member of a line that CloudWatch Logs keeps for queries but
// does not turn into a metric, such as a link id.
type property struct {
	name  string
	value any
}

// metadata is the "_aws" member of an EMF line.
type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// directive is one MetricDirective: the namespace, the dimension sets and
// the metric definitions of the line.
type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

// definition is one MetricDefinition.
type definition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit"`
}

// emit writes one line with the values, all under one dimension set made of
// dims. With no dims the dimension set is empty, so CloudWatch stores the
// metrics without dimensions. Names must differ across dims, values and
// props, and must not be "_aws".
func (r *Recorder) emit(dims []dimension, values []value, props []property) {
	if r == nil {
		return
	}
	line, err := encodeLine(r.now(), dims, values, props)
	if err != nil {
		r.failures.Add(1)
		return
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.out == nil {
		return
	}
	if _, err := r.out.Write(line); err != nil {
		r.failures.Add(1)
	}
}

// encodeLine returns the EMF line, ending in a newline, for one emit call.
func encodeLine(at time.Time, dims []dimension, values []value, props []property) ([]byte, error) {
	set := make([]string, 0, len(dims))
	for _, d := range dims {
		set = append(set, d.name)
	}
	defs := make([]definition, 0, len(values))
	for _, v := range values {
		defs = append(defs, definition{Name: v.name, Unit: v.unit})
	}
	meta := metadata{
		Timestamp:         at.UnixMilli(),
		CloudWatchMetrics: []directive{{Namespace: Namespace, Dimensions: [][]string{set}, Metrics: defs}},
	}

	var b bytes.Buffer
	b.WriteString(`{"_aws":`)
	if err := appendJSON(&b, meta); err != nil {
		return nil, err
	}
	for _, d := range dims {
		if err := appendMember(&b, d.name, d.value); err != nil {
			return nil, err
		}
	}
	for _, v := range values {
		if err := appendMember(&b, v.name, v.value); err != nil {
			return nil, err
		}
	}
	for _, p := range props {
		if err := appendMember(&b, p.name, p.value); err != nil {
			return nil, err
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// appendMember appends `,"name":value` to b.
func appendMember(b *bytes.Buffer, name string, v any) error {
	b.WriteByte(',')
	if err := appendJSON(b, name); err != nil {
		return err
	}
	b.WriteByte(':')
	return appendJSON(b, v)
}

func appendJSON(b *bytes.Buffer, v any) error {
	encoded, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode metric line member: %w", err)
	}
	b.Write(encoded)
	return nil
}
