// Command localapi serves the HTTP API of the cloud connector on
// 127.0.0.1, standing in for API Gateway, Lambda, the SQS event source
// mapping and the EventBridge rotation schedule. It checks bearer tokens as
// the JWT authorizer does (make a token with go run ./scripts/devtoken) and
// invokes the same handler code as the deployed functions.
//
// Environment:
//
//	PORT                 listening port on 127.0.0.1 (default 3000)
//	ROTATION_QUEUE_URL   rotation queue to poll (required)
//	TABLE_NAME           DynamoDB table of the handlers (required)
//	KMS_KEY_ID           KMS key of the handlers (required)
//	SCHEDULE_INTERVAL    time between scheduler runs, a Go duration or whole seconds (default 60s)
//	AWS_ENDPOINT_URL     unset: the local servers (kumo on 4566, local-kms on 4599)
//	DEVJWT_DIR           directory of the token signing key (default .local/jwt)
//
// scripts/localsetup prints the three required settings.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cloudconnector/cloudconnector/scripts/internal/devjwt"
	"github.com/cloudconnector/cloudconnector/scripts/internal/localaws"
	"github.com/cloudconnector/cloudconnector/scripts/localapi/gateway"
)

// shutdownTimeout bounds how long a stop waits for requests in flight.
const shutdownTimeout = 10 * time.Second

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, logger); err != nil {
		logger.Error("local API failed", "error", err)
		os.Exit(1)
	}
}

// settings is the configuration read from the environment.
type settings struct {
	port     int
	queueURL string
	interval time.Duration
}

func readSettings() (settings, error) {
	s := settings{port: 3000, interval: gateway.DefaultInterval}

	if raw := os.Getenv("PORT"); raw != "" {
		port, err := strconv.Atoi(raw)
		if err != nil || port < 1 || port > 65535 {
			return settings{}, fmt.Errorf("PORT %q is invalid; want a port number from 1 to 65535", raw)
		}
		s.port = port
	}

	for _, name := range []string{"TABLE_NAME", "ROTATION_QUEUE_URL", "KMS_KEY_ID"} {
		if os.Getenv(name) == "" {
			return settings{}, fmt.Errorf(`%s is not set; run eval "$(go run ./scripts/localsetup)" first, or use make run`, name)
		}
	}
	s.queueURL = os.Getenv("ROTATION_QUEUE_URL")

	if raw := os.Getenv("SCHEDULE_INTERVAL"); raw != "" {
		interval, err := parseInterval(raw)
		if err != nil {
			return settings{}, err
		}
		s.interval = interval
	}
	return s, nil
}

// parseInterval reads a Go duration ("90s", "5m") or whole seconds ("60").
func parseInterval(raw string) (time.Duration, error) {
	interval, err := time.ParseDuration(raw)
	if err != nil {
		seconds, atoiErr := strconv.Atoi(raw)
		if atoiErr != nil {
			return 0, fmt.Errorf("SCHEDULE_INTERVAL %q is invalid; want a duration such as 60s or whole seconds", raw)
		}
		interval = time.Duration(seconds) * time.Second
	}
	if interval < time.Second {
		return 0, fmt.Errorf("SCHEDULE_INTERVAL %q is invalid; want at least 1s", raw)
	}
	return interval, nil
}

func run(ctx context.Context, logger *slog.Logger) error {
	s, err := readSettings()
	if err != nil {
		return err
	}
	cfg, err := localaws.Load(ctx)
	if err != nil {
		return err
	}

	keyDir, err := devjwt.DefaultDir()
	if err != nil {
		return err
	}
	key, err := devjwt.LoadOrCreate(keyDir)
	if err != nil {
		return err
	}

	fns, err := buildFunctions(ctx)
	if err != nil {
		return fmt.Errorf("build functions: %w", err)
	}
	if fns.Worker == nil || fns.Scheduler == nil {
		return errors.New("build functions: Worker and Scheduler are required")
	}
	gw, err := gateway.New(fns, gateway.Config{Verifier: key.Verifier(), Region: cfg.Region, Logger: logger})
	if err != nil {
		return err
	}

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	server := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}

	poller := &gateway.Poller{
		Client: sqs.NewFromConfig(cfg), QueueURL: s.queueURL, Worker: fns.Worker,
		Region: cfg.Region, Logger: logger,
	}
	scheduler := &gateway.Scheduler{Invoke: fns.Scheduler, Interval: s.interval, Region: cfg.Region, Logger: logger}

	return serve(ctx, logger, listener, server, poller, scheduler)
}

// serve runs the server, the poller and the scheduler until ctx is
// cancelled or one of them fails, then stops all three.
func serve(ctx context.Context, logger *slog.Logger, listener net.Listener, server *http.Server, poller *gateway.Poller, scheduler *gateway.Scheduler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	errs := make(chan error, 3)
	var wg sync.WaitGroup
	wg.Go(func() {
		logger.Info("local API listening", "url", "http://"+listener.Addr().String())
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("serve HTTP: %w", err)
		}
		cancel()
	})
	wg.Go(func() {
		if err := poller.Run(ctx); err != nil {
			errs <- err
		}
		cancel()
	})
	wg.Go(func() {
		if err := scheduler.Run(ctx); err != nil {
			errs <- err
		}
		cancel()
	})

	<-ctx.Done()
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancelShutdown()
	if err := server.Shutdown(shutdownCtx); err != nil {
		logger.Warn("HTTP shutdown incomplete", "error", err)
	}
	wg.Wait()
	close(errs)
	logger.Info("local API stopped")
	return errors.Join(collect(errs)...)
}

func collect(errs <-chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}
