// Command cost computes what create, accept, rotate and token requests cost
// per million at AWS list prices, from the counts the cost test measured and
// the handler durations the warm benchmark measured:
//
//	COST_REPORT=costs.json go test -run TestCostPerOperation ./shared/httpapi/
//	go test -run '^$' -bench Warm ./shared/httpapi/ > warm.txt
//	go run ./scripts/bench/cost -costs costs.json -bench warm.txt
//
// It prints Markdown tables: the prices used, the counts per operation and
// the cost per million operations by service.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/cloudconnector/cloudconnector/scripts/bench/internal/warmresult"
)

// List prices in us-east-1, in US dollars.
//
// NOTE: these are the published prices as known when this was written
// (those in effect from November 2024, when DynamoDB on-demand prices were
// halved), not checked against the AWS price list, which the benchmark
// machine cannot reach. Check them at aws.amazon.com/pricing before relying
// on the totals.
const (
	priceDate = "November 2024"
	// API Gateway HTTP API, per request, first 300 million a month.
	apiRequest = 1.00 / 1e6
	// Lambda, per request, and per GB-second on arm64, first 7.5 billion
	// GB-seconds a month. Duration is billed in 1 ms steps.
	lambdaRequest  = 0.20 / 1e6
	lambdaGBSecond = 0.0000133334
	// DynamoDB on-demand, per read and per write request unit.
	readUnit  = 0.125 / 1e6
	writeUnit = 0.625 / 1e6
	// SQS standard queue, per request (each 64 KB chunk of a payload is
	// one request), after the first million a month.
	sqsRequest = 0.40 / 1e6
	// KMS, per symmetric request (Encrypt, Decrypt), after the free tier.
	kmsRequest = 0.03 / 1e4
)

// memoryGB is the functions' memory size, 256 MB.
const memoryGB = 0.25

// invocation is one Lambda invocation of an operation: the warm benchmark
// case whose handler duration it takes, and whether the event source
// mapping received it from SQS.
type invocation struct {
	bench string
	fromQ bool
}

// operation is one priced operation: the cost test rows it consists of and
// its Lambda invocations. The names must match TestCostPerOperation and
// BenchmarkWarm in shared/httpapi.
type operation struct {
	name        string
	costRows    []string
	invocations []invocation
}

var operations = []operation{
	{"create (POST /links)", []string{"POST /links"}, []invocation{{bench: "POST /links"}}},
	{"accept", []string{"POST /links/{linkId}/accept"}, []invocation{{bench: "POST /links/{linkId}/accept"}}},
	{"rotate (request, stage to promote, revoke previous)",
		[]string{"POST /links/{linkId}/rotate", "rotation message: stage, deliver, verify, promote", "revoke-previous message"},
		[]invocation{{bench: "POST /links/{linkId}/rotate"}, {bench: "rotation message (stage to promote)", fromQ: true},
			{bench: "revoke-previous message", fromQ: true}}},
	{"token, cached in the instance", []string{"POST /links/{linkId}/token (cache hit)"}, []invocation{{bench: "POST /links/{linkId}/token (cached)"}}},
	{"token, not cached", []string{"POST /links/{linkId}/token (cache miss)"}, []invocation{{bench: "POST /links/{linkId}/token (not cached)"}}},
}

