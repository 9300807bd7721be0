package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sample is one first invocation.
type sample struct {
	// total runs from sending the invocation until its response is read.
	total time.Duration
	// init is the emulator's INIT REPORT duration: from starting the
	// bootstrap until the runtime requests its first event.
	init time.Duration
	// invoke is the emulator's INVOKE RTDONE duration: from handing the
	// event to the runtime until the runtime posts the response.
	invoke time.Duration
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

var (
	initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)
	invokeDone = regexp.MustCompile(`INVOKE RTDONE\(status: success, produced bytes: [0-9]+, duration: ([0-9.]+)ms\)`)
)

// logDuration returns the milliseconds that pattern captures in output, or 0.
func logDuration(pattern *regexp.Regexp, output string) time.Duration {
	m := pattern.FindStringSubmatch(output)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return time.Duration(v * float64(time.Millisecond))
}

// lockedBuffer collects a process's output, which exec writes from its own
// goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port on 127.0.0.1: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// emulator is one running aws-lambda-rie process and its bootstrap.
type emulator struct {
	cmd    *exec.Cmd
	output *lockedBuffer
	addr   string
}

// startEmulator starts aws-lambda-rie for bootstrap with both of its
// addresses on 127.0.0.1, in a process group of its own so that stop also
// ends the bootstrap, and waits until it accepts connections.
func startEmulator(ctx context.Context, rie, bootstrap string, env []string) (*emulator, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	runtimeAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	out := &lockedBuffer{}
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", runtimeAddr, bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	e := &emulator{cmd: cmd, output: out, addr: addr}

	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			return e, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			e.stop()
			return nil, fmt.Errorf("aws-lambda-rie did not listen on %s within 10s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// stop ends the emulator and its bootstrap: SIGTERM to the process group,
// then SIGKILL if it has not exited after 5 seconds.
func (e *emulator) stop() {
	pgid := e.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = e.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
}

// invoke sends one event and returns the response body and how long it took.
func (e *emulator) invoke(ctx context.Context, event []byte) ([]byte, time.Duration, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+e.addr+"/2015-03-31/functions/function/invocations", bytes.NewReader(event))
	if err != nil {
		return nil, 0, fmt.Errorf("build invocation: %w", err)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("invoke: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("read invocation response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("invocation returned HTTP %d: %s", resp.StatusCode, body)
	}
	return body, elapsed, nil
}

// invokeOnce measures one first invocation in a fresh emulator.
func invokeOnce(ctx context.Context, rie, bootstrap string, env []string, inv invocation) (sample, error) {
	e, err := startEmulator(ctx, rie, bootstrap, env)
	if err != nil {
		return sample{}, err
	}
	body, elapsed, err := e.invoke(ctx, inv.event)
	e.stop()
	if err != nil {
		return sample{}, fmt.Errorf("%w\n%s", err, e.output.String())
	}
	if err := checkAnswer(body, inv); err != nil {
		return sample{}, fmt.Errorf("%w\n%s", err, e.output.String())
	}
	output := e.output.String()
	return sample{total: elapsed, init: logDuration(initReport, output), invoke: logDuration(invokeDone, output)}, nil
}

// checkAnswer returns an error unless the response is that of a successful
// run: the expected HTTP status, or no function error.
func checkAnswer(body []byte, inv invocation) error {
	var answer struct {
		StatusCode   int    `json:"statusCode"`
		ErrorMessage string `json:"errorMessage"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return fmt.Errorf("response is not a JSON object: %v: %s", err, body)
	}
	if answer.ErrorMessage != "" {
		return fmt.Errorf("function returned an error: %s", body)
	}
	if inv.wantStatus != 0 && answer.StatusCode != inv.wantStatus {
		return fmt.Errorf("function responded with status %d, want %d: %s", answer.StatusCode, inv.wantStatus, body)
	}
	return nil
}

// initLine matches one line of GODEBUG=inittrace=1 output.
var initLine = regexp.MustCompile(`init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock, ([0-9]+) bytes, ([0-9]+) allocs`)

// packageInit is the cost of one package's init functions.
type packageInit struct {
	pkg    string
	clock  float64 // milliseconds
	bytes  int
	allocs int
}

// traceInits runs one first invocation with GODEBUG=inittrace=1 and returns
// the package inits it printed, slowest first.
func traceInits(ctx context.Context, rie, bootstrap string, env []string, inv invocation) ([]packageInit, error) {
	e, err := startEmulator(ctx, rie, bootstrap, append(slices.Clone(env), "GODEBUG=inittrace=1"))
	if err != nil {
		return nil, err
	}
	_, _, err = e.invoke(ctx, inv.event)
	e.stop()
	if err != nil {
		return nil, err
	}

	// The emulator is a Go program too and prints its own inits first; the
	// bootstrap starts after the emulator logs INIT START.
	output := e.output.String()
	start := strings.Index(output, "INIT START")
	if start < 0 {
		return nil, fmt.Errorf("emulator output has no INIT START line:\n%s", output)
	}

	var out []packageInit
	for _, m := range initLine.FindAllStringSubmatch(output[start:], -1) {
		clock, _ := strconv.ParseFloat(m[2], 64)
		b, _ := strconv.Atoi(m[3])
		a, _ := strconv.Atoi(m[4])
		out = append(out, packageInit{pkg: m[1], clock: clock, bytes: b, allocs: a})
	}
	slices.SortFunc(out, func(a, b packageInit) int {
		switch {
		case a.clock > b.clock:
			return -1
		case a.clock < b.clock:
			return 1
		}
		return 0
	})
	return out, nil
}

func writeInits(w io.Writer, name string, inits []packageInit) {
	var total float64
	for _, p := range inits {
		total += p.clock
	}
	fmt.Fprintf(w, "Package init of %s (GODEBUG=inittrace=1): %d packages, %.2f ms in total; the slowest:\n\n", name, len(inits), total)
	fmt.Fprintln(w, "| package | clock | bytes | allocs |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, p := range inits[:min(8, len(inits))] {
		fmt.Fprintf(w, "| %s | %.3f ms | %d | %d |\n", p.pkg, p.clock, p.bytes, p.allocs)
	}
	fmt.Fprintln(w)
}
