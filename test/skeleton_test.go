package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	http_helper "github.com/gruntwork-io/terratest/modules/http-helper"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/apibuilder/apibuilder/local/dataplane"
	"github.com/apibuilder/apibuilder/local/deploy"
	"github.com/apibuilder/apibuilder/local/runner"
)

// TestWalkingSkeleton is the thinnest complete path: routes.yaml → generator
// → terraform apply of envs/dev on the local stack → functions running on
// kumo's Runtime API → HTTP through our execute-api data plane → DynamoDB,
// then a second plan that must be empty.
func TestWalkingSkeleton(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tc := ensureTools(t)
	project := copyProject(t)
	generate(t, project)

	stack := startStack(t, tc)
	envDir := filepath.Join(project, "envs", "dev")
	apiName := "sk" + strings.ToLower(random.UniqueId())
	opts := &terraform.Options{
		TerraformDir:    envDir,
		TerraformBinary: tc.Terraform,
		EnvVars:         terraformEnv(tc, stack),
		Vars:            map[string]any{"api_name": apiName},
		NoColor:         true,
	}
	defer terraform.Destroy(t, opts)
	terraform.InitAndApply(t, opts)

	apiID := terraform.Output(t, opts, "rest_api_id")
	stage := terraform.Output(t, opts, "stage_name")
	functions := terraform.OutputMap(t, opts, "function_names")
	tables := terraform.OutputMap(t, opts, "table_names")
	keys := terraform.OutputMap(t, opts, "api_key_values")
	if functions["create_item"] != apiName+"-dev-create_item" {
		t.Fatalf("function name of create_item = %q, want %q", functions["create_item"], apiName+"-dev-create_item")
	}

	// Run every deployed function's handler against kumo's Runtime API.
	var fns []runner.Function
	for route, name := range functions {
		fns = append(fns, runner.Function{Name: name, SourceDir: filepath.Join(project, "functions", route)})
	}
	run, err := runner.Start(ctx, runner.Config{
		Lambda: stack.Lambda(), KumoURL: stack.Kumo.URL, ModuleRoot: project,
		ExtraEnv: stack.Env(), Logs: failureLog(t, "functions"),
	}, fns)
	if err != nil {
		t.Fatalf("start functions: %v", err)
	}
	defer run.Stop()

	// Serve the deployed stage through our execute-api data plane.
	plane := httptest.NewServer(dataplane.New(dataplane.Config{APIGateway: stack.APIGateway(), Lambda: stack.Lambda()}))
	defer plane.Close()
	base := dataplane.InvokeURL(plane.URL, apiID, stage)

	id := "item-" + strings.ToLower(random.UniqueId())
	body := fmt.Sprintf(`{"id":%q,"name":"walking skeleton","price":3.5}`, id)
	status, respBody := do(t, http.MethodPost, base+"/items", body, map[string]string{"x-api-key": keys["key"], "Content-Type": "application/json"})
	if status != http.StatusCreated {
		t.Fatalf("POST /items = %d %s, want 201", status, respBody)
	}
	var created map[string]any
	if err := json.Unmarshal([]byte(respBody), &created); err != nil || created["id"] != id {
		t.Fatalf("POST /items body = %s, want the item with id %s", respBody, id)
	}

	http_helper.HttpGetWithRetryWithCustomValidation(t, base+"/items/"+id, nil, 5, time.Second, func(code int, body string) bool {
		var got map[string]any
		return code == http.StatusOK && json.Unmarshal([]byte(body), &got) == nil && got["id"] == id && got["name"] == "walking skeleton"
	})

	// The item is really in DynamoDB.
	item, err := stack.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(tables["items"]),
		Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if name, ok := item.Item["name"].(*ddbtypes.AttributeValueMemberS); !ok || name.Value != "walking skeleton" {
		t.Fatalf("DynamoDB item = %v, want name \"walking skeleton\"", item.Item)
	}

	// A second plan, through terraform-exec, must find nothing to do.
	ws, err := deploy.New(envDir, tc.Terraform, terraformEnv(tc, stack), failureLog(t, "replan"))
	if err != nil {
		t.Fatal(err)
	}
	ws.Vars["api_name"] = apiName
	plan, changed, err := ws.PlanJSON(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if changed {
		t.Fatal("second terraform plan reports changes; want none")
	}
	assertLeastPrivilege(t, plan)
}

// do sends one request and returns the status and body.
func do(t *testing.T, method, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, string(data)
}
