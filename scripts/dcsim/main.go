// Command dcsim runs the simulated Data Center instance for local runs: the
// connector protocol (credential stage and revoke, the OAuth 2.0 token
// endpoint) and the /_sim control routes, on 127.0.0.1 only.
//
// Environment:
//
//	DCSIM_PORT          TCP port to listen on (default 8099)
//	DCSIM_CONTEXT_PATH  path every route is served under, such as /jira (default none)
//
// It logs JSON lines to standard error and stops cleanly on SIGINT or SIGTERM.
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
	"syscall"
	"time"

	"github.com/cloudconnector/cloudconnector/scripts/dcsim/sim"
)

const (
	defaultPort = 8099
	// shutdownTimeout bounds how long a stop waits for calls in flight,
	// including calls held by an injected timeout.
	shutdownTimeout = 10 * time.Second
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(logger, os.Getenv); err != nil {
		logger.Error("dcsim stopped", "error", err)
		os.Exit(1)
	}
}

// run serves the simulator until SIGINT or SIGTERM.
func run(logger *slog.Logger, getenv func(string) string) error {
	addr, err := listenAddress(getenv("DCSIM_PORT"))
	if err != nil {
		return err
	}
	contextPath := getenv("DCSIM_CONTEXT_PATH")
	if !sim.ValidContextPath(contextPath) {
		return fmt.Errorf("invalid DCSIM_CONTEXT_PATH %q: use segments such as /jira of letters, digits, '-', '.', '_' and '~', with no trailing slash", contextPath)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	simulator := sim.New(time.Now, sim.WithLogger(logger), sim.WithContextPath(contextPath))
	// Canceling the base context on a stop releases calls held by an
	// injected timeout, so they need not run out before the server stops.
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	server := &http.Server{
		Handler:           simulator.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	logger.Info("dcsim started", "address", "http://"+listener.Addr().String()+contextPath)

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}

	logger.Info("dcsim stopping", "timeout", shutdownTimeout.String())
	cancelBase()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		_ = server.Close()
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve on %s: %w", addr, err)
	}
	logger.Info("dcsim stopped")
	return nil
}

// listenAddress returns 127.0.0.1 with the port from port, or the default
// port when it is empty. The host is always the loopback address.
func listenAddress(port string) (string, error) {
	if port == "" {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(defaultPort)), nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("invalid DCSIM_PORT %q: use a TCP port from 1 to 65535", port)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(n)), nil
}
