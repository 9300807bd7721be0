// Package rie runs built Lambda function binaries under aws-lambda-rie, the
// AWS Lambda Runtime Interface Emulator, on 127.0.0.1, and invokes them with
// events over the emulator's HTTP API. The function talks to the emulator
// through the real Lambda runtime API, so the response comes from the same
// bootstrap that Lambda runs.
//
// Every emulator gets two free loopback ports of its own: one for the
// invocation API and one for the runtime API. aws-lambda-rie puts its
// runtime API on 127.0.0.1:9001 by default, so two emulators
// started without --runtime-api-address cannot run at once. With a port
// each, they can.
package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// InvocationPath is the path of the emulator's invoke API. It takes the
// event as the request body and returns the function's response.
const InvocationPath = "/2015-03-31/functions/function/invocations"

// startAttempts bounds how often Start picks new ports when another program
// took a chosen port between the choice and the emulator's bind.
const startAttempts = 3

// waitDelay bounds how long Stop waits for the output pipes to close after
// the emulator exits. The function process shares them, and the emulator
// kills it on shutdown.
const waitDelay = 10 * time.Second

// Config describes one emulator.
type Config struct {
	// Emulator is the path of the aws-lambda-rie binary.
	Emulator string
	// Bootstrap is the path of the function binary. The emulator runs it in
	// the binary's directory, as Lambda runs it in the code directory.
	Bootstrap string
	// Env is the whole environment of the emulator. The emulator passes all
	// of it to the function, so it must hold the function's configuration
	// and AWS settings. AWS_LAMBDA_FUNCTION_TIMEOUT, in seconds, sets the
	// invocation timeout (default 300).
	Env []string
	// Output receives the emulator's log and the function's stdout and
	// stderr as they are written. It may be nil.
	Output io.Writer
}

// Emulator is a running aws-lambda-rie process with its function.
type Emulator struct {
	cmd         *exec.Cmd
	addr        string
	runtimeAddr string
	out         *lockedBuffer
	client      *http.Client

	done    chan struct{} // closed when the process has exited
	waitErr error         // the result of cmd.Wait, set before done closes
}

// Response is the emulator's HTTP response to one invocation.
type Response struct {
	// Status is the emulator's HTTP status: 200 when the function returned
	// a response or an error, and 502 when its init failed or its process
	// exited during the invocation.
	Status int
	// Body is the function's response payload, or its error document.
	Body []byte
}

// FunctionError returns the error type and message when the function
// returned an error. The Lambda runtime API reports it as a JSON object with
// errorType and errorMessage, and the emulator returns it with status 200.
func (r Response) FunctionError() (errorType, message string, ok bool) {
	var doc struct {
		ErrorType    *string `json:"errorType"`
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(r.Body, &doc) != nil || (doc.ErrorType == nil && doc.ErrorMessage == nil) {
		return "", "", false
	}
	if doc.ErrorType != nil {
		errorType = *doc.ErrorType
	}
	if doc.ErrorMessage != nil {
		message = *doc.ErrorMessage
	}
	return errorType, message, true
}

// Start starts an emulator for cfg on two free ports of 127.0.0.1 and waits
// until it accepts invocations. The emulator starts the function at the
// first invocation, as Lambda does on a cold start. Call Stop when done,
// also after an error from Invoke.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	if _, err := os.Stat(cfg.Emulator); err != nil {
		return nil, fmt.Errorf("find aws-lambda-rie: %w", err)
	}
	bootstrap, err := filepath.Abs(cfg.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("resolve bootstrap path %s: %w", cfg.Bootstrap, err)
	}
	if _, err := os.Stat(bootstrap); err != nil {
		return nil, fmt.Errorf("find bootstrap: %w", err)
	}

	var lastErr error
	for range startAttempts {
		e, err := start(ctx, cfg, bootstrap)
		if err == nil {
			return e, nil
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	return nil, lastErr
}

var errPortTaken = errors.New("a port chosen for the emulator was taken by another program")

func start(ctx context.Context, cfg Config, bootstrap string) (*Emulator, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	runtimeAddr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}

	out := &lockedBuffer{tee: cfg.Output}
	cmd := exec.Command(cfg.Emulator,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", runtimeAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = cfg.Env
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Emulator, err)
	}

	e := &Emulator{
		cmd:         cmd,
		addr:        addr,
		runtimeAddr: runtimeAddr,
		out:         out,
		client:      &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}},
		done:        make(chan struct{}),
	}
	go func() {
		e.waitErr = cmd.Wait()
		close(e.done)
	}()

	if err := e.awaitListening(ctx); err != nil {
		_ = e.kill()
		if strings.Contains(out.String(), "address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, err
	}
	return e, nil
}

