// Command invoke runs one Lambda function locally the way Lambda runs it.
// It builds the function's bootstrap for this machine with the deployed
// build flags and starts it under aws-lambda-rie on 127.0.0.1. Then it sends
// one event through the emulator's invoke API, prints the response on
// stdout and stops the emulator. The emulator's and the function's logs go
// to stderr.
//
//	go run ./scripts/invoke -function getlink -event events/getlink/get-link.json
//
// `make invoke FN=getlink EVENT=events/getlink/get-link.json` does the same.
// The function gets the environment of the running local stack: the
// settings file that `make run` writes (.local/env), the AWS_* variables,
// ALLOW_LOOPBACK_HTTP=true and AWS_LAMBDA_LOG_FORMAT=JSON. Unless
// AWS_ENDPOINT_URL is set, its AWS clients go to kumo and local-kms on
// 127.0.0.1 with dummy credentials.
//
// Each run picks free ports, so several can run at once. The exit status is
// 0 when the function returned a response, 1 when it returned an error or
// failed, and 2 for invalid flags.
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
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/internal/localaws"
	"github.com/cloudconnector/cloudconnector/scripts/invoke/rie"
)

// stopTimeout bounds how long the emulator may take to exit after SIGTERM.
const stopTimeout = 30 * time.Second

// errFunctionFailed reports a function that returned an error or no
// response. The details are already printed when it is returned.
var errFunctionFailed = errors.New("the function failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, logger)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.Is(err, errFunctionFailed):
		os.Exit(1)
	default:
		logger.Error("invoke failed", "error", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	function, event, envFile, emulator, buildDir string
}

var errUsage = errors.New("invalid usage")

func parseFlags(args []string, root string, stderr io.Writer) (options, error) {
	var o options
	flags := flag.NewFlagSet("invoke", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&o.function, "function", "", "function to run: a directory name under functions/ (required)")
	flags.StringVar(&o.event, "event", "", "JSON file holding the event to send, such as events/getlink/get-link.json (required)")
	flags.StringVar(&o.envFile, "env-file", filepath.Join(root, ".local", "env"), "settings file of the local stack, written by make run; empty to read none")
	flags.StringVar(&o.emulator, "emulator", filepath.Join(root, "bin", "aws-lambda-rie"), "aws-lambda-rie binary (make tools installs it)")
	flags.StringVar(&o.buildDir, "build-dir", filepath.Join(root, ".local", "invoke"), "directory for the built bootstrap binaries")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments %q\n", flags.Args())
		return o, errUsage
	}

	functions, err := listFunctions(root)
	if err != nil {
		return o, err
	}
	if !slices.Contains(functions, o.function) {
		fmt.Fprintf(stderr, "-function must be one of %v, got %q\n", functions, o.function)
		return o, errUsage
	}
	if o.event == "" {
		fmt.Fprintf(stderr, "-event is required; the sample events of %s are in %s\n", o.function, filepath.Join(root, "events", o.function))
		return o, errUsage
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, logger *slog.Logger) error {
	wd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("read working directory: %w", err)
	}
	root, err := rie.ModuleRoot(wd)
	if err != nil {
		return err
	}
	o, err := parseFlags(args, root, stderr)
	if err != nil {
		return err
	}

	event, err := os.ReadFile(o.event)
	if err != nil {
		return fmt.Errorf("read event: %w", err)
	}
	if _, err := localaws.ApplyDefaults(); err != nil {
		return err
	}
	var settings [][2]string
	if o.envFile != "" {
		if settings, err = readEnvFile(o.envFile); err != nil {
			return err
		}
	}
	if _, err := os.Stat(o.emulator); err != nil {
		return fmt.Errorf("aws-lambda-rie not found at %s (run make tools): %w", o.emulator, err)
	}

	started := time.Now()
	paths, err := rie.Build(ctx, root, o.buildDir, o.function)
	if err != nil {
		return err
	}
	logger.Info("bootstrap built", "function", o.function, "path", paths[o.function], "duration", time.Since(started).Round(time.Millisecond).String())

	emu, err := rie.Start(ctx, rie.Config{
		Emulator:  o.emulator,
		Bootstrap: paths[o.function],
		Env:       functionEnv(o.function, os.Environ(), settings),
		Output:    stderr,
	})
	if err != nil {
		return err
	}
	logger.Info("emulator started", "function", o.function, "invoke_api", emu.Addr(), "runtime_api", emu.RuntimeAPIAddr())

	resp, invokeErr := emu.Invoke(ctx, event)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
	defer cancel()
	stopErr := emu.Stop(stopCtx)
	if invokeErr != nil {
		return errors.Join(invokeErr, stopErr)
	}
	if stopErr != nil {
		logger.Warn("emulator stop failed", "function", o.function, "error", stopErr)
	}

	fmt.Fprintf(stdout, "%s\n", resp.Body)
	if resp.Status != 200 {
		logger.Error("function failed: the emulator returned an error status, and its log above shows the cause",
			"function", o.function, "event", o.event, "emulator_status", resp.Status)
		return errFunctionFailed
	}
	if errorType, message, ok := resp.FunctionError(); ok {
		logger.Error("function returned an error", "function", o.function, "event", o.event, "error_type", errorType, "error_message", message)
		return errFunctionFailed
	}
	return nil
}

// readEnvFile reads the local stack's settings file.
func readEnvFile(path string) ([][2]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("settings file %s not found: start the local stack with make run (or make stack-start and make setup), or pass -env-file ''", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open settings file: %w", err)
	}
	defer f.Close()
	vars, err := parseEnvFile(f)
	if err != nil {
		return nil, fmt.Errorf("parse settings file %s: %w", path, err)
	}
	return vars, nil
}

// listFunctions returns the names of the directories under root/functions.
func listFunctions(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}
