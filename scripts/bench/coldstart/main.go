// Command coldstart measures the first invocation of every function's real
// bootstrap under aws-lambda-rie, next to baselines built the same way in
// the same run. The baselines are an empty aws-lambda-go handler and, for
// each function's client set, two SDK floors: an empty handler that loads
// the configuration with shared/awsenv and builds the same clients, and one
// that uses config.LoadDefaultConfig instead.
//
// Each sample is a fresh aws-lambda-rie process. The emulator starts the
// bootstrap process only when the first invocation arrives, so a sample runs
// from sending that invocation to the emulator until its response is
// received: process start, Go runtime and package init, main (configuration
// and clients), the handler's work and the emulator's own dispatch. Rounds
// visit the binaries in a new random order each time.
//
// Functions read a table that is empty, so every HTTP function responds
// with 404 after one real DynamoDB call. The worker gets a rotate message for
// a missing link, and the scheduler reads the four shards of the due index.
// The program creates its own table, queue and KMS key on the servers that
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS name.
//
//	go run ./scripts/bench/coldstart -rie bin/aws-lambda-rie -runs 20
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"

	"github.com/cloudconnector/cloudconnector/scripts/bench/internal/targets"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], os.Stdout, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		log.Error("cold start benchmark failed", "error", err)
		os.Exit(1)
	}
}

type options struct {
	root, rie, buildDir, jsonPath string
	runs                          int
	initTrace                     bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", ".", "module root holding functions/")
	fs.StringVar(&o.rie, "rie", "bin/aws-lambda-rie", "path of the aws-lambda-rie binary")
	fs.StringVar(&o.buildDir, "build-dir", "", "directory for the built bootstraps (default: a temporary directory)")
	fs.StringVar(&o.jsonPath, "json", "", "also write every sample, in milliseconds, to this JSON file")
	fs.IntVar(&o.runs, "runs", 20, "samples per binary")
	fs.BoolVar(&o.initTrace, "inittrace", false, "after the samples, run each function once with GODEBUG=inittrace=1 and list its slowest package inits")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.runs < 1 {
		return o, fmt.Errorf("invalid -runs %d: want at least 1", o.runs)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	rie, err := filepath.Abs(o.rie)
	if err != nil {
		return fmt.Errorf("resolve -rie: %w", err)
	}
	if _, err := os.Stat(rie); err != nil {
		return fmt.Errorf("aws-lambda-rie not found at %s (make tools installs it): %w", rie, err)
	}
	if o.buildDir == "" {
		dir, err := os.MkdirTemp("", "coldstart-")
		if err != nil {
			return fmt.Errorf("create build directory: %w", err)
		}
		defer os.RemoveAll(dir)
		o.buildDir = dir
	}

	fns, err := targets.Functions(o.root)
	if err != nil {
		return err
	}
	all := append(targets.Baselines(fns), fns...)
	binaries := make([]string, len(all))
	invocations := make([]invocation, len(all))
	for i, t := range all {
		log.Info("build", "target", t.Name, "arch", runtime.GOARCH)
		if binaries[i], err = targets.Build(ctx, o.root, t, runtime.GOARCH, o.buildDir); err != nil {
			return err
		}
		if invocations[i], err = invocationFor(t); err != nil {
			return err
		}
	}

	res, err := createResources(ctx)
	if err != nil {
		return err
	}
	defer res.delete(context.WithoutCancel(ctx), log)
	env := append(os.Environ(),
		"TABLE_NAME="+res.table, "ROTATION_QUEUE_URL="+res.queueURL, "KMS_KEY_ID="+res.keyID, "ALLOW_LOOPBACK_HTTP=true")

	samples := make([][]sample, len(all))
	for round := range o.runs {
		log.Info("round", "n", round+1, "of", o.runs)
		for _, i := range rand.Perm(len(all)) {
			s, err := invokeOnce(ctx, rie, binaries[i], env, invocations[i])
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", all[i].Name, round+1, err)
			}
			samples[i] = append(samples[i], s)
		}
	}

	report := summarize(all, samples)
	writeTable(stdout, report, o.runs)
	if o.jsonPath != "" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return fmt.Errorf("encode samples: %w", err)
		}
		if err := os.WriteFile(o.jsonPath, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", o.jsonPath, err)
		}
	}

	if o.initTrace {
		for i, t := range all {
			if t.Kind == targets.FloorDefault {
				continue
			}
			inits, err := traceInits(ctx, rie, binaries[i], env, invocations[i])
			if err != nil {
				return fmt.Errorf("trace inits of %s: %w", t.Name, err)
			}
			writeInits(stdout, t.Name, inits)
		}
	}
	return nil
}

// result is the summary of one binary's samples.
type result struct {
	Name    string       `json:"name"`
	Kind    targets.Kind `json:"kind"`
	Clients string       `json:"clients"`
	Median  float64      `json:"medianMs"`
	P90     float64      `json:"p90Ms"`
	Init    float64      `json:"medianInitMs"`
	Invoke  float64      `json:"medianInvokeMs"`
	Samples []float64    `json:"samplesMs"`
}

func summarize(all []targets.Target, samples [][]sample) []result {
	out := make([]result, len(all))
	for i, t := range all {
		total := make([]float64, len(samples[i]))
		inits := make([]float64, len(samples[i]))
		invokes := make([]float64, len(samples[i]))
		for j, s := range samples[i] {
			total[j] = ms(s.total)
			inits[j] = ms(s.init)
			invokes[j] = ms(s.invoke)
		}
		clients := t.Clients.String()
		if t.Kind == targets.Empty {
			clients = "none"
		}
		out[i] = result{Name: t.Name, Kind: t.Kind, Clients: clients, Samples: total,
			Median: percentile(total, 50), P90: percentile(total, 90), Init: percentile(inits, 50), Invoke: percentile(invokes, 50)}
	}
	return out
}

// percentile returns the nearest-rank p-th percentile of xs.
func percentile(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100
	return s[max(rank, 1)-1]
}

func writeTable(w io.Writer, rs []result, runs int) {
	var empty result
	byName := map[string]result{}
	for _, r := range rs {
		byName[r.Name] = r
		if r.Kind == targets.Empty {
			empty = r
		}
	}
	fmt.Fprintf(w, "First invocation under aws-lambda-rie, %d fresh processes per binary, %s/%s, %d CPUs.\n\n", runs, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())

	fmt.Fprintln(w, "| binary | clients | median | p90 | median / empty | init, median | invoke, median |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rs {
		if r.Kind == targets.Function {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %.1f ms | %.1f ms | %.2fx | %.1f ms | %.1f ms |\n", r.Name, r.Clients, r.Median, r.P90, r.Median/empty.Median, r.Init, r.Invoke)
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "| function | clients | median | p90 | median / empty | budget 1.5x | its SDK floor | LoadDefaultConfig floor | init, median | invoke, median |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		if r.Kind != targets.Function {
			continue
		}
		ratio := r.Median / empty.Median
		verdict := "met"
		if ratio > 1.5 {
			verdict = "missed"
		}
		floor := byName["floor:"+r.Clients]
		floorDefault := byName["floor-loaddefault:"+r.Clients]
		fmt.Fprintf(w, "| %s | %s | %.1f ms | %.1f ms | %.2fx | %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n",
			r.Name, r.Clients, r.Median, r.P90, ratio, verdict, floor.Median, floorDefault.Median, r.Init, r.Invoke)
	}
	fmt.Fprintln(w)
}
