package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// assertDriftNamesAConsoleEdit runs the built apibuilder drift on an
// applied env (TestOnePlainApply's, so the suite applies the example once
// for both): no drift right after the apply (exit 0). Then, as someone in
// the console would, it points GET /items/{id} at another function
// directly through the emulator's API Gateway API and deploys that to the
// stage. terraform plan cannot see it (the provider never reads the REST
// API's body back); drift must name exactly the changed integration
// (exit 1).
func assertDriftNamesAConsoleEdit(t *testing.T, tg *target, project string, out *tfdriver.Outputs) {
	t.Helper()
	ctx := context.Background()
	drift := func(want int) string {
		t.Helper()
		cmd := exec.Command(apibuilderBinary(t), "drift", "-env", "dev")
		cmd.Dir = project
		// The stack's endpoints and credentials, as a pipeline run against
		// it sets them, and the terraform that applied the state first on
		// PATH (drift reads the outputs with the terraform on PATH).
		env := map[string]string{}
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
		for k, v := range tg.tfEnv {
			env[k] = v
		}
		env["PATH"] = filepath.Dir(tg.terraform) + string(os.PathListSeparator) + env["PATH"]
		env["GITHUB_STEP_SUMMARY"] = ""
		for k, v := range env {
			if v != "" {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
		}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("apibuilder drift: %v", err)
		}
		if code != want {
			t.Fatalf("apibuilder drift -env dev: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, want, stdout.String(), tail(stderr.String(), 6000))
		}
		return stdout.String()
	}

	if got := drift(0); got != "no drift\n" {
		t.Fatalf("drift right after the apply:\n%s", got)
	}

	// The console's edit: GET /items/{id} calls list_items' function now,
	// deployed to the stage.
	api := tg.APIGateway()
	resources, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(out.RestAPIID), Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	var item string
	for _, r := range resources.Items {
		if aws.ToString(r.Path) == "/items/{id}" {
			item = aws.ToString(r.Id)
		}
	}
	if item == "" {
		t.Fatalf("no resource /items/{id} in REST API %s", out.RestAPIID)
	}
	integ, err := api.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: aws.String(out.RestAPIID), ResourceId: aws.String(item), HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	was := aws.ToString(integ.Uri)
	getItem, listItems := out.FunctionNames["get_item"], out.FunctionNames["list_items"]
	now := strings.Replace(was, ":function:"+getItem+"/", ":function:"+listItems+"/", 1)
	if getItem == "" || listItems == "" || now == was {
		t.Fatalf("cannot point %s (get_item: %q) at list_items' function %q", was, getItem, listItems)
	}
	if _, err := api.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{
		RestApiId: aws.String(out.RestAPIID), ResourceId: aws.String(item), HttpMethod: aws.String("GET"),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/uri"), Value: aws.String(now)}},
	}); err != nil {
		t.Fatal(err)
	}
	dep, err := api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(out.RestAPIID), Description: aws.String("a console edit")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.UpdateStage(ctx, &apigateway.UpdateStageInput{
		RestApiId: aws.String(out.RestAPIID), StageName: aws.String(out.StageName),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: dep.Id}},
	}); err != nil {
		t.Fatal(err)
	}

	want := "GET /items/{id}: integration uri is " + now + ", the document says " + was + "\n"
	if got := drift(1); got != want {
		t.Errorf("drift after the console edit:\n%s\nwant:\n%s", got, want)
	}
}
