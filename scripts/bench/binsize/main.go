// Command binsize builds every function and the benchmark baselines as the
// CDK stack builds them (linux, arm64 by default, stripped) and prints their
// sizes as Markdown tables. Each function is compared with its SDK floor:
// the empty handler plus the same AWS SDK clients, loaded the same way.
//
//	go run ./scripts/bench/binsize
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudconnector/cloudconnector/scripts/bench/internal/targets"
)

// budgetBytes is how much larger than its SDK floor a function may be.
const budgetBytes = 1_500_000

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], os.Stdout, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		log.Error("binary size benchmark failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("binsize", flag.ContinueOnError)
	root := fs.String("root", ".", "module root holding functions/")
	arch := fs.String("arch", "arm64", "GOARCH to build for; the CDK stack deploys arm64")
	buildDir := fs.String("build-dir", "", "directory for the binaries (default: a temporary directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *buildDir == "" {
		dir, err := os.MkdirTemp("", "binsize-")
		if err != nil {
			return fmt.Errorf("create build directory: %w", err)
		}
		defer os.RemoveAll(dir)
		*buildDir = dir
	}

	fns, err := targets.Functions(*root)
	if err != nil {
		return err
	}
	baselines := targets.Baselines(fns)
	sizes := map[string]int64{}
	for _, t := range append(baselines, fns...) {
		log.Info("build", "target", t.Name, "arch", *arch)
		path, err := targets.Build(ctx, *root, t, *arch, *buildDir)
		if err != nil {
			return err
		}
		st, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("stat %s: %w", path, err)
		}
		sizes[t.Name] = st.Size()
	}

	mb := func(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }
	fmt.Fprintf(stdout, "Stripped linux/%s binaries (1 MB = 10^6 bytes).\n\n", *arch)
	fmt.Fprintln(stdout, "| baseline | size |")
	fmt.Fprintln(stdout, "|---|---|")
	for _, t := range baselines {
		fmt.Fprintf(stdout, "| %s | %s |\n", t.Name, mb(sizes[t.Name]))
	}
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, "| function | clients | size | its SDK floor | above the floor | budget 1.5 MB |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|")
	for _, f := range fns {
		floor, ok := targets.FloorOf(baselines, f, targets.Floor)
		if !ok {
			return fmt.Errorf("no floor for %s", f.Name)
		}
		above := sizes[f.Name] - sizes[floor.Name]
		verdict := "met"
		if above > budgetBytes {
			verdict = "missed"
		}
		fmt.Fprintf(stdout, "| %s | %s | %s | %s | %s | %s |\n", f.Name, f.Clients, mb(sizes[f.Name]), mb(sizes[floor.Name]), mb(above), verdict)
	}
	fmt.Fprintln(stdout)
	return nil
}
