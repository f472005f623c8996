package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apibuilder/apibuilder/apitest"
	abtarget "github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/testkit"
)

// These tests use apibuilder as a team would: the generated end-to-end
// checks (apibuilder test) on the example and on the bookstore, a broken
// handler that they must catch, and new projects outside this repository
// driven only by the built apibuilder binary.

// TestGeneratedChecksPassOnTheExample: apibuilder test passes on the
// example API (items), every check generated from its routes.yaml.
func TestGeneratedChecksPassOnTheExample(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys on the local stack; run without -short")
	}
	project := copyProject(t)
	var report strings.Builder
	res, err := apitest.Test(context.Background(), apitest.Options{Options: abtarget.Options{
		Config: filepath.Join(project, "routes.yaml"), Out: &report, FunctionLogs: failureLog(t, "functions"),
	}})
	if err != nil {
		t.Fatalf("apibuilder test: %v\n%s", err, report.String())
	}
	if !res.OK() || res.Passed < 20 {
		t.Fatalf("apibuilder test on the example: %+v\n%s", res, report.String())
	}
	t.Logf("%+v", res)
}

// TestGeneratedChecksCatchBrokenHandlers: a handler that fails (500) and
// one that answers a body its response schema does not allow each fail
// apibuilder test, in a report that names the route and the check.
func TestGeneratedChecksCatchBrokenHandlers(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys on the local stack; run without -short")
	}
	project := copyProject(t)
	writeFile(t, project, "functions/get_item/main.go", brokenHandler("500", `{"message":"broken on purpose"}`))
	writeFile(t, project, "functions/list_items/main.go", brokenHandler("200", `{"items":"not a list"}`))
	var report strings.Builder
	res, err := apitest.Test(context.Background(), apitest.Options{Options: abtarget.Options{
		Config: filepath.Join(project, "routes.yaml"), Out: &report, FunctionLogs: failureLog(t, "functions"),
	}})
	if err != nil {
		t.Fatalf("apibuilder test: %v\n%s", err, report.String())
	}
	out := report.String()
	if res.OK() {
		t.Fatalf("apibuilder test passed with broken handlers:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: get_item/happy path", "want an answer of the function below 500, got 500",
		"--- FAIL: list_items/happy path", "the 200 answer does not match schemas/item_list.json",
		"--- PASS: create_item/happy path", "\nFAIL\nFAIL\titems (env dev, local stack)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// brokenHandler is a handler that answers status with body, whatever asked.
func brokenHandler(status, body string) string {
	return `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: ` + status + `, Body: ` + "`" + body + "`" + `}, nil
	})
}
`
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// apibuilderBinary builds cmd/apibuilder once per test binary, as
// `go install github.com/apibuilder/apibuilder/cmd/apibuilder` would.
func apibuilderBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "apibuilder-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "apibuilder")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/apibuilder")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = &buildError{err: err, out: string(out)}
		}
	})
	if binErr != nil {
		t.Fatalf("build apibuilder: %v", binErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// outside is a fresh directory outside this repository with nothing of it
// reachable: a team's machine.
func outside(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if rel, err := filepath.Rel(repoRoot(t), dir); err == nil && !strings.HasPrefix(rel, "..") {
		t.Fatalf("the temp dir %s is inside the repository", dir)
	}
	return dir
}

// runIn runs the apibuilder binary in dir and returns its output; it fails
// the test when the exit status is not want.
func runIn(t *testing.T, dir string, want int, args ...string) string {
	t.Helper()
	cmd := exec.Command(apibuilderBinary(t), args...)
	cmd.Dir = dir
	// No workspace file, module replacement or build cache path leads back
	// into this repository.
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("apibuilder %v: %v", args, err)
	}
	if code != want {
		t.Fatalf("apibuilder %s in %s: exit %d, want %d\n%s", strings.Join(args, " "), dir, code, want, tail(string(out), 6000))
	}
	return string(out)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// TestNewProjectOutsideTheRepository: from an empty directory outside this
// repository, with only the built apibuilder binary, init writes a project
// that runs on the local stack (every smoke call passes), whose generated
// env validates with no file of this repository reachable, and whose
// generated end-to-end checks pass.
func TestNewProjectOutsideTheRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys on the local stack; run without -short")
	}
	home := outside(t)
	out := runIn(t, home, 0, "init", "shop")
	if !strings.Contains(out, "wrote routes.yaml") || !strings.Contains(out, "generated envs/dev, envs/prod") {
		t.Fatalf("init:\n%s", out)
	}
	shop := filepath.Join(home, "shop")
	out = runIn(t, shop, 0, "local", "up", "-exit-after-smoke")
	for _, want := range []string{"POST    /items                           201 ok", "GET     /items/1                         200 ok", "Try:"} {
		if !strings.Contains(out, want) {
			t.Errorf("local up lacks %q:\n%s", want, tail(out, 4000))
		}
	}

	// The generated env resolves its modules from the project alone.
	tc := toolchain(t)
	for _, args := range [][]string{{"init", "-backend=false", "-input=false"}, {"validate"}} {
		cmd := exec.Command(tc.Terraform, append([]string{"-chdir=envs/dev"}, args...)...)
		cmd.Dir = shop
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+tc.CLIConfig, "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	modules, err := os.ReadFile(filepath.Join(shop, "envs", "dev", ".terraform", "modules", "modules.json"))
	if err != nil || strings.Contains(string(modules), repoRoot(t)) || !strings.Contains(string(modules), ".apibuilder/modules/") {
		t.Errorf("the env's modules do not come from the project's .apibuilder/modules (%v):\n%s", err, modules)
	}

	out = runIn(t, shop, 0, "test")
	if !strings.Contains(out, "\nPASS\nok  \tshop (env dev, local stack)") {
		t.Errorf("apibuilder test:\n%s", tail(out, 4000))
	}
}

// TestBookstoreOutsideTheRepository: a second project, written by hand
// (several handlers, nested paths, an API key with a quota, request,
// Cognito and IAM authorizers, {proxy+}, ANY, an index, schemas with
// constraints), copied outside this repository, runs on the local stack and
// passes apibuilder test with no test code of its own.
func TestBookstoreOutsideTheRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys on the local stack; run without -short")
	}
	project := filepath.Join(outside(t), "bookstore")
	if err := testkit.CopyTree(filepath.Join(repoRoot(t), "examples", "bookstore"), project, func(rel string, d os.DirEntry) bool {
		return d.Name() == "build" || d.Name() == ".terraform"
	}); err != nil {
		t.Fatal(err)
	}
	out := runIn(t, project, 0, "local", "up", "-exit-after-smoke")
	if strings.Contains(out, "skipped:") {
		t.Errorf("local up skipped a route:\n%s", tail(out, 4000))
	}
	out = runIn(t, project, 0, "test")
	for _, want := range []string{
		"--- PASS: books_by_author/missing required header X-Request-Id", "--- PASS: put_file/happy path",
		"--- PASS: ops/unsigned request", "--- PASS: add_book/usage plan partner quota (429 Limit Exceeded)",
		"--- PASS: books_by_author/denied identity", "\nPASS\nok  \tbookstore (env dev, local stack)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apibuilder test lacks %q:\n%s", want, tail(out, 6000))
		}
	}
}
