package test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apibuilder/apibuilder/local/dataplane"
	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	abtarget "github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// awsEnvVar switches the AWS variants of the tests on.
const awsEnvVar = "APIBUILDER_E2E_AWS"

// target is where a test deploys: a private local stack (moto + kumo) or a
// real AWS account, an abtarget.Account (the one model of "local or AWS",
// shared with apibuilder test). Tests reach AWS only through their target
// (Terraform's environment, SDK clients, the stage's URL) so one test body
// serves both. The lower-case fields name the account's for the tests.
type target struct {
	*abtarget.Account        // SDK clients of the target's account
	region            string // where Terraform deploys and the clients call
	terraform         string // terraform binary
	// providerVersion is the hashicorp/aws version of the toolchain's mirror.
	providerVersion string
	tfEnv           map[string]string // environment of every terraform run ("" unsets)
	stack           *stack.Stack      // nil on AWS
	// patience bounds the retries of HTTP checks: AWS needs time before a
	// new deployment or API key is served; the local data plane does not.
	patience time.Duration
}

func onAccount(a *abtarget.Account) *target {
	return &target{
		Account: a, region: a.Region, terraform: a.Terraform, providerVersion: a.ProviderVersion,
		tfEnv: a.TFEnv, stack: a.Stack, patience: a.Patience,
	}
}

// localTarget starts a private local stack for one test.
func localTarget(t *testing.T) *target {
	t.Helper()
	st := stacktest.Start(t, stack.Options{Logs: failureLog(t, "emulators"), Progress: os.Stderr})
	// The stack's account gets its API Gateway CloudWatch role first, as an
	// AWS account needs before any stage may log (TestAccountBootstrap
	// applies envs/_account instead).
	if _, err := st.BootstrapAccount(context.Background()); err != nil {
		t.Fatal(err)
	}
	return onAccount(abtarget.OnStack(st))
}

// awsTarget is the real account of the standard credential chain. It skips
// the test unless APIBUILDER_E2E_AWS=1 and credentials are present.
func awsTarget(t *testing.T) *target {
	t.Helper()
	if os.Getenv(awsEnvVar) != "1" {
		t.Skipf("real AWS: set %s=1 with AWS credentials (environment, profile or SSO; AWS_REGION picks the region, default us-east-1) to run this against a real account whose API Gateway settings name a CloudWatch role (apply envs/_account once); it creates, then destroys, resources named <sk|lc><random id>-dev-*", awsEnvVar)
	}
	tc := toolchain(t)
	// The toolchain's terraform and provider mirror; the account drops
	// emulator endpoints left in the caller's environment.
	a, err := abtarget.AWSAccount(context.Background(), abtarget.AWSOptions{Terraform: tc.Terraform, ProviderVersion: tc.ProviderVersion, TFEnv: tc.Env()})
	if err != nil {
		t.Skipf("real AWS: %s=1 but %v", awsEnvVar, err)
	}
	return onAccount(a)
}

// workspace drives one generated env on this target through terraform-exec
// (tfdriver): init, apply, plans decoded as JSON, typed outputs,
// destroy. The region is the target's, so that Terraform and the SDK
// clients agree.
func (tg *target) workspace(t *testing.T, envDir, apiName string) *tfdriver.Workspace {
	t.Helper()
	ws, err := tg.Workspace(envDir, failureLog(t, "terraform-"+filepath.Base(envDir)))
	if err != nil {
		t.Fatal(err)
	}
	ws.Vars["api_name"] = apiName
	ws.Vars["region"] = tg.region
	return ws
}

// applyEnv inits and applies ws, and destroys it when the test ends (after
// the test's functions and data plane stop, before its stack does).
func applyEnv(t *testing.T, ws *tfdriver.Workspace) {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { destroy(t, ws) })
	must(t, ws.Init(ctx, nil))
	must(t, ws.Apply(ctx))
}

// destroy destroys what ws applied.
func destroy(t *testing.T, ws *tfdriver.Workspace) {
	t.Helper()
	if err := ws.Destroy(context.Background()); err != nil {
		t.Error(err)
	}
}

