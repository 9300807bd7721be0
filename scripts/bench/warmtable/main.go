// Command warmtable turns the output of the warm-latency benchmark into a
// Markdown table: for each operation the handler's time and allocations,
// those of the bare calls it makes, and their ratio, the handler's own
// overhead. With -count above 1, each figure is the median of the runs.
//
//	go test -run '^$' -bench '^BenchmarkWarm$' -count 3 ./shared/httpapi/ > warm.txt
//	go run ./scripts/bench/warmtable -bench warm.txt
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/cloudconnector/cloudconnector/scripts/bench/internal/warmresult"
)

// budget is the largest handler-to-calls ratio the project accepts.
const budget = 1.2

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		log.Error("warm table failed", "error", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("warmtable", flag.ContinueOnError)
	path := fs.String("bench", "", "output of go test -bench '^BenchmarkWarm$' ./shared/httpapi/ (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("-bench is required")
	}
	f, err := os.Open(*path)
	if err != nil {
		return fmt.Errorf("read benchmark output: %w", err)
	}
	defer f.Close()
	results, err := warmresult.Read(f)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return fmt.Errorf("%s contains no BenchmarkWarm results", *path)
	}

	fmt.Fprintln(stdout, "| operation | handler | bare calls | ratio | budget 1.2 | handler allocs/op | calls allocs/op |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|")
	for _, r := range results {
		verdict := "met"
		if r.Ratio() > budget {
			verdict = "missed"
		}
		fmt.Fprintf(stdout, "| %s | %.2f ms | %.2f ms | %.2f | %s | %.0f | %.0f |\n",
			r.Name, r.HandlerNs/1e6, r.CallsNs/1e6, r.Ratio(), verdict, r.HandlerAllocs, r.CallsAllocs)
	}
	fmt.Fprintln(stdout)
	return nil
}
