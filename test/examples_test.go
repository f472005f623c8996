package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/apibuilder/apibuilder/generator/packaging"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	"github.com/apibuilder/apibuilder/testkit"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// exampleFiles is the layout of every module example (terraform-aws-modules'
// layout): what a reader opens, in the order they read it.
var exampleFiles = []string{"README.md", "main.tf", "outputs.tf", "versions.tf"}

// copyModules copies modules/ into a temporary directory, so terraform init
// writes nothing into the checkout and the examples' relative module
// sources ("../../") still resolve.
func copyModules(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "modules")
	skip := func(_ string, d os.DirEntry) bool {
		return d.Name() == ".terraform" || strings.HasSuffix(d.Name(), ".tfstate")
	}
	if err := testkit.CopyTree(filepath.Join(repoRoot(t), "modules"), dst, skip); err != nil {
		t.Fatalf("copy modules: %v", err)
	}
	return dst
}

// TestModuleExamplesValidate runs terraform init -backend=false and
// terraform validate, with the real AWS provider, on every example under
// modules/*/examples/, and checks that each module has at least one
// example in the expected layout.
func TestModuleExamplesValidate(t *testing.T) {
	t.Parallel()
	tc := toolchain(t)
	modules := copyModules(t)

	dirs, err := filepath.Glob(filepath.Join(modules, "*", "examples", "*", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	perModule := map[string]int{}
	for _, mainTF := range dirs {
		dir := filepath.Dir(mainTF)
		rel, _ := filepath.Rel(modules, dir)
		perModule[strings.Split(rel, string(filepath.Separator))[0]]++
		t.Run(filepath.ToSlash(rel), func(t *testing.T) {
			for _, f := range exampleFiles {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("modules/%s: missing %s (every example has %s)", rel, f, strings.Join(exampleFiles, ", "))
				}
			}
			ws, err := tfdriver.New(dir, tc.Terraform, tc.Env(), failureLog(t, "terraform"))
			if err != nil {
				t.Fatal(err)
			}
			problems, err := ws.Validate(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("modules/%s: %s", rel, p)
			}
		})
	}
	entries, err := os.ReadDir(modules)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && perModule[e.Name()] == 0 {
			t.Errorf("modules/%s has no examples/<case>/main.tf: add a runnable minimal example", e.Name())
		}
	}
}

// TestModuleExampleAppliesLocally applies the example that wires both
// modules (one route behind the API) on the local stack (moto + kumo). The
// function package is built from the example's own handler, as the
// generator builds routes. It must apply with the method, integration and
// function in place, re-plan with no changes, and destroy. The API-only
// example is validated above; the route example exercises the same
// api_gateway code, so applying it too would only add Terraform runs.
func TestModuleExampleAppliesLocally(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("applies Terraform on the local stack; run without -short")
	}
	ctx := context.Background()
	modules := copyModules(t)
	st := stacktest.Start(t, stack.Options{Logs: failureLog(t, "emulators"), Progress: os.Stderr})

	zips, _, err := packaging.Build(ctx, []packaging.Function{{
		Name:      "hello",
		SourceDir: "modules/lambda_route/examples/minimal/handler",
	}}, packaging.Options{ModuleRoot: repoRoot(t), OutDir: t.TempDir()})
	if err != nil {
		t.Fatalf("package the example's handler: %v", err)
	}

	dir := filepath.Join(modules, "lambda_route", "examples", "minimal")
	ws, err := st.Workspace(dir, failureLog(t, "terraform"))
	if err != nil {
		t.Fatal(err)
	}
	ws.Vars["zip_path"] = zips[0].ZipPath
	if err := ws.Init(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := ws.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if out.RestAPIID == "" || !strings.HasSuffix(out.InvokeURL, "/dev") {
		t.Errorf("outputs rest_api_id=%q invoke_url=%q, want an API id and a URL of the dev stage", out.RestAPIID, out.InvokeURL)
	}

	api, fns := st.APIGateway(), st.Lambda()
	hello := exampleResources(t, api, out.RestAPIID)["/hello"]
	if got := hello.Methods; len(got) != 1 || got[0] != "GET" {
		t.Fatalf("/hello has methods %v, want GET", got)
	}
	const function = "apibuilder-example-hello"
	fn, err := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(function)})
	if err != nil {
		t.Fatalf("the route's function: %v", err)
	}
	if got := fn.Configuration.Environment.Variables["GREETING"]; got != "hello" {
		t.Errorf("function GREETING = %q, want hello", got)
	}
	integ, err := api.GetIntegration(ctx, &apigateway.GetIntegrationInput{
		RestApiId: aws.String(out.RestAPIID), ResourceId: aws.String(hello.ID), HttpMethod: aws.String("GET"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(integ.Type) != "AWS_PROXY" || !strings.Contains(aws.ToString(integ.Uri), aws.ToString(fn.Configuration.FunctionArn)) {
		t.Errorf("GET /hello integration = %s %s, want AWS_PROXY to %s", integ.Type, aws.ToString(integ.Uri), aws.ToString(fn.Configuration.FunctionArn))
	}

	if changed, err := ws.Plan(ctx); err != nil || changed {
		t.Errorf("re-plan after apply: changed=%v err=%v, want no changes", changed, err)
	}
	if err := ws.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(function)}); err == nil {
		t.Errorf("function %s still exists after destroy", function)
	}
	if _, err := api.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(out.RestAPIID)}); err == nil {
		t.Errorf("REST API %s still exists after destroy", out.RestAPIID)
	}
}

// exampleResource is one API Gateway resource of an applied example.
type exampleResource struct {
	ID      string
	Methods []string
}

// exampleResources reads every resource of an API with its HTTP methods, by path.
func exampleResources(t *testing.T, api *apigateway.Client, restAPIID string) map[string]exampleResource {
	t.Helper()
	res, err := api.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: aws.String(restAPIID), Embed: []string{"methods"}})
	if err != nil {
		t.Fatalf("resources of %s: %v", restAPIID, err)
	}
	out := map[string]exampleResource{}
	for _, r := range res.Items {
		er := exampleResource{ID: aws.ToString(r.Id)}
		for m := range r.ResourceMethods {
			er.Methods = append(er.Methods, m)
		}
		out[aws.ToString(r.Path)] = er
	}
	return out
}
