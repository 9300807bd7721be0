package gateway

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// kumoBinary returns the path of the kumo binary: $KUMO_BIN, else bin/kumo
// under the module root, where make tools installs it. A missing binary
// fails the test, because the poller must be tested against a real server.
func kumoBinary(t *testing.T) string {
	t.Helper()
	if path := os.Getenv("KUMO_BIN"); path != "" {
		return path
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("kumo not found: no go.mod above the working directory; set KUMO_BIN to the kumo binary")
		}
		dir = parent
	}
	path := filepath.Join(dir, "bin", "kumo")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("kumo not found at %s (%v); run make tools, which installs it, or set KUMO_BIN", path, err)
	}
	return path
}

// lockedBuffer collects a child process's output for failure messages.
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

// startKumo runs kumo on a free port of 127.0.0.1 until the test ends and
// returns an SQS client for it with static dummy credentials.
func startKumo(t *testing.T) *sqs.Client {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	binary := kumoBinary(t)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	port := strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)
	if err := listener.Close(); err != nil {
		t.Fatalf("release port %s: %v", port, err)
	}

	output := &lockedBuffer{}
	cmd := exec.Command(binary, "serve", "--host", "127.0.0.1", "--port", port)
	cmd.Env = append(os.Environ(), "KUMO_HOST=127.0.0.1", "KUMO_PORT="+port)
	cmd.Stdout = output
	cmd.Stderr = output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", binary, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("stop kumo (pid %d): %v", cmd.Process.Pid, err)
		}
		<-exited
	})

	addr := net.JoinHostPort("127.0.0.1", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case waitErr := <-exited:
			exited <- waitErr
			t.Fatalf("kumo exited before it listened on %s: %v\n%s", addr, waitErr, output.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("kumo did not listen on %s within 30s:\n%s", addr, output.String())
		}
	}

	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + addr),
	})
}
