// Package session runs a project on the local stack: it generates the
// project, starts the stack, applies a private copy of one environment,
// starts every function's handler and serves the stage on a local port.
// One running deployment, which `local up` serves, `apibuilder test`
// checks, and the watch loop keeps up to date.
package session

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/local/dataplane"
	"github.com/apibuilder/apibuilder/local/emulator"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// WorkDir is where the local copy of the environments is rendered,
// relative to the project root: its Terraform state belongs to the local
// stack and never mixes with the real one.
const WorkDir = "build/local/envs"

// Options of a session.
type Options struct {
	Config string // routes file (default routes.yaml)
	Env    string // environment to deploy (default dev)
	Port   int    // port of the data plane (0: a free one)
	// Out gets progress lines; FunctionLogs the handlers' output (each
	// line prefixed with its function); AccessLog the stage's access log
	// lines. nil discards.
	Out, FunctionLogs, AccessLog io.Writer
	// Progress draws live progress lines (for a terminal).
	Progress bool
	// Parallelism of terraform (0: its default).
	Parallelism int
	// Secrets the environment references (ssm:, secretsmanager:), stored
	// on the stack before the apply: its plan fails while one is missing.
	Secrets []stack.Secret
	// Concurrency is how many processes each function may run at once
	// (0: runner.DefaultConcurrency).
	Concurrency int
}

// Session is a running local deployment. Close stops everything it started.
type Session struct {
	Root      string           // the project root
	Result    *generate.Result // the project as generated
	Stack     *stack.Stack
	Workspace *tfdriver.Workspace // the local copy of the environment
	Outputs   *tfdriver.Outputs
	Runner    *runner.Runner
	URL       string // the stage's invoke URL on the local data plane
	Logs      string // directory of the stack's and Terraform's logs

	opt     Options
	local   *generate.Result // the local copy as last generated
	srv     *http.Server
	closers []func()
}

// Start brings the project up. On error nothing is left running.
func Start(ctx context.Context, opt Options) (s *Session, err error) {
	if err := emulator.Supported(); err != nil {
		return nil, err // at once, before anything is generated or built
	}
	if opt.Config == "" {
		opt.Config = "routes.yaml"
	}
	if opt.Env == "" {
		opt.Env = "dev"
	}
	for _, w := range []*io.Writer{&opt.Out, &opt.FunctionLogs, &opt.AccessLog} {
		if *w == nil {
			*w = io.Discard
		}
	}
	sess := &Session{opt: opt}
	s = sess
	defer func() {
		if err != nil {
			sess.Close()
		}
	}()
	step := func(format string, args ...any) { fmt.Fprintf(opt.Out, "==> "+format+"\n", args...) }

	step("generate (%s, env %s)", opt.Config, opt.Env)
	s.Result, err = generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Log: opt.Out, Progress: opt.Progress})
	if err != nil {
		return nil, err
	}
	s.Root = s.Result.Root
	// The local copy: the same environment rendered under build/local, so
	// it resolves the same schemas, modules and packages.
	if s.local, err = generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, NoBuild: true, OutDir: WorkDir}); err != nil {
		return nil, err
	}
	work := filepath.Join(s.Root, filepath.FromSlash(path.Join(WorkDir, opt.Env)))
	if err := freshState(work); err != nil {
		return nil, err
	}

	step("local stack: tools, moto for API Gateway, kumo for the rest")
	s.Logs = filepath.Join(s.Root, "build", "local", "logs")
	if err := os.MkdirAll(s.Logs, 0o755); err != nil {
		return nil, err
	}
	emuLog, err := s.logFile("emulators.log")
	if err != nil {
		return nil, err
	}
	progress := io.Writer(nil)
	if opt.Progress {
		progress = opt.Out
	}
	s.Stack, err = stack.Up(ctx, stack.Options{Logs: emuLog, Progress: progress})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Stack.Close)
	fmt.Fprintf(opt.Out, "    kumo %s, moto %s (logs: %s)\n", s.Stack.Endpoints.Kumo, s.Stack.Endpoints.APIGateway, emuLog.Name())
	for _, sec := range opt.Secrets {
		if err := s.Stack.PutSecret(ctx, sec.Ref, sec.Value); err != nil {
			return nil, err
		}
		fmt.Fprintf(opt.Out, "    stored secret %s\n", sec.Ref)
	}

	step("terraform apply of env %s on the local stack", opt.Env)
	tfLog, err := s.logFile("terraform.log")
	if err != nil {
		return nil, err
	}
	s.Workspace, err = s.Stack.Workspace(work, tfLog)
	if err != nil {
		return nil, err
	}
	s.Workspace.Parallelism = opt.Parallelism
	start := time.Now()
	if err := s.bootstrapAccount(ctx, tfLog); err != nil {
		return nil, fmt.Errorf("%w (full output: %s)", err, tfLog.Name())
	}
	if err := s.Workspace.Init(ctx, nil); err != nil {
		return nil, fmt.Errorf("%w (full output: %s)", err, tfLog.Name())
	}
	if err := s.Workspace.Apply(ctx); err != nil {
		return nil, fmt.Errorf("%w (full output: %s)", err, tfLog.Name())
	}
	if s.Outputs, err = s.Workspace.Outputs(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(opt.Out, "    applied in %s (terraform output: %s)\n", time.Since(start).Round(100*time.Millisecond), tfLog.Name())

	step("functions")
	s.Runner, err = runner.Start(ctx, runner.Config{
		Lambda: s.Stack.Lambda(), KumoURL: s.Stack.RuntimeAPI(), ModuleRoot: s.Root,
		ExtraEnv: s.Stack.AWSEnv(), Logs: opt.FunctionLogs, Concurrency: opt.Concurrency,
	}, s.functions())
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Runner.Stop)

	step("execute-api data plane")
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(opt.Port))
	if err != nil {
		return nil, fmt.Errorf("listen on port %d: %w", opt.Port, err)
	}
	plane := dataplane.New(dataplane.Config{APIGateway: s.Stack.APIGateway(), Lambda: s.Stack.Lambda(), AccessLog: opt.AccessLog})
	s.srv = &http.Server{Handler: plane, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(dataplane.Listener(ln)) }() // the client's header casing reaches the functions
	s.closers = append(s.closers, func() { _ = s.srv.Close() })
	s.URL = dataplane.InvokeURL("http://"+ln.Addr().String(), s.Outputs.RestAPIID, s.Outputs.StageName)
	return s, nil
}

// Close stops the data plane, the functions and the stack. Safe to call twice.
func (s *Session) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

func (s *Session) logFile(name string) (*os.File, error) {
	f, err := os.Create(filepath.Join(s.Logs, name))
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, func() { _ = f.Close() })
	return f, nil
}

// freshState prepares the local copy for a new stack: the emulators start
// empty, so the state of an earlier run is dropped (Terraform's working
// directory, with its provider, is kept), and the state stays local
// whatever backend the project names.
func freshState(work string) error {
	entries, err := os.ReadDir(work)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "terraform.tfstate") {
			if err := os.Remove(filepath.Join(work, e.Name())); err != nil {
				return err
			}
		}
	}
	return tfdriver.LocalBackend(work, "apibuilder's local stack: the local copy keeps its state here")
}
