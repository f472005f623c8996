// Package runner runs deployed Lambda functions locally: each function's Go
// handler is built for this machine and started as a process that serves
// kumo's Lambda Runtime API, with the function's deployed environment.
//
// The handlers talk to kumo through a small proxy of ours. It tells when a
// handler is ready (kumo routes an Invoke to a handler only after that
// handler has polled once), counts the invocations each function receives,
// and lets a crashed handler be restarted without kumo noticing.
package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Function is one deployed function and the source of its handler.
type Function struct {
	Name      string // deployed function name
	SourceDir string // Go main package (absolute, or relative to Config.ModuleRoot)
}

// Config is what the runner needs from the local stack.
type Config struct {
	Lambda     *lambda.Client    // reads each function's deployed configuration
	KumoURL    string            // kumo (or the proxy in front of it)
	ModuleRoot string            // Go module of the handlers
	ExtraEnv   map[string]string // the stack's endpoints, credentials and region
	Logs       io.Writer         // handler output, each line prefixed "[name] "
	// ReadyTimeout bounds how long Start waits for every handler's first poll.
	ReadyTimeout time.Duration
}

// Runner supervises the handler processes.
type Runner struct {
	cfg   Config
	srv   *http.Server
	addr  string
	logMu sync.Mutex

	mu      sync.Mutex
	procs   map[string]*proc
	counts  map[string]int
	ready   map[string]chan struct{}
	stopped bool
}

type proc struct {
	fn       Function
	bin      string
	env      []string
	cmd      *exec.Cmd
	restarts int
}

// Start builds and starts every function, and returns once each handler
// has polled kumo for work.
func Start(ctx context.Context, cfg Config, fns []Function) (*Runner, error) {
	if cfg.Logs == nil {
		cfg.Logs = io.Discard
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 60 * time.Second
	}
	r := &Runner{cfg: cfg, procs: map[string]*proc{}, counts: map[string]int{}, ready: map[string]chan struct{}{}}
	for _, fn := range fns {
		r.ready[fn.Name] = make(chan struct{})
	}
	if err := r.startProxy(); err != nil {
		return nil, err
	}
	binDir, err := os.MkdirTemp("", "apibuilder-runner-")
	if err != nil {
		r.Stop()
		return nil, err
	}
	procs, err := r.prepare(ctx, fns, binDir)
	if err != nil {
		r.Stop()
		return nil, err
	}
	for _, p := range procs {
		r.mu.Lock()
		r.procs[p.fn.Name] = p
		r.mu.Unlock()
		if err := r.launch(p); err != nil {
			r.Stop()
			return nil, err
		}
	}
	deadline := time.After(cfg.ReadyTimeout)
	for name, ch := range r.ready {
		select {
		case <-ch:
		case <-deadline:
			r.Stop()
			return nil, fmt.Errorf("function %s: handler did not poll the Runtime API within %s (see its log lines)", name, cfg.ReadyTimeout)
		case <-ctx.Done():
			r.Stop()
			return nil, ctx.Err()
		}
	}
	// kumo registers a handler while serving its first poll, a moment after
	// the proxy has sent it on.
	time.Sleep(50 * time.Millisecond)
	return r, nil
}

// Invocations is how many invocations the function's handler has received.
func (r *Runner) Invocations(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[name]
}

// Stop stops every handler and the proxy; nothing is left running.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.stopped = true
	procs := make([]*proc, 0, len(r.procs))
	for _, p := range r.procs {
		procs = append(procs, p)
	}
	r.mu.Unlock()
	for _, p := range procs {
		r.mu.Lock()
		cmd := p.cmd
		r.mu.Unlock()
		if cmd != nil && cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	if r.srv != nil {
		_ = r.srv.Close()
	}
	if len(procs) > 0 {
		_ = os.RemoveAll(filepath.Dir(procs[0].bin))
	}
}

// ---- the Runtime API proxy ----

func (r *Runner) startProxy() error {
	target, err := url.Parse(r.cfg.KumoURL)
	if err != nil {
		return fmt.Errorf("kumo URL: %w", err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1
	rp.ErrorHandler = quietProxyError
	rp.Transport = &countingTransport{r: r, base: http.DefaultTransport}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.addr = ln.Addr().String()
	r.srv = &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return nil
}

// quietProxyError answers 502 when kumo fails, and nothing when the handler
// went away (its long poll is cut when the runner stops).
func quietProxyError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() == nil {
		http.Error(w, "kumo: "+err.Error(), http.StatusBadGateway)
	}
}

// countingTransport watches the handlers' polls on their way to kumo.
type countingTransport struct {
	r    *Runner
	base http.RoundTripper
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	fn, isNext := nextPoll(req.URL.Path)
	if isNext {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { t.r.markReady(fn) }}
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	}
	resp, err := t.base.RoundTrip(req)
	if isNext && err == nil && resp.StatusCode == http.StatusOK {
		t.r.mu.Lock()
		t.r.counts[fn]++
		t.r.mu.Unlock()
	}
	return resp, err
}

