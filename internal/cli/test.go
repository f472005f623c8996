package apibuilder

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/apibuilder/apibuilder/apitest"
	"github.com/apibuilder/apibuilder/generator/generate"
	localcli "github.com/apibuilder/apibuilder/local/cli"
	"github.com/apibuilder/apibuilder/local/session"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/tfdriver"
)

const testManual = `NAME
    apibuilder test - deploy the API and check every route end to end

SYNOPSIS
    apibuilder test [-config routes.yaml] [-env dev] [-aws]

DESCRIPTION
    Deploys one environment on the local stack (or, with -aws, to the AWS
    account of the standard credential chain, under a unique API name, and
    destroys it afterwards), then checks, for every route of routes.yaml:

      - the happy path: a request built from the route's request.example and
        request.example_params (or a body built from its request schema),
        with the credentials its authorizer wants, reaches the function and
        gets an answer below 500; a 2xx answer matches response.schema and
        response.status
      - what API Gateway guarantees in front of the function, without
        invoking it: each kind of violation the request schema can show is
        400, a missing required query string or header is 400, a missing or
        unknown API key is 403, a missing token is 401 and a denied one 403,
        a missing request-authorizer identity is 401, an unsigned call to an
        IAM route is 403
      - CORS: the preflight, and the function's own answer to an allowed
        Origin, carry Access-Control-Allow-Origin
      - that terraform plan is empty after the apply
      - each usage plan, made small, answers 429 Limit Exceeded and
        429 Too Many Requests

    Credentials: API keys come from the deployment; a token authorizer's
    test_token (dev only; elsewhere APIBUILDER_TEST_TOKEN_<AUTHORIZER>) and a
    request authorizer's test_identity from routes.yaml; secrets the env
    references are stored on the local stack with -secret or -secrets-file;
    Cognito routes get an unsigned token on the local stack (it does not
    verify signatures) and need APIBUILDER_TEST_TOKEN_<AUTHORIZER> on AWS;
    IAM routes are signed with the credentials of the target. A check that
    cannot run says why (SKIP). The report ends with go test's summary line;
    the exit status is 1 when a check failed.

OPTIONS
`

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apibuilder test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "routes.yaml", "routes file")
	env := fs.String("env", "dev", "environment to deploy and check")
	onAWS := fs.Bool("aws", false, "deploy to AWS (standard credential chain) instead of the local stack, then destroy")
	var secrets localcli.SecretFlag
	fs.Var(&secrets, "secret", "`reference=value`: a secret the env references, stored on the local stack before apply (repeatable)")
	secretsFile := fs.String("secrets-file", "", "file of reference=value lines, stored like -secret")
	fs.Usage = func() {
		fmt.Fprint(stderr, testManual)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "apibuilder test: unexpected argument (see -h)")
		return 2
	}
	if *secretsFile != "" {
		more, err := localcli.ReadSecretsFile(*secretsFile)
		if err != nil {
			fmt.Fprintln(stderr, "apibuilder test: -secrets-file:", err)
			return 2
		}
		secrets = append(secrets, more...)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	run := TestLocal
	if *onAWS {
		run = TestAWS
	}
	res, err := run(ctx, TestOptions{Config: *cfg, Env: *env, Out: stdout, Secrets: secrets})
	if err != nil {
		var de *generate.Diagnostics
		if errors.As(err, &de) {
			fmt.Fprintln(stderr, err)
		} else {
			fmt.Fprintln(stderr, "apibuilder test:", err)
		}
		return 1
	}
	if !res.OK() {
		return 1
	}
	return 0
}

// TestOptions configure a test run.
type TestOptions struct {
	Config, Env string
	Out         io.Writer // the report, and progress lines
	// FunctionLogs gets the handlers' output (default: a temporary file,
	// named in the report on failure).
	FunctionLogs io.Writer
	// Secrets the env references, stored on the local stack before apply.
	Secrets []stack.Secret
}

// TestLocal deploys the project on a local stack and runs every check.
func TestLocal(ctx context.Context, opt TestOptions) (apitest.Result, error) {
	if opt.Env == "" {
		opt.Env = "dev"
	}
	fnLog := opt.FunctionLogs
	var fnFile *os.File
	if fnLog == nil {
		f, err := os.CreateTemp("", "apibuilder-test-functions-*.log")
		if err != nil {
			return apitest.Result{}, err
		}
		defer f.Close()
		fnFile, fnLog = f, f
	}
	s, err := session.Start(ctx, session.Options{Config: opt.Config, Env: opt.Env, Out: opt.Out, FunctionLogs: fnLog, Secrets: opt.Secrets})
	if err != nil {
		return apitest.Result{}, err
	}
	defer s.Close()
	defer os.Remove(filepath.Join(s.Workspace.Dir, limitsFile))
	target := apitest.Target{
		Name: fmt.Sprintf("%s (env %s, local stack)", s.Result.API.Name, opt.Env), URL: s.URL,
		Keys: s.Outputs.APIKeyValues, Functions: s.Outputs.FunctionNames, Local: true, Region: stack.Region, Env: opt.Env,
		Credentials: s.Stack.AWSConfig().Credentials, Invocations: s.Runner.Invocations,
		Replan: changes(s.Workspace), Limit: limiter(s.Workspace),
	}
	res := apitest.Run(ctx, s.Result, target, opt.Out)
	if !res.OK() && fnFile != nil {
		fmt.Fprintf(opt.Out, "(the functions' output: %s)\n", fnFile.Name())
	}
	return res, nil
}