// awaitListening polls the invocation port until it accepts a connection,
// the emulator exits or ctx ends.
func (e *Emulator) awaitListening(ctx context.Context) error {
	dialer := net.Dialer{Timeout: 200 * time.Millisecond}
	for {
		conn, err := dialer.DialContext(ctx, "tcp", e.addr)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-e.done:
			return fmt.Errorf("aws-lambda-rie exited before it listened on %s (%v); its output:\n%s", e.addr, e.waitErr, e.out.String())
		case <-ctx.Done():
			return fmt.Errorf("wait for aws-lambda-rie to listen on %s: %w", e.addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Addr returns the host:port of the emulator's invocation API.
func (e *Emulator) Addr() string { return e.addr }

// RuntimeAPIAddr returns the host:port of the runtime API that the function
// polls for events.
func (e *Emulator) RuntimeAPIAddr() string { return e.runtimeAddr }

// Pid returns the emulator's process id. The function runs as its child.
func (e *Emulator) Pid() int { return e.cmd.Process.Pid }

// Output returns everything the emulator and the function wrote so far.
func (e *Emulator) Output() string { return e.out.String() }

// Invoke sends one event to the function and returns the emulator's
// response. An error means that the emulator could not be reached or sent no
// response. A function that fails still yields a Response.
func (e *Emulator) Invoke(ctx context.Context, event []byte) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+e.addr+InvocationPath, bytes.NewReader(event))
	if err != nil {
		return Response{}, fmt.Errorf("build invocation request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("invoke function at %s: %w", e.addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("read invocation response from %s: %w", e.addr, err)
	}
	return Response{Status: resp.StatusCode, Body: body}, nil
}

// Stop sends SIGTERM to the emulator, which kills the function process and
// exits, and waits until it has. It returns nil only for exit status 0. If
// ctx ends first, Stop kills the emulator and returns an error. Stop may be
// called more than once.
func (e *Emulator) Stop(ctx context.Context) error {
	select {
	case <-e.done:
		return e.exitError()
	default:
	}
	if err := e.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("send SIGTERM to aws-lambda-rie (pid %d): %w", e.Pid(), err)
	}
	select {
	case <-e.done:
		return e.exitError()
	case <-ctx.Done():
		_ = e.kill()
		return fmt.Errorf("aws-lambda-rie (pid %d) did not exit after SIGTERM: %w", e.Pid(), ctx.Err())
	}
}

// Exited returns a channel that is closed once the emulator has exited.
func (e *Emulator) Exited() <-chan struct{} { return e.done }

func (e *Emulator) exitError() error {
	if e.waitErr != nil {
		return fmt.Errorf("aws-lambda-rie (pid %d) exited: %w", e.Pid(), e.waitErr)
	}
	return nil
}

// kill ends the emulator with SIGKILL and waits for it.
func (e *Emulator) kill() error {
	if err := e.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill aws-lambda-rie (pid %d): %w", e.Pid(), err)
	}
	<-e.done
	return nil
}

// freeLoopbackAddr returns a 127.0.0.1 address with a port that was free a
// moment ago. Another program may take it before the emulator binds it, so
// Start then tries new ports.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("release port %s: %w", addr, err)
	}
	return addr, nil
}

// lockedBuffer collects output for Output and copies it to tee.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	tee io.Writer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.tee != nil {
		// A failing tee must not stop the emulator's output.
		_, _ = b.tee.Write(p)
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
