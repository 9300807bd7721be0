package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
	"github.com/cloudconnector/cloudconnector/shared/metrics"
)

// emfLines is an io.Writer that checks each metric line against the Embedded
// Metric Format and counts the lines by metric and dimension values.
type emfLines struct {
	mu      sync.Mutex
	partial []byte
	total   int
	counts  map[string]int // "TokenRequests Outcome=ok" -> lines
	invalid []string       // the first invalid lines with their errors
}

// maxInvalidKept bounds the invalid lines emfLines keeps for its report.
const maxInvalidKept = 10

func (e *emfLines) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.partial = append(e.partial, p...)
	for {
		i := bytes.IndexByte(e.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		e.add(e.partial[:i])
		e.partial = e.partial[i+1:]
	}
}

// add checks and counts one line.
func (e *emfLines) add(line []byte) {
	e.total++
	if err := metrics.Validate(line); err != nil {
		if len(e.invalid) < maxInvalidKept {
			e.invalid = append(e.invalid, fmt.Sprintf("%v: %s", err, line))
		}
		return
	}
	var doc struct {
		AWS struct {
			CloudWatchMetrics []struct {
				Dimensions [][]string
				Metrics    []struct{ Name string }
			}
		} `json:"_aws"`
	}
	var members map[string]any
	if json.Unmarshal(line, &doc) != nil || json.Unmarshal(line, &members) != nil {
		return
	}
	for _, d := range doc.AWS.CloudWatchMetrics {
		var dims []string
		for _, set := range d.Dimensions {
			for _, name := range set {
				dims = append(dims, fmt.Sprintf("%s=%v", name, members[name]))
			}
		}
		for _, m := range d.Metrics {
			e.counts[strings.TrimSpace(m.Name+" "+strings.Join(dims, " "))]++
		}
	}
}

// count returns the lines of metric key, such as "TokenRequests Outcome=ok".
func (e *emfLines) count(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[key]
}

// report writes the invalid lines, or in verbose mode the counts, to out and
// reports whether every line was valid.
func (e *emfLines) report(out io.Writer) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.partial) > 0 {
		e.invalid = append(e.invalid, fmt.Sprintf("line without a trailing newline: %s", e.partial))
	}
	if len(e.invalid) > 0 {
		for _, msg := range e.invalid {
			fmt.Fprintf(out, "metrics: FAIL %s\n", msg)
		}
		fmt.Fprintf(out, "metrics: %d of %d metric lines shown above are not valid EMF\n", len(e.invalid), e.total)
		return false
	}
	if testing.Verbose() && e.total > 0 {
		keys := make([]string, 0, len(e.counts))
		for k := range e.counts {
			keys = append(keys, fmt.Sprintf("%s: %d", k, e.counts[k]))
		}
		sort.Strings(keys)
		fmt.Fprintf(out, "metrics: %d valid EMF lines:\n    %s\n", e.total, strings.Join(keys, "\n    "))
	}
	return true
}

// metricLines returns the lines of out whose member name has value, decoded.
func metricLines(t *testing.T, out string, name, value string) []map[string]any {
	t.Helper()
	var found []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		if err := metrics.Validate([]byte(line)); err != nil {
			t.Fatalf("invalid metric line %s: %v", line, err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("decode metric line %s: %v", line, err)
		}
		if m[name] == value {
			found = append(found, m)
		}
	}
	return found
}

// syncBytes is a bytes.Buffer safe for concurrent writes.
type syncBytes struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBytes) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBytes) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestMetricsOfRotationsAndTokens(t *testing.T) {
	h := newHarness(t)
	out := &syncBytes{}
	h.svc.Metrics = metrics.New(out)
	w := h.newWorld("acme", "jira", "11.3")
	id := h.connectedLink(w, "READ")
	tokenRoute := "Requests Route=POST /links/{linkId}/token StatusClass="
	before := map[string]int{}
	for _, class := range []string{"2xx", "4xx", "5xx"} {
		before[class] = emfCheck.count(tokenRoute + class)
	}

	// A token from the instance, then the same token from the cache.
	h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 200)
	h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 200)
	// A rotation that completes.
	first := h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	h.drainQueue(t, 15*time.Second)
	// The new credential misses the cache, and the instance fails the call.
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{FailNext: intPtr(1), Routes: &[]string{"token"}}); err != nil {
		t.Fatalf("set faults: %v", err)
	}
	h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 502)
	// A rotation that fails: the instance refuses every staged credential.
	if _, err := h.dc.Sim.UpdateFaults(sim.FaultsUpdate{FailNext: intPtr(1000), Routes: &[]string{"stage"}}); err != nil {
		t.Fatalf("set faults: %v", err)
	}
	second := h.must(h.do(w.siteAdmin, "POST /links/{linkId}/rotate", linkParams(id), nil, nil), 202)
	h.drainQueue(t, 20*time.Second)
	h.dc.Sim.ClearFaults()
	// A token for a deleted link.
	h.must(h.do(w.siteAdmin, "DELETE /links/{linkId}", linkParams(id), nil, nil), 204)
	h.must(h.do(w.app, "POST /links/{linkId}/token", linkParams(id), nil, nil), 409)

	lines := metricLines(t, out.String(), "link_id", id)
	outcomes := map[string]int{}
	started := map[string]int{}
	var completed, failed []map[string]any
	for _, m := range lines {
		switch {
		case m["TokenRequests"] != nil:
			outcomes[m["Outcome"].(string)]++
		case m["RotationsStarted"] != nil:
			started[m["rotation_id"].(string)]++
		case m["RotationsCompleted"] != nil:
			completed = append(completed, m)
		case m["RotationsFailed"] != nil:
			failed = append(failed, m)
		default:
			t.Errorf("unexpected metric line %v", m)
		}
	}

	wantOutcomes := map[string]int{"ok": 1, "cached": 1, "upstream_error": 1, "conflict": 1}
	if fmt.Sprint(outcomes) != fmt.Sprint(wantOutcomes) {
		t.Errorf("token outcomes = %v, want %v", outcomes, wantOutcomes)
	}
	firstID := first.body["rotation"].(map[string]any)["id"].(string)
	secondID := second.body["rotation"].(map[string]any)["id"].(string)
	if want := map[string]int{firstID: 1, secondID: 1}; fmt.Sprint(started) != fmt.Sprint(want) {
		t.Errorf("RotationsStarted lines by rotation = %v, want %v", started, want)
	}
	if len(completed) != 1 || completed[0]["rotation_id"] != firstID {
		t.Errorf("RotationsCompleted lines = %v, want one for %s", completed, firstID)
	} else if d, ok := completed[0]["RotationDuration"].(float64); !ok || d < 0 {
		t.Errorf("RotationDuration = %v, want a number of milliseconds >= 0", completed[0]["RotationDuration"])
	}
	if len(failed) != 1 || failed[0]["rotation_id"] != secondID {
		t.Errorf("RotationsFailed lines = %v, want one for %s", failed, secondID)
	}

	// The router's request metrics go to metrics.Default().
	wantMore := map[string]int{"2xx": 2, "4xx": 1, "5xx": 1}
	for class, n := range wantMore {
		if got := emfCheck.count(tokenRoute+class) - before[class]; got != n {
			t.Errorf("%s%s lines = %d, want %d", tokenRoute, class, got, n)
		}
	}
}
