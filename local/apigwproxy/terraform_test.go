package apigwproxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

// TestTerraformUpdatesInPlace applies testdata/inplace at version 1, then
// at version 2 — a plan of in-place updates only, each one through an API
// Gateway operation moto lacks or gets wrong — and re-plans: nothing may
// be left to change. Without the gap fills, the second apply hangs in the
// provider's retries of moto's 500s, hence the deadline.
func TestTerraformUpdatesInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st := stacktest.Start(t, stack.Options{Instrument: true})

	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "inplace", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := st.Workspace(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Init(ctx, nil); err != nil {
		t.Fatal(err)
	}
	ws.Vars["v"] = "1"
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}

	ws.Vars["v"] = "2"
	plan, _, err := ws.PlanJSON(ctx)
	if err != nil {
		t.Fatal(err)
	}
	updates := map[string]bool{}
	for _, rc := range plan.ResourceChanges {
		switch {
		case rc.Change.Actions.Update():
			updates[rc.Type] = true
		case !rc.Change.Actions.NoOp():
			t.Errorf("%s: %v, want an in-place update", rc.Address, rc.Change.Actions)
		}
	}
	for _, typ := range []string{
		"aws_api_gateway_rest_api", "aws_api_gateway_model", "aws_api_gateway_authorizer",
		"aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_method_response",
		"aws_api_gateway_gateway_response", "aws_api_gateway_usage_plan",
	} {
		if !updates[typ] {
			t.Errorf("version 2 does not update %s in place (updates: %v)", typ, updates)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if changed, err := ws.Plan(ctx); err != nil || changed {
		t.Fatalf("re-plan after the in-place updates: changed=%v err=%v, want no changes", changed, err)
	}
	calls := st.APIGatewayCalls()
	for _, op := range []string{
		"PATCH /restapis/{id}/resources/{id}/methods/{id}/integration",
		"PATCH /restapis/{id}/resources/{id}/methods/{id}",
		"PATCH /restapis/{id}/resources/{id}/methods/{id}/responses/{id}",
		"PATCH /restapis/{id}/models/{id}",
	} {
		if calls[op] == 0 {
			t.Errorf("no %s call reached the stack: %v", op, calls)
		}
	}
	if err := ws.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestTerraformBody applies testdata/import/terraform, a REST API defined
// by its OpenAPI body (CreateRestApi, PutRestApi overwrite, UpdateRestApi)
// with a deployment triggered by the body's hash and a stage, at version
// 1, then at version 2 that removes a method and a path: after that one
// apply the stage's export (its deployment) no longer has them, the kept
// resources keep their ids, and the next plan is empty.
func TestTerraformBody(t *testing.T) {
	if testing.Short() {
		t.Skip("runs terraform")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st := stacktest.Start(t, stack.Options{Instrument: true})

	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "import", "terraform", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := st.Workspace(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Init(ctx, nil); err != nil {
		t.Fatal(err)
	}
	c := st.APIGateway()
	stagePaths := func(api string) map[string][]string {
		t.Helper()
		out, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &api, StageName: aws.String("dev"), ExportType: aws.String("oas30"),
			Parameters: map[string]string{"extensions": "apigateway"}})
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]any `json:"paths"`
		}
		if err := json.Unmarshal(out.Body, &doc); err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for p, item := range doc.Paths {
			for verb := range item {
				got[p] = append(got[p], verb)
			}
			sort.Strings(got[p])
		}
		return got
	}

	ws.Vars["v"] = "1"
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	outs, err := ws.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api := outs.RestAPIID
	rest, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &api})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(rest.Name) != "body" || aws.ToString(rest.Description) != "A REST API defined by its OpenAPI body" {
		t.Errorf("name %q description %q: the provider's arguments win over info", aws.ToString(rest.Name), aws.ToString(rest.Description))
	}
	if got := fmt.Sprint(stagePaths(api)); got != "map[/health:[get] /items:[post] /items/{id}:[delete get]]" {
		t.Errorf("version 1 stage serves %s", got)
	}
	ids1 := pathIDs(t, c, api)

	ws.Vars["v"] = "2"
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(stagePaths(api)); got != "map[/items:[post] /items/{id}:[get]]" {
		t.Errorf("version 2 stage serves %s after one apply", got)
	}
	ids2 := pathIDs(t, c, api)
	for _, p := range []string{"/", "/items", "/items/{id}"} {
		if ids1[p] == "" || ids1[p] != ids2[p] {
			t.Errorf("%s: resource id %q then %q, want it kept", p, ids1[p], ids2[p])
		}
	}
	if _, ok := ids2["/health"]; ok {
		t.Errorf("/health still a resource: %v", ids2)
	}
	if changed, err := ws.Plan(ctx); err != nil || changed {
		t.Fatalf("re-plan after version 2: changed=%v err=%v, want no changes", changed, err)
	}
	if calls := st.APIGatewayCalls(); calls["PUT /restapis/{id}"] != 2 {
		t.Errorf("PutRestApi calls %d, want 2 (one per body): %v", calls["PUT /restapis/{id}"], calls)
	}
	if err := ws.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
}

func pathIDs(t *testing.T, c *apigateway.Client, api string) map[string]string {
	t.Helper()
	res, err := c.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: &api, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range res.Items {
		ids[aws.ToString(r.Path)] = aws.ToString(r.Id)
	}
	return ids
}
