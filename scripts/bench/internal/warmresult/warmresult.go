// Package warmresult reads the output of the warm-latency benchmark,
// BenchmarkWarm in shared/httpapi, whose lines carry the custom metrics
// handler-ns/op, calls-ns/op, handler-allocs/op and calls-allocs/op.
package warmresult

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Result is one operation's figures, each the median over the runs that
// go test -count produced.
type Result struct {
	// Name is the benchmark case, such as "POST /links/{linkId}/accept".
	Name                       string
	HandlerNs, CallsNs         float64
	HandlerAllocs, CallsAllocs float64
	Runs                       int
}

// Ratio returns the handler's time over the time of its bare calls.
func (r Result) Ratio() float64 { return r.HandlerNs / r.CallsNs }

var (
	benchName = regexp.MustCompile(`^BenchmarkWarm/(\S+?)(-\d+)?\s+\d+\s`)
	metric    = regexp.MustCompile(`([0-9.e+]+) ([a-z-]+/op)`)
)

// Read returns the results in r in the order the operations first appear.
// go test writes a space in a benchmark name as "_"; Read restores it,
// which assumes the case names contain no underscore.
func Read(r io.Reader) ([]Result, error) {
	type samples map[string][]float64
	var order []string
	byName := map[string]samples{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		text := sc.Text()
		m := benchName.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name := strings.ReplaceAll(m[1], "_", " ")
		if byName[name] == nil {
			byName[name] = samples{}
			order = append(order, name)
		}
		for _, mm := range metric.FindAllStringSubmatch(text, -1) {
			v, err := strconv.ParseFloat(mm[1], 64)
			if err != nil {
				return nil, fmt.Errorf("parse %q in %q: %w", mm[1], text, err)
			}
			byName[name][mm[2]] = append(byName[name][mm[2]], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	out := make([]Result, 0, len(order))
	for _, name := range order {
		s := byName[name]
		res := Result{Name: name, HandlerNs: median(s["handler-ns/op"]), CallsNs: median(s["calls-ns/op"]),
			HandlerAllocs: median(s["handler-allocs/op"]), CallsAllocs: median(s["calls-allocs/op"]), Runs: len(s["handler-ns/op"])}
		if res.Runs == 0 || res.CallsNs == 0 {
			return nil, fmt.Errorf("%s: no handler-ns/op and calls-ns/op metrics; is the output from BenchmarkWarm?", name)
		}
		out = append(out, res)
	}
	return out, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