// TestAWS deploys a copy of the environment to the AWS account of the
// standard credential chain under a unique API name, runs every check, and
// destroys it.
func TestAWS(ctx context.Context, opt TestOptions) (apitest.Result, error) {
	if opt.Env == "" {
		opt.Env = "dev"
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return apitest.Result{}, fmt.Errorf("AWS configuration: %w", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return apitest.Result{}, fmt.Errorf("no AWS credentials in the standard chain (environment, profile, SSO, role): %w", err)
	}
	tf, err := terraformOnPath()
	if err != nil {
		return apitest.Result{}, err
	}
	res, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, Log: opt.Out})
	if err != nil {
		return apitest.Result{}, err
	}
	const workDir = "build/test/envs"
	if _, err := generate.Run(ctx, generate.Options{Config: opt.Config, Envs: []string{opt.Env}, NoBuild: true, OutDir: workDir}); err != nil {
		return apitest.Result{}, err
	}
	dir := filepath.Join(res.Root, filepath.FromSlash(path.Join(workDir, opt.Env)))
	override := "# Written by apibuilder test: the test deployment keeps its state here.\nterraform {\n  backend \"local\" {}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "local_override.tf"), []byte(override), 0o644); err != nil {
		return apitest.Result{}, err
	}
	ws, err := tfdriver.New(dir, tf, map[string]string{"CHECKPOINT_DISABLE": "1"}, io.Discard)
	if err != nil {
		return apitest.Result{}, err
	}
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	name := res.API.Name + "-t" + hex.EncodeToString(suffix)
	ws.Vars["api_name"] = name
	fmt.Fprintf(opt.Out, "==> terraform apply of env %s to AWS as %s\n", opt.Env, name)
	if err := ws.Init(ctx, nil); err != nil {
		return apitest.Result{}, err
	}
	defer func() {
		fmt.Fprintf(opt.Out, "==> terraform destroy of %s\n", name)
		if err := ws.Destroy(context.Background()); err != nil {
			fmt.Fprintf(opt.Out, "DESTROY FAILED: %v\n(state: %s; run terraform destroy there)\n", err, dir)
		}
	}()
	if err := ws.Apply(ctx); err != nil {
		return apitest.Result{}, err
	}
	out, err := ws.Outputs(ctx)
	if err != nil {
		return apitest.Result{}, err
	}
	target := apitest.Target{
		Name: fmt.Sprintf("%s (env %s, AWS %s)", res.API.Name, opt.Env, cfg.Region), URL: out.InvokeURL,
		Keys: out.APIKeyValues, Functions: out.FunctionNames, Region: cfg.Region, Credentials: cfg.Credentials, Env: opt.Env,
		Replan: changes(ws), Limit: limiter(ws), Patience: 2 * time.Minute,
	}
	return apitest.Run(ctx, res, target, opt.Out), nil
}

// changes lists what a plan of ws would change.
func changes(ws *tfdriver.Workspace) func(context.Context) ([]string, error) {
	return func(ctx context.Context) ([]string, error) {
		plan, _, err := ws.PlanJSON(ctx)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, rc := range plan.ResourceChanges {
			if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
				out = append(out, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
			}
		}
		return out, nil
	}
}

// limitsFile overrides the usage plans for the 429 checks; Terraform reads
// *.auto.tfvars.json after terraform.tfvars, so it wins.
const limitsFile = "zz_apibuilder_test.auto.tfvars.json"

// limiter re-applies ws with some usage plans' limits replaced.
func limiter(ws *tfdriver.Workspace) func(context.Context, map[string]apitest.Limits) error {
	return func(ctx context.Context, limits map[string]apitest.Limits) error {
		plans, err := usagePlans(filepath.Join(ws.Dir, "terraform.tfvars"))
		if err != nil {
			return err
		}
		for name, l := range limits {
			p, ok := plans[name].(map[string]any)
			if !ok {
				return fmt.Errorf("no usage plan %s in terraform.tfvars", name)
			}
			p["throttle"], p["quota"] = nil, nil
			if l.BurstLimit > 0 {
				p["throttle"] = map[string]any{"rate_limit": l.RateLimit, "burst_limit": l.BurstLimit}
			}
			if l.QuotaLimit > 0 {
				p["quota"] = map[string]any{"limit": l.QuotaLimit, "period": l.QuotaPeriod}
			}
		}
		data, err := json.MarshalIndent(map[string]any{"usage_plans": plans}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(ws.Dir, limitsFile), data, 0o644); err != nil {
			return err
		}
		return ws.Apply(ctx)
	}
}

// usagePlans reads the usage_plans value of a generated terraform.tfvars.
func usagePlans(tfvars string) (map[string]any, error) {
	src, err := os.ReadFile(tfvars)
	if err != nil {
		return nil, err
	}
	f, diags := hclsyntax.ParseConfig(src, tfvars, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	attr, ok := f.Body.(*hclsyntax.Body).Attributes["usage_plans"]
	if !ok {
		return nil, fmt.Errorf("%s sets no usage_plans", tfvars)
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	data, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, err
	}
	var plans map[string]any
	return plans, json.Unmarshal(data, &plans)
}