// must stops the test at a Terraform error (its output is in the
// workspace's log, printed when the test fails).
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (tg *target) local() bool { return tg.Local() }

// outputs reads the env's outputs, sensitive ones included.
func (tg *target) outputs(t *testing.T, ws *tfdriver.Workspace) *tfdriver.Outputs {
	t.Helper()
	out, err := ws.Outputs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// stage is a deployed stage that a test calls over HTTP. On the local stack
// the functions run as local processes (local/runner) and our data plane
// serves the stage; on AWS it is the stage's real invoke URL.
type stage struct {
	tg      *target
	base    string // invoke URL, without a trailing slash
	project string
	runners []*runner.Runner
}

// serve makes the stage of an applied env callable and starts the handlers
// of functions (deployed function name -> handler dir in project).
func (tg *target) serve(t *testing.T, project string, out *tfdriver.Outputs, functions map[string]string) *stage {
	t.Helper()
	s := &stage{tg: tg, project: project, base: strings.TrimSuffix(out.InvokeURL, "/")}
	if !tg.local() {
		return s
	}
	plane := httptest.NewServer(dataplane.New(dataplane.Config{APIGateway: tg.APIGateway(), Lambda: tg.Lambda()}))
	t.Cleanup(plane.Close)
	s.base = dataplane.InvokeURL(plane.URL, out.RestAPIID, out.StageName)
	s.run(t, functions)
	return s
}

// run starts the handlers of functions that were deployed after serve
// (function name -> handler dir). On AWS, Lambda runs them.
func (s *stage) run(t *testing.T, functions map[string]string) {
	t.Helper()
	if !s.tg.local() || len(functions) == 0 {
		return
	}
	var fns []runner.Function
	for name, dir := range functions {
		fns = append(fns, runner.Function{Name: name, SourceDir: filepath.Join(s.project, dir)})
	}
	run, err := runner.Start(context.Background(), runner.Config{
		Lambda: s.tg.Lambda(), KumoURL: s.tg.stack.Endpoints.Kumo, ModuleRoot: s.project,
		ExtraEnv: s.tg.stack.AWSEnv(), Logs: failureLog(t, "functions"),
	}, fns)
	if err != nil {
		t.Fatalf("start functions: %v", err)
	}
	t.Cleanup(run.Stop)
	s.runners = append(s.runners, run)
}

// invocations is how many invocations a function has received; ok is false
// where the test cannot count them (AWS reports them minutes later).
func (s *stage) invocations(fn string) (n int, ok bool) {
	for _, r := range s.runners {
		n += r.Invocations(fn)
	}
	return n, s.tg.local()
}

// expect calls the stage until it answers want (http_helper-style retries,
// bounded by the target's patience) and returns the last response.
func (s *stage) expect(t *testing.T, want int, method, path, body string, headers map[string]string) response {
	t.Helper()
	deadline := time.Now().Add(s.tg.patience)
	for {
		resp := request(t, method, s.base+path, body, headers)
		if resp.StatusCode == want || time.Now().After(deadline) {
			if resp.StatusCode != want {
				t.Errorf("%s %s = %d %s, want %d", method, path, resp.StatusCode, resp.body, want)
			}
			return resp
		}
		time.Sleep(time.Second)
	}
}

// handlers maps each deployed function (routes and Lambda authorizers) to its
// handler directory: the env's function_sources output, checked against the
// routes file the env was generated from so that a generator bug cannot
// start the wrong handler unnoticed.
func handlers(t *testing.T, project string, out *tfdriver.Outputs) map[string]string {
	t.Helper()
	byRoute := map[string]string{}
	for _, r := range readRoutes(t, project).Routes {
		byRoute[r.Name] = r.Handler
	}
	for route, fn := range out.FunctionNames {
		want, ok := byRoute[route]
		if !ok {
			t.Fatalf("function %s: route %s is not in routes.yaml", fn, route)
		}
		if got := out.FunctionSources[fn]; got != want {
			t.Fatalf("function_sources[%s] = %q, want the handler of route %s in routes.yaml, %q", fn, got, route, want)
		}
	}
	if len(out.FunctionSources) <= len(out.FunctionNames) {
		t.Fatalf("function_sources has %d functions, want the %d routes' and the Lambda authorizer's", len(out.FunctionSources), len(out.FunctionNames))
	}
	return out.FunctionSources
}

// resourceKinds are the kinds leftovers reports, each "<kind> <name>".
var resourceKinds = []string{"restapi", "apikey", "usageplan", "function", "role", "loggroup", "table", "bucket"}

// leftovers lists, through the APIs, every resource whose name starts with
// apiName (every generated name does: <api>-<env>-...): REST APIs, API keys
// and usage plans, functions, roles, log groups, tables and buckets.
func (tg *target) leftovers(t *testing.T, apiName string) []string {
	t.Helper()
	ctx := context.Background()
	var left []string
	found := func(kind, name string) {
		if strings.HasPrefix(name, apiName) || strings.Contains(name, "/"+apiName+"-") {
			left = append(left, kind+" "+name)
		}
	}
	check := func(kind string, err error) {
		if err != nil {
			t.Errorf("list %s: %v", kind, err)
		}
	}

	gw := tg.APIGateway()
	apis := apigateway.NewGetRestApisPaginator(gw, &apigateway.GetRestApisInput{})
	for apis.HasMorePages() {
		page, err := apis.NextPage(ctx)
		check("REST APIs", err)
		if err != nil {
			break
		}
		for _, a := range page.Items {
			found("restapi", aws.ToString(a.Name))
		}
	}
	keys, err := gw.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String(apiName)})
	check("API keys", err)
	if err == nil {
		for _, k := range keys.Items {
			found("apikey", aws.ToString(k.Name))
		}
	}
	plans, err := gw.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{})
	check("usage plans", err)
	if err == nil {
		for _, p := range plans.Items {
			found("usageplan", aws.ToString(p.Name))
		}
	}

	fns := lambda.NewListFunctionsPaginator(tg.Lambda(), &lambda.ListFunctionsInput{})
	for fns.HasMorePages() {
		page, err := fns.NextPage(ctx)
		check("functions", err)
		if err != nil {
			break
		}
		for _, f := range page.Functions {
			found("function", aws.ToString(f.FunctionName))
		}
	}

	roles := iam.NewListRolesPaginator(tg.IAM(), &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		check("roles", err)
		if err != nil {
			break
		}
		for _, r := range page.Roles {
			found("role", aws.ToString(r.RoleName))
		}
	}

	for _, prefix := range []string{"/aws/lambda/" + apiName, "/aws/apigateway/" + apiName} {
		groups := cloudwatchlogs.NewDescribeLogGroupsPaginator(tg.Logs(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix)})
		for groups.HasMorePages() {
			page, err := groups.NextPage(ctx)
			check("log groups", err)
			if err != nil {
				break
			}
			for _, g := range page.LogGroups {
				found("loggroup", aws.ToString(g.LogGroupName))
			}
		}
	}

	tables := dynamodb.NewListTablesPaginator(tg.DynamoDB(), &dynamodb.ListTablesInput{})
	for tables.HasMorePages() {
		page, err := tables.NextPage(ctx)
		check("tables", err)
		if err != nil {
			break
		}
		for _, name := range page.TableNames {
			found("table", name)
		}
	}

	buckets, err := tg.S3().ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String(apiName)})
	check("buckets", err)
	if err == nil {
		for _, b := range buckets.Buckets {
			found("bucket", aws.ToString(b.Name))
		}
	}
	return left
}

// notFound reports whether err is an AWS "does not exist" answer.
func notFound(err error) bool {
	if err == nil {
		return false
	}
	var code interface{ ErrorCode() string }
	if errors.As(err, &code) {
		switch code.ErrorCode() {
		case "ResourceNotFoundException", "NotFoundException", "NoSuchEntity", "NoSuchBucket", "NotFound":
			return true
		}
	}
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && status.HTTPStatusCode() == http.StatusNotFound
}

// mustNotExist fails unless err says the named resource is gone.
func mustNotExist(t *testing.T, what string, err error) {
	t.Helper()
	if !notFound(err) {
		t.Errorf("%s: want it gone (not found), got %v", what, fmtErr(err))
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "no error: it still exists"
	}
	return fmt.Sprint(err)
}
