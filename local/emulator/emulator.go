// Package emulator runs the local AWS emulators as child processes: moto
// (the API Gateway control plane) and kumo (everything else), each on a
// free loopback port, healthy before Start returns, and stopped with its
// whole process tree. What the emulators get wrong is fixed by the proxies
// in front of them (local/apigwproxy, local/kumoproxy); local/stack puts
// the pieces together.
package emulator

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// Server is one emulator process listening on 127.0.0.1.
type Server struct {
	Name string
	URL  string // http://127.0.0.1:<port>

	cmd  *exec.Cmd
	done chan struct{}
	once sync.Once
}

// StartKumo starts kumo (Lambda, DynamoDB, IAM, STS, Logs, S3) on a free port.
// Output of the process goes to logs (may be nil).
func StartKumo(ctx context.Context, bin string, logs io.Writer) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "KUMO_LOG_LEVEL=warn")
	return start(ctx, "kumo", cmd, port, "/health", logs)
}

// StartMoto starts moto_server (used for the API Gateway control plane) on a free port.
func StartMoto(ctx context.Context, bin string, logs io.Writer) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	return start(ctx, "moto", cmd, port, "/moto-api/data.json", logs)
}

func start(ctx context.Context, name string, cmd *exec.Cmd, port int, health string, logs io.Writer) (*Server, error) {
	if logs == nil {
		logs = io.Discard
	}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := Supported(); err != nil {
		return nil, err
	}
	// Own process group: moto_server is often a shim script, and Stop must
	// take down the whole tree.
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (%s): %w", name, cmd.Path, err)
	}
	s := &Server{Name: name, URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()

	if err := s.waitHealthy(ctx, health, 60*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitHealthy(ctx context.Context, path string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before it became healthy (exit: %v)", s.Name, s.cmd.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer %s%s within %s", s.Name, s.URL, path, timeout)
		}
	}
}

// Stop terminates the emulator and everything it started. It is safe to call twice.
func (s *Server) Stop() {
	s.once.Do(func() {
		terminateGroup(s.cmd.Process)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			killGroup(s.cmd.Process)
			<-s.done
		}
	})
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
