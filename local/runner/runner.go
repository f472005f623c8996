// Package runner runs deployed Lambda functions locally: each function's Go
// handler is built for this machine and started as processes that serve
// kumo's Lambda Runtime API, with the function's deployed environment.
//
// The handlers never talk to kumo directly: they poll a Runtime API proxy
// of ours (runtime.go), which polls kumo on their behalf and hands each
// invocation to a waiting process. Owning that hand-over is what lets the
// runner
//   - run up to Config.Concurrency processes per function, started as
//     parallel invocations need them, as Lambda scales out;
//   - swap a function's processes for a new build or a new configuration
//     without dropping a request (swap.go): invocations in flight finish
//     on the old processes, new ones go to the new process only, and an
//     invocation kumo hands over for a process that went away is given to
//     another instead of being lost;
//   - tell when a handler is ready, count the invocations each function
//     receives, and restart a crashed handler without kumo noticing.
package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// DefaultConcurrency is how many processes a function runs at most when
// Config.Concurrency is 0: enough that parallel requests are served in
// parallel on a laptop, few enough that a large API stays light (a
// function starts with one process and grows only under parallel load).
const DefaultConcurrency = 4

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
	// ReadyTimeout bounds how long Start (and a swap) waits for a new
	// handler's first poll.
	ReadyTimeout time.Duration
	// Concurrency is how many processes one function may run at once
	// (default DefaultConcurrency).
	Concurrency int
}

// Runner supervises the handler processes.
type Runner struct {
	cfg    Config
	kumo   *url.URL
	client *http.Client // polls kumo; no timeout: a poll waits for work
	srv    *http.Server
	addr   string
	binDir string
	ctx    context.Context // ends with Stop
	cancel context.CancelFunc
	logMu  sync.Mutex

	mu      sync.Mutex
	fns     map[string]*function
	procs   map[int]*proc     // every process started and not yet exited, by id
	bins    map[string]string // handler directory -> its current binary
	lastID  int
	stopped bool
}

// function is one deployed function: its current build and configuration,
// its processes, and the invocations between kumo and them.
type function struct {
	name, src string
	bin       string   // the binary new processes run
	env       []string // their environment
	conf      fnConf   // the deployed configuration env was made from
	live      []*proc  // processes of the current build and configuration
	crashes   int      // consecutive exits, for the restart backoff

	waiting  []*waiter     // processes' polls waiting for an invocation
	held     []*invocation // invocations taken from kumo that no process waits for yet
	upstream int           // our polls outstanding at kumo

	invocations, restarts int
	ready                 chan struct{} // closed when kumo has seen a poll for it
	ctx                   context.Context
	cancel                context.CancelFunc // ends the polls when the function is removed
	removed               bool
}

// proc is one handler process.
type proc struct {
	id      int
	fn      *function
	bin     string
	cmd     *exec.Cmd
	retired bool          // replaced: it takes no new invocation
	busy    bool          // holds an invocation
	polled  chan struct{} // closed on its first poll
	exited  chan struct{} // closed when it has exited (or will never start)
	out     *prefixWriter

	startMu sync.Mutex // orders starting against killing
	started bool
	killed  bool
}

// fnConf is what of a function's deployed configuration reaches its process.
type fnConf struct {
	env     string // its variables, sorted, one k=v a line
	memory  int32
	timeout int32
	handler string
}