// nextPoll recognises /_runtime/<fn>/2018-06-01/runtime/invocation/next.
func nextPoll(path string) (string, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 6 && parts[0] == "_runtime" && parts[4] == "invocation" && parts[5] == "next" {
		return parts[1], true
	}
	return "", false
}

func (r *Runner) markReady(fn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ch, ok := r.ready[fn]; ok {
		select {
		case <-ch:
		default:
			close(ch)
		}
	}
}

// ---- building and supervising handlers ----

// prepare reads every function's deployed configuration and builds its
// handler for this machine, in parallel.
func (r *Runner) prepare(ctx context.Context, fns []Function, binDir string) ([]*proc, error) {
	procs := make([]*proc, len(fns))
	errs := make([]error, len(fns))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			procs[i], errs[i] = r.prepareOne(ctx, fn, binDir)
		}()
	}
	wg.Wait()
	return procs, errors.Join(errs...)
}

func (r *Runner) prepareOne(ctx context.Context, fn Function, binDir string) (*proc, error) {
	conf, err := r.cfg.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &fn.Name})
	if err != nil {
		return nil, fmt.Errorf("function %s: read its deployed configuration: %w", fn.Name, err)
	}
	src := fn.SourceDir
	if !filepath.IsAbs(src) {
		src = filepath.Join(r.cfg.ModuleRoot, src)
	}
	bin := filepath.Join(binDir, fn.Name)
	build := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("function %s: build %s for this machine: %v\n%s", fn.Name, src, err, out)
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && !strings.HasPrefix(k, "AWS_") {
			env[k] = v
		}
	}
	if conf.Environment != nil {
		for k, v := range conf.Environment.Variables {
			env[k] = v
		}
	}
	for k, v := range r.cfg.ExtraEnv {
		if v != "" {
			env[k] = v
		}
	}
	env["AWS_LAMBDA_FUNCTION_NAME"] = fn.Name
	env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(int(aws.ToInt32(conf.MemorySize)))
	env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + fn.Name
	env["AWS_LAMBDA_RUNTIME_API"] = r.addr + "/_runtime/" + fn.Name
	env["_HANDLER"] = aws.ToString(conf.Handler)
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	return &proc{fn: fn, bin: bin, env: list}, nil
}

// launch starts the handler and restarts it, with backoff, whenever it
// exits while the runner is running.
func (r *Runner) launch(p *proc) error {
	cmd := exec.Command(p.bin)
	cmd.Env = p.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &prefixWriter{r: r, prefix: "[" + p.fn.Name + "] "}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("function %s: start handler: %w", p.fn.Name, err)
	}
	r.mu.Lock()
	p.cmd = cmd
	r.mu.Unlock()
	go func() {
		err := cmd.Wait()
		out.flush()
		r.mu.Lock()
		stopped := r.stopped
		p.restarts++
		n := p.restarts
		r.mu.Unlock()
		if stopped {
			return
		}
		backoff := min(time.Duration(1<<min(n-1, 6))*100*time.Millisecond, 5*time.Second)
		r.logf("[%s] handler exited (%v); restart %d in %s\n", p.fn.Name, err, n, backoff)
		time.Sleep(backoff)
		r.mu.Lock()
		stopped = r.stopped
		r.mu.Unlock()
		if !stopped {
			if err := r.launch(p); err != nil {
				r.logf("[%s] %v\n", p.fn.Name, err)
			}
		}
	}()
	return nil
}

// Restarts is how many times the function's handler has exited and been restarted.
func (r *Runner) Restarts(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.procs[name]; ok {
		return p.restarts
	}
	return 0
}

func (r *Runner) logf(format string, args ...any) {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	fmt.Fprintf(r.cfg.Logs, format, args...)
}

// prefixWriter writes a handler's output line by line, prefixed.
type prefixWriter struct {
	r      *Runner
	prefix string
	mu     sync.Mutex
	buf    []byte
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break // an unfinished last line waits for more
		}
		w.r.logf("%s%s\n", w.prefix, w.buf[:i])
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

func (w *prefixWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.r.logf("%s%s\n", w.prefix, w.buf)
		w.buf = nil
	}
}