// cost is one row of the cost test's report.
type cost struct {
	Calls      string  `json:"calls"`
	ReadUnits  float64 `json:"readUnits"`
	WriteUnits float64 `json:"writeUnits"`
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		log.Error("cost computation failed", "error", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	costsPath := fs.String("costs", "", "JSON written by TestCostPerOperation with COST_REPORT set (required)")
	benchPath := fs.String("bench", "", "output of go test -bench Warm ./shared/httpapi/ (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *costsPath == "" || *benchPath == "" {
		return fmt.Errorf("both -costs and -bench are required")
	}
	costs, err := readCosts(*costsPath)
	if err != nil {
		return err
	}
	durations, err := readDurations(*benchPath)
	if err != nil {
		return err
	}

	writePrices(stdout)
	type priced struct {
		op                          operation
		apiReqs, lambdaReqs         int
		billedMs                    []int
		read, write                 float64
		sqsReqs, kmsReqs            int
		api, lambda, ddb, sqs, keys float64
	}
	var rows []priced
	for _, op := range operations {
		p := priced{op: op, apiReqs: 1, lambdaReqs: len(op.invocations)}
		for _, name := range op.costRows {
			steps, ok := costs[name]
			if !ok {
				return fmt.Errorf("cost report has no row %q: rerun TestCostPerOperation", name)
			}
			for _, s := range steps {
				p.read += s.ReadUnits
				p.write += s.WriteUnits
				p.kmsReqs += countPrefix(s.Calls, "KMS.")
				p.sqsReqs += countPrefix(s.Calls, "SQS.")
			}
		}
		var gbSeconds float64
		for _, inv := range op.invocations {
			ns, ok := durations[inv.bench]
			if !ok {
				return fmt.Errorf("benchmark output has no BenchmarkWarm/%s line", strings.ReplaceAll(inv.bench, " ", "_"))
			}
			ms := int(math.Ceil(ns / 1e6))
			p.billedMs = append(p.billedMs, ms)
			gbSeconds += float64(ms) / 1000 * memoryGB
			if inv.fromQ {
				// The event source mapping receives the message and
				// deletes it: two requests for a batch of one.
				p.sqsReqs += 2
			}
		}
		p.api = float64(p.apiReqs) * apiRequest * 1e6
		p.lambda = (float64(p.lambdaReqs)*lambdaRequest + gbSeconds*lambdaGBSecond) * 1e6
		p.ddb = (p.read*readUnit + p.write*writeUnit) * 1e6
		p.sqs = float64(p.sqsReqs) * sqsRequest * 1e6
		p.keys = float64(p.kmsReqs) * kmsRequest * 1e6
		rows = append(rows, p)
	}

	fmt.Fprintln(stdout, "| operation | API requests | Lambda invocations (billed ms each) | DynamoDB read / write units | SQS requests | KMS requests |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	for _, p := range rows {
		ms := make([]string, len(p.billedMs))
		for i, m := range p.billedMs {
			ms[i] = strconv.Itoa(m)
		}
		fmt.Fprintf(stdout, "| %s | %d | %d (%s) | %g / %g | %d | %d |\n", p.op.name, p.apiReqs, p.lambdaReqs, strings.Join(ms, ", "), p.read, p.write, p.sqsReqs, p.kmsReqs)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "| operation | API Gateway | Lambda | DynamoDB | SQS | KMS | total per million |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
	for _, p := range rows {
		total := p.api + p.lambda + p.ddb + p.sqs + p.keys
		fmt.Fprintf(stdout, "| %s | $%.2f | $%.2f | $%.2f | $%.2f | $%.2f | **$%.2f** |\n", p.op.name, p.api, p.lambda, p.ddb, p.sqs, p.keys, total)
	}
	fmt.Fprintln(stdout)
	return nil
}

func writePrices(w io.Writer) {
	fmt.Fprintf(w, "List prices used, us-east-1, as known for %s and not checked against the AWS price list:\n\n", priceDate)
	fmt.Fprintln(w, "| service | price |")
	fmt.Fprintln(w, "|---|---|")
	fmt.Fprintf(w, "| API Gateway HTTP API | $%.2f per million requests |\n", apiRequest*1e6)
	fmt.Fprintf(w, "| Lambda requests | $%.2f per million |\n", lambdaRequest*1e6)
	fmt.Fprintf(w, "| Lambda duration, arm64 | $%.10f per GB-second; %g GB, billed per 1 ms |\n", lambdaGBSecond, memoryGB)
	fmt.Fprintf(w, "| DynamoDB on-demand | $%.3f per million read units, $%.3f per million write units |\n", readUnit*1e6, writeUnit*1e6)
	fmt.Fprintf(w, "| SQS standard | $%.2f per million requests |\n", sqsRequest*1e6)
	fmt.Fprintf(w, "| KMS | $%.2f per million requests |\n", kmsRequest*1e6)
	fmt.Fprintln(w)
}

func countPrefix(calls, prefix string) int {
	n := 0
	for _, c := range strings.Fields(calls) {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func readCosts(path string) (map[string][]cost, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cost report: %w", err)
	}
	var out map[string][]cost
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode cost report %s: %w", path, err)
	}
	return out, nil
}

// readDurations returns the median handler time of each warm benchmark
// case, in nanoseconds, keyed by the case name.
func readDurations(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read benchmark output: %w", err)
	}
	defer f.Close()
	results, err := warmresult.Read(f)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, r := range results {
		out[r.Name] = r.HandlerNs
	}
	return out, nil
}
