package test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/apibuilder/apibuilder/pipeline"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// TestPreviewDeployAnswersAndLeavesNothing deploys a pull request's preview
// of the example's dev environment as the generated workflow does (`deploy
// -env dev -preview pr-12 -out FILE`, then `-plan FILE`), calls it over
// HTTP through the data plane, tears it down (`-preview pr-12 -destroy`)
// and lists every kind of resource on the emulators: nothing of the
// preview is left, and the environment itself was never touched.
func TestPreviewDeployAnswersAndLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys a preview on the local stack; run without -short")
	}
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	// Every name is "<api>-<env>-<preview>-...", the names bootstrap's
	// preview role may manage.
	const preview, prefix = "pr-12", "items-dev-pr-12"
	stepSummary := filepath.Join(t.TempDir(), "step-summary.md")

	opt := pipeline.Options{
		Config: filepath.Join(project, "routes.yaml"), Env: "dev", Preview: preview,
		Workspace: func(dir string, log io.Writer) (*tfdriver.Workspace, error) {
			ws, err := tfdriver.New(dir, tg.terraform, tg.tfEnv, failureLog(t, "terraform-preview"))
			if err != nil {
				return nil, err
			}
			ws.ProviderVersion = tg.providerVersion
			return ws, nil
		},
		APIGateway: tg.APIGateway(),
		// Not CI (the state is local here), and a job summary to write.
		Getenv: func(k string) string {
			if k == "GITHUB_STEP_SUMMARY" {
				return stepSummary
			}
			return ""
		},
		Log: failureLog(t, "pipeline"),
	}

	// The merge job: plan into a file, with its summary.
	planFile := filepath.Join(t.TempDir(), "dev.tfplan")
	planned := opt
	planned.Out, planned.Summary = planFile, filepath.Join(t.TempDir(), "plan.md")
	res, err := pipeline.Deploy(ctx, planned)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || res.Summary.Add < 20 || res.Summary.Change != 0 || res.Summary.Destroy != 0 {
		t.Fatalf("plan -out: applied %v, %d/%d/%d to add/change/destroy; want only creations, nothing applied", res.Applied, res.Summary.Add, res.Summary.Change, res.Summary.Destroy)
	}
	for _, f := range []string{stepSummary, planned.Summary} {
		md, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(md), "to add, 0 to change, 0 to destroy") || !strings.Contains(string(md), "module.route_create_item") {
			t.Errorf("plan summary %s: %v\n%s", f, err, md)
		}
	}
	if _, err := os.Stat(filepath.Join(project, "envs")); !os.IsNotExist(err) {
		t.Errorf("the preview wrote envs/ (stat: %v)", err)
	}

	// A generated file edited after the plan: the saved plan is refused.
	tfvars := filepath.Join(res.Dir, "terraform.tfvars")
	orig, err := os.ReadFile(tfvars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tfvars, append(orig, "# edited after the plan\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	applied := opt
	applied.Plan = planFile
	applied.Preview = ""
	if _, err := pipeline.Deploy(ctx, applied); err == nil || !strings.Contains(err.Error(), "terraform.tfvars (changed)") {
		t.Fatalf("apply of a saved plan after an edit: err = %v, want a refusal naming terraform.tfvars", err)
	}
	if err := os.WriteFile(tfvars, orig, 0o644); err != nil {
		t.Fatal(err)
	}

	// The apply job: exactly the saved plan.
	res, err = pipeline.Deploy(ctx, applied)
	if err != nil {
		t.Fatal(err)
	}
	out := res.Outputs
	if got := out.FunctionNames["create_item"]; got != prefix+"-create_item" {
		t.Errorf("create_item's function is %q, want %q", got, prefix+"-create_item")
	}
	rest, err := tg.APIGateway().GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(out.RestAPIID)})
	if err != nil || aws.ToString(rest.Name) != prefix || out.StageName != "dev" {
		t.Errorf("the preview's REST API: %v, %v, stage %q; want its own, named %s, stage dev", rest, err, out.StageName, prefix)
	}

	// It answers through the data plane.
	api := tg.serve(t, project, out, handlers(t, project, out))
	api.expect(t, http.StatusCreated, http.MethodPost, "/items", `{"id":"p1","name":"preview item","price":1}`,
		map[string]string{"x-api-key": out.APIKeyValues["key"], "Content-Type": "application/json"})
	api.expect(t, http.StatusOK, http.MethodGet, "/items/p1", "", nil)

	// Every name carries the preview's: the function, its role, the table.
	fn := out.FunctionNames["get_item"]
	if _, err := tg.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn)}); err != nil || !strings.HasPrefix(fn, prefix+"-") {
		t.Errorf("function %s: %v", fn, err)
	}
	if _, err := tg.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(fn)}); err != nil {
		t.Errorf("role %s: %v", fn, err)
	}
	if table := out.TableNames["items"]; table != prefix+"-items" {
		t.Errorf("table %q, want %s-items", table, prefix)
	}
	previews, err := pipeline.ListPreviews(ctx, opt)
	if err != nil || len(previews) != 1 || previews[0].Name != preview {
		t.Errorf("ListPreviews = %v, %v; want %s", previews, err, preview)
	}

	// Pull request closed: teardown.
	down := opt
	down.Destroy = true
	if _, err := pipeline.Deploy(ctx, down); err != nil {
		t.Fatal(err)
	}
	if left := tg.leftovers(t, prefix); len(left) > 0 {
		t.Errorf("after the preview's teardown the emulators still list:\n%s", strings.Join(left, "\n"))
	}
	if left := tg.leftovers(t, "items-"); len(left) > 0 {
		t.Errorf("something of the project is left (the environment itself was never deployed): %v", left)
	}
	if _, err := os.Stat(filepath.Join(project, "build", "preview", preview)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the preview's directory (its state) is left: %v", err)
	}
	if previews, err := pipeline.ListPreviews(ctx, opt); err != nil || len(previews) != 0 {
		t.Errorf("ListPreviews after teardown = %v, %v; want none", previews, err)
	}
}