// Start builds and starts every function (one process each), and returns
// once each handler has polled kumo for work.
func Start(ctx context.Context, cfg Config, fns []Function) (*Runner, error) {
	if cfg.Logs == nil {
		cfg.Logs = io.Discard
	}
	if cfg.ReadyTimeout == 0 {
		cfg.ReadyTimeout = 60 * time.Second
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	target, err := url.Parse(cfg.KumoURL)
	if err != nil || target.Host == "" {
		return nil, fmt.Errorf("kumo URL %q: not an http URL", cfg.KumoURL)
	}
	r := &Runner{
		cfg: cfg, kumo: target, fns: map[string]*function{}, procs: map[int]*proc{}, bins: map[string]string{},
		client: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, DisableCompression: true}},
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	if err := r.startProxy(); err != nil {
		return nil, err
	}
	if r.binDir, err = os.MkdirTemp("", "apibuilder-runner-"); err != nil {
		r.Stop()
		return nil, err
	}
	if _, err := r.add(ctx, fns); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// add prepares, starts and waits for new functions.
func (r *Runner) add(ctx context.Context, fns []Function) ([]string, error) {
	if len(fns) == 0 {
		return nil, nil
	}
	srcs := map[string]bool{}
	for i := range fns {
		fns[i].SourceDir = r.abs(fns[i].SourceDir)
		r.mu.Lock()
		_, built := r.bins[fns[i].SourceDir]
		r.mu.Unlock()
		if !built {
			srcs[fns[i].SourceDir] = true
		}
	}
	if _, errs := r.buildAll(ctx, keys(srcs)); len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	confs := make([]fnConf, len(fns))
	envs := make([][]string, len(fns))
	if err := parallel(len(fns), func(i int) (err error) {
		confs[i], envs[i], err = r.configuration(ctx, fns[i].Name)
		return err
	}); err != nil {
		return nil, err
	}
	var added []*function
	var names []string
	r.mu.Lock()
	for i, f := range fns {
		fn := &function{name: f.Name, src: f.SourceDir, bin: r.bins[f.SourceDir], env: envs[i], conf: confs[i], ready: make(chan struct{})}
		fn.ctx, fn.cancel = context.WithCancel(r.ctx)
		r.fns[f.Name] = fn
		added = append(added, fn)
		names = append(names, f.Name)
	}
	var procs []*proc
	for _, fn := range added {
		procs = append(procs, r.newProcLocked(fn))
	}
	r.mu.Unlock()
	for _, p := range procs {
		if err := r.launch(p); err != nil {
			return nil, err
		}
	}
	deadline := time.After(r.cfg.ReadyTimeout)
	for _, fn := range added {
		select {
		case <-fn.ready:
		case <-deadline:
			return nil, fmt.Errorf("function %s: handler did not poll the Runtime API within %s (see its log lines)", fn.name, r.cfg.ReadyTimeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// kumo registers a handler while serving its first poll, a moment after
	// the proxy has sent it on.
	time.Sleep(50 * time.Millisecond)
	sort.Strings(names)
	return names, nil
}

func (r *Runner) abs(src string) string {
	if !filepath.IsAbs(src) {
		src = filepath.Join(r.cfg.ModuleRoot, src)
	}
	if a, err := filepath.Abs(src); err == nil {
		src = a
	}
	return filepath.Clean(src)
}

// Invocations is how many invocations the function's handler has received.
func (r *Runner) Invocations(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn, ok := r.fns[name]; ok {
		return fn.invocations
	}
	return 0
}

// Restarts is how many times a handler process of the function has exited
// unasked and been replaced.
func (r *Runner) Restarts(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn, ok := r.fns[name]; ok {
		return fn.restarts
	}
	return 0
}

// Processes is how many handler processes of the function's current build
// and configuration are running.
func (r *Runner) Processes(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn, ok := r.fns[name]; ok {
		return len(fn.live)
	}
	return 0
}

// Functions lists the functions the runner runs, sorted by name.
func (r *Runner) Functions() []Function {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Function, 0, len(r.fns))
	for _, fn := range r.fns {
		out = append(out, Function{Name: fn.name, SourceDir: fn.src})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
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
	if r.cancel != nil {
		r.cancel()
	}
	for _, p := range procs {
		p.kill()
	}
	for _, p := range procs {
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
		}
	}
	if r.srv != nil {
		_ = r.srv.Close()
	}
	if r.binDir != "" {
		_ = os.RemoveAll(r.binDir)
	}
}

// ---- building handlers ----

// buildAll builds the handlers in srcs for this machine, in parallel,
// and makes each the current binary of its directory. changed tells, per
// directory, whether the binary differs from the one before.
func (r *Runner) buildAll(ctx context.Context, srcs []string) (map[string]bool, map[string]error) {
	changed := map[string]bool{}
	errs := map[string]error{}
	var mu sync.Mutex
	_ = parallel(len(srcs), func(i int) error {
		c, err := r.build(ctx, srcs[i])
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[srcs[i]] = err
		} else {
			changed[srcs[i]] = c
		}
		return nil
	})
	if len(errs) == 0 {
		errs = nil
	}
	return changed, errs
}

// build builds one handler directory into a new binary. When the result
// is byte for byte the current binary, the new file is dropped and
// changed is false.
func (r *Runner) build(ctx context.Context, src string) (changed bool, err error) {
	r.mu.Lock()
	r.lastID++
	bin := filepath.Join(r.binDir, fmt.Sprintf("%s-%d", filepath.Base(src), r.lastID))
	old := r.bins[src]
	r.mu.Unlock()
	// From the module root when the handler is below it, so the
	// compiler's positions read as paths of the project.
	dir, target := src, "."
	if root, err := filepath.Abs(r.cfg.ModuleRoot); err == nil {
		if rel, err := filepath.Rel(root, src); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			dir, target = root, "./"+filepath.ToSlash(rel)
		}
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", bin, target)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		_ = os.Remove(bin)
		return false, &BuildError{Dir: src, Output: strings.TrimSpace(string(out)), Err: err}
	}
	if old != "" && sameFile(old, bin) {
		_ = os.Remove(bin)
		return false, nil
	}
	r.mu.Lock()
	r.bins[src] = bin
	r.mu.Unlock()
	return true, nil
}

// BuildError is a handler that does not compile: Output is the compiler's.
type BuildError struct {
	Dir    string
	Output string
	Err    error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("build %s for this machine: %v\n%s", e.Dir, e.Err, e.Output)
}

func sameFile(a, b string) bool {
	ha, errA := hashFile(a)
	hb, errB := hashFile(b)
	return errA == nil && errB == nil && ha == hb
}

func hashFile(p string) ([32]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// configuration reads a function's deployed configuration and makes its
// process environment from it.
func (r *Runner) configuration(ctx context.Context, name string) (fnConf, []string, error) {
	conf, err := r.cfg.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &name})
	if err != nil {
		return fnConf{}, nil, fmt.Errorf("function %s: read its deployed configuration: %w", name, err)
	}
	fc := fnConf{memory: aws.ToInt32(conf.MemorySize), timeout: aws.ToInt32(conf.Timeout), handler: aws.ToString(conf.Handler)}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && !strings.HasPrefix(k, "AWS_") {
			env[k] = v
		}
	}
	if conf.Environment != nil {
		var lines []string
		for k, v := range conf.Environment.Variables {
			env[k] = v
			lines = append(lines, k+"="+v)
		}
		sort.Strings(lines)
		fc.env = strings.Join(lines, "\n")
	}
	for k, v := range r.cfg.ExtraEnv {
		if v != "" {
			env[k] = v
		}
	}
	env["AWS_LAMBDA_FUNCTION_NAME"] = name
	env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(int(fc.memory))
	env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + name
	env["_HANDLER"] = fc.handler
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	return fc, list, nil
}

