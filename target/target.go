package target

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/local/session"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// Options say what to deploy and where its output goes.
type Options struct {
	Config string // routes file (default routes.yaml)
	Env    string // environment (default dev)
	// Out gets progress lines (nil discards).
	Out io.Writer

	// On the local stack only (see session.Options).
	FunctionLogs, AccessLog io.Writer
	Progress                bool
	Port                    int
	Concurrency             int
	// Secrets the env references, stored on the local stack before apply.
	Secrets []stack.Secret

	// On AWS only: how the account is reached.
	AWS AWSOptions
}

func (o *Options) defaults() {
	if o.Config == "" {
		o.Config = "routes.yaml"
	}
	if o.Env == "" {
		o.Env = "dev"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
}

// Target is a project deployed on an Account: what a test calls and what
// it may change. Close stops what Local started, or destroys what AWS
// applied.
type Target struct {
	*Account
	// Name says what runs, for reports ("shop (env dev, local stack)").
	Name string
	Env  string
	// Result is the project as generated.
	Result *generate.Result
	// Workspace is the applied copy of the environment; Outputs its outputs.
	Workspace *tfdriver.Workspace
	Outputs   *tfdriver.Outputs
	// URL is the stage's invoke URL (no trailing slash).
	URL string
	// Keys are the API keys' values by key name; Functions the deployed
	// function of each route.
	Keys      map[string]string
	Functions map[string]string
	// Session is the local deployment (nil on AWS): its runner, data plane
	// and watch loop.
	Session *session.Session

	closers []func()
}

// Local brings the project up on a new local stack (session.Start):
// generate, the emulators, apply, the functions, the data plane.
func Local(ctx context.Context, opt Options) (*Target, error) {
	opt.defaults()
	s, err := session.Start(ctx, session.Options{
		Config: opt.Config, Env: opt.Env, Port: opt.Port, Out: opt.Out, Progress: opt.Progress,
		FunctionLogs: opt.FunctionLogs, AccessLog: opt.AccessLog, Secrets: opt.Secrets, Concurrency: opt.Concurrency,
	})
	if err != nil {
		return nil, err
	}
	t := &Target{
		Account: OnStack(s.Stack), Name: fmt.Sprintf("%s (env %s, local stack)", s.Result.API.Name, opt.Env), Env: opt.Env,
		Result: s.Result, Workspace: s.Workspace, Outputs: s.Outputs, URL: s.URL,
		Keys: s.Outputs.APIKeyValues, Functions: s.Outputs.FunctionNames, Session: s,
	}
	t.closers = append(t.closers, s.Close)
	return t, nil
}

// AWSWorkDir is where AWS renders its copy of the environment, relative to
// the project root: the copy keeps its own local state, never the env's.
const AWSWorkDir = "build/test/envs"

// AWS deploys a copy of the environment to the account of the standard
// credential chain under a unique environment name (<env>-t<random>, so
// every name is <api>-<env>-t<random>-…: inside what the pipeline's apply
// role for <env> may manage), with its state kept locally; Close destroys
// it.
func AWS(ctx context.Context, opt Options) (t *Target, err error) {
	opt.defaults()
	acct, err := AWSAccount(ctx, opt.AWS)
	if err != nil {
		return nil, err
	}
	res, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Log: opt.Out})
	if err != nil {
		return nil, err
	}
	if _, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, NoBuild: true, OutDir: AWSWorkDir}); err != nil {
		return nil, err
	}
	dir := filepath.Join(res.Root, filepath.FromSlash(path.Join(AWSWorkDir, opt.Env)))
	if err := tfdriver.LocalBackend(dir, "apibuilder test: the test deployment keeps its state here"); err != nil {
		return nil, err
	}
	ws, err := acct.Workspace(dir, io.Discard)
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	copyEnv := opt.Env + "-t" + hex.EncodeToString(suffix)
	ws.Vars["environment"] = copyEnv
	name := res.API.Name + "-" + copyEnv
	t = &Target{Account: acct, Name: fmt.Sprintf("%s (env %s, AWS %s)", res.API.Name, opt.Env, acct.Region), Env: opt.Env, Result: res, Workspace: ws}
	fmt.Fprintf(opt.Out, "==> terraform apply of env %s to AWS as %s\n", opt.Env, name)
	if err := ws.Init(ctx, nil); err != nil {
		return nil, err
	}
	t.closers = append(t.closers, func() {
		fmt.Fprintf(opt.Out, "==> terraform destroy of %s\n", name)
		if err := ws.Destroy(context.Background()); err != nil {
			fmt.Fprintf(opt.Out, "DESTROY FAILED: %v\n(state: %s; run terraform destroy there)\n", err, dir)
		}
	})
	defer func() {
		if err != nil {
			t.Close()
		}
	}()
	if err := ws.Apply(ctx); err != nil {
		return nil, err
	}
	if t.Outputs, err = ws.Outputs(ctx); err != nil {
		return nil, err
	}
	t.URL = strings.TrimSuffix(t.Outputs.InvokeURL, "/")
	t.Keys, t.Functions = t.Outputs.APIKeyValues, t.Outputs.FunctionNames
	return t, nil
}

// Close stops what the target started (local) or destroys what it
// applied (AWS). Safe to call twice.
func (t *Target) Close() {
	for i := len(t.closers) - 1; i >= 0; i-- {
		t.closers[i]()
	}
	t.closers = nil
}

// Invocations is how many invocations a function has received; ok is
// false where they cannot be counted (on AWS they reach CloudWatch minutes
// later).
func (t *Target) Invocations(function string) (n int, ok bool) {
	if t.Session == nil {
		return 0, false
	}
	return t.Session.Runner.Invocations(function), true
}

// Replan lists what terraform would change now ("<address>: <actions>").
func (t *Target) Replan(ctx context.Context) ([]string, error) { return t.Workspace.Replan(ctx) }
