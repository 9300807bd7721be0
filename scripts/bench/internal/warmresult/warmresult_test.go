package warmresult

import (
	"strings"
	"testing"
)

func TestReadTakesMedianOfRuns(t *testing.T) {
	out := `goos: linux
BenchmarkWarm/GET_/links/{linkId}-2   100   2105832 ns/op   429.8 calls-allocs/op   500000 calls-ns/op   508.2 handler-allocs/op   600000 handler-ns/op   1.2 ratio
{"_aws":{"Timestamp":1}}
BenchmarkWarm/GET_/links/{linkId}-2   100   2105832 ns/op   431 calls-allocs/op   400000 calls-ns/op   510 handler-allocs/op   440000 handler-ns/op   1.1 ratio
BenchmarkWarm/GET_/links/{linkId}-2   100   2105832 ns/op   430 calls-allocs/op   450000 calls-ns/op   509 handler-allocs/op   540000 handler-ns/op   1.2 ratio
BenchmarkWarm/rotation_message_(stage_to_promote)   10   1e+07 ns/op   6000 calls-allocs/op   9.5e+06 calls-ns/op   8000 handler-allocs/op   1.1e+07 handler-ns/op   1.1 ratio
PASS
`
	got, err := Read(strings.NewReader(out))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := []Result{
		{Name: "GET /links/{linkId}", HandlerNs: 540000, CallsNs: 450000, HandlerAllocs: 509, CallsAllocs: 430, Runs: 3},
		{Name: "rotation message (stage to promote)", HandlerNs: 1.1e7, CallsNs: 9.5e6, HandlerAllocs: 8000, CallsAllocs: 6000, Runs: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if r := got[0].Ratio(); r != 1.2 {
		t.Errorf("ratio = %v, want 1.2", r)
	}
}

func TestReadRejectsOtherBenchmarks(t *testing.T) {
	_, err := Read(strings.NewReader("BenchmarkWarm/x-2   10   100 ns/op   5 allocs/op\n"))
	if err == nil {
		t.Errorf("Read of output without handler and calls metrics returned no error")
	}
}