// ---- supervising processes ----

// newProcLocked makes (does not start) a process of fn's current build
// and configuration. r.mu is held.
func (r *Runner) newProcLocked(fn *function) *proc {
	r.lastID++
	p := &proc{id: r.lastID, fn: fn, bin: fn.bin, polled: make(chan struct{}), exited: make(chan struct{})}
	p.out = &prefixWriter{r: r, prefix: "[" + fn.name + "] "}
	cmd := exec.Command(p.bin)
	// Each process polls through its own path, so the proxy knows which
	// process asks (runtime.go).
	cmd.Env = append(append([]string{}, fn.env...), "AWS_LAMBDA_RUNTIME_API="+r.addr+"/_proc/"+strconv.Itoa(p.id)+"/_runtime/"+fn.name)
	ownGroup(cmd)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	p.cmd = cmd
	fn.live = append(fn.live, p)
	r.procs[p.id] = p
	return p
}

// launch starts a process made by newProcLocked and supervises it: a
// process of the current generation that exits unasked is replaced, with
// backoff.
func (r *Runner) launch(p *proc) error {
	p.startMu.Lock()
	err := errKilled
	if !p.killed {
		err = p.cmd.Start()
		p.started = err == nil
	}
	p.startMu.Unlock()
	if err != nil {
		r.mu.Lock()
		r.forgetLocked(p)
		r.mu.Unlock()
		close(p.exited)
		if err == errKilled {
			return nil // stopped before it started
		}
		return fmt.Errorf("function %s: start handler: %w", p.fn.name, err)
	}
	go r.supervise(p)
	return nil
}

var errKilled = errors.New("killed before it started")

func (r *Runner) supervise(p *proc) {
	err := p.cmd.Wait()
	p.out.flush()
	fn := p.fn
	r.mu.Lock()
	wasLive := r.forgetLocked(p)
	replace := wasLive && !p.retired && !fn.removed && !r.stopped
	var n int
	var next *proc
	if replace {
		fn.restarts++
		fn.crashes++
		n = fn.crashes
		// Keep at least one process; more come back with demand.
		if len(fn.live) == 0 {
			next = r.newProcLocked(fn)
		}
	}
	r.mu.Unlock()
	close(p.exited)
	if !replace {
		return
	}
	if next == nil {
		r.logf("[%s] handler exited (%v); %d other process(es) keep serving\n", fn.name, err, r.Processes(fn.name))
		return
	}
	backoff := min(time.Duration(1<<min(n-1, 6))*100*time.Millisecond, 5*time.Second)
	r.logf("[%s] handler exited (%v); restart %d in %s\n", fn.name, err, n, backoff)
	select {
	case <-time.After(backoff):
	case <-fn.ctx.Done():
	}
	r.mu.Lock()
	gone := r.stopped || fn.removed || next.retired
	r.mu.Unlock()
	if gone {
		r.mu.Lock()
		r.forgetLocked(next)
		r.mu.Unlock()
		close(next.exited)
		return
	}
	if err := r.launch(next); err != nil {
		r.logf("[%s] %v\n", fn.name, err)
	}
}

// forgetLocked drops a process that exited (or never started) from the
// books, and reports whether it was one of its function's live processes.
func (r *Runner) forgetLocked(p *proc) bool {
	delete(r.procs, p.id)
	fn := p.fn
	for i, q := range fn.live {
		if q == p {
			fn.live = append(fn.live[:i], fn.live[i+1:]...)
			return true
		}
	}
	return false
}

// kill stops the process and everything it started.
func (p *proc) kill() {
	p.startMu.Lock()
	defer p.startMu.Unlock()
	p.killed = true
	if p.started {
		killGroup(p.cmd.Process)
	}
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

// parallel runs f(0..n-1), NumCPU at a time, and joins their errors.
func parallel(n int, f func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// joinErrors joins errors by directory, in the directories' order.
func joinErrors(errs map[string]error) error {
	dirs := make([]string, 0, len(errs))
	for d := range errs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	all := make([]error, len(dirs))
	for i, d := range dirs {
		all[i] = errs[d]
	}
	return errors.Join(all...)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
