package test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/random"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// lookupRoute is the route the lifecycle adds: a second route on the
// get_item handler, under its own path.
const lookupRoute = `
  - name: lookup_item
    method: GET
    path: /lookup/{id}
    handler: functions/get_item
    response: { schema: schemas/item.json }
    environment: { TABLE_NAME: "${table.items.name}" }
    permissions: [{ table: items, actions: [GetItem] }]
`

// TestLifecycle takes one env through what a team does to an API over
// time — apply, re-plan, change a route's memory, add a route, rename it,
// move it to another path, remove it, destroy — and checks each step
// through the AWS APIs, the plan and the served stage, not the HCL. After
// the first apply each step is a stage (runStage): replan, memory,
// add_route, rename, move, remove, destroy; SKIP_<stage>=1 skips one, and
// rename, move and remove need add_route.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	testLifecycle(t, localTarget(t))
}

func testLifecycle(t *testing.T, tg *target) {
	ctx := context.Background()
	project := copyProject(t)
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	apiName := "lc" + strings.ToLower(random.UniqueId())
	ws := tg.workspace(t, envDir, apiName)
	destroyed := false
	t.Cleanup(func() {
		if !destroyed {
			destroy(t, ws)
		}
	})

	// 1. Apply; every role allows exactly what routes.yaml declares.
	must(t, ws.Init(ctx, nil))
	must(t, ws.Apply(ctx))
	out := tg.outputs(t, ws)
	assertRolePolicies(t, tg, project, out)
	api := tg.serve(t, project, out, handlers(t, project, out))
	key := map[string]string{"x-api-key": out.APIKeyValues["key"], "Content-Type": "application/json"}
	id := "lc-" + strings.ToLower(random.UniqueId())
	api.expect(t, http.StatusCreated, http.MethodPost, "/items", fmt.Sprintf(`{"id":%q,"name":"lifecycle","price":1}`, id), key)

	// 2. A second plan has nothing to do.
	runStage(t, "replan", func() {
		if _, changed, err := ws.PlanJSON(ctx); err != nil || changed {
			t.Fatalf("second plan: changed=%v err=%v; want no changes", changed, err)
		}
	})

	// 3. One route's memory: the plan updates that function in place and
	// nothing else; the apply changes only it.
	runStage(t, "memory", func() {
		before := lastModified(t, tg, out.FunctionNames)
		editRoutes(t, project, "  - name: get_item\n", "  - name: get_item\n    memory_mb: 256\n")
		generate(t, project)
		plan, planFile := planToFile(t, ws)
		getFn := "module.route_get_item.aws_lambda_function.this"
		if got, want := changes(plan), fmt.Sprintf("%s: [update]", getFn); got != want {
			t.Errorf("plan after a memory change:\n%s\nwant exactly\n%s", got, want)
		}
		must(t, ws.ApplyPlan(ctx, planFile))
		conf, err := tg.Lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(out.FunctionNames["get_item"])})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToInt32(conf.MemorySize); got != 256 {
			t.Errorf("get_item memory after apply = %d MB, want 256", got)
		}
		after := lastModified(t, tg, out.FunctionNames)
		for route, fn := range out.FunctionNames {
			if route != "get_item" && after[fn] != before[fn] {
				t.Errorf("%s was modified (LastModified %s -> %s) by a memory change of get_item", fn, before[fn], after[fn])
			}
		}
	})

	// The route the next stages add, rename, move and remove.
	var (
		lookupFn             string // its function (it keeps its name through the rename)
		resID                string // its API Gateway resource
		routeName, routePath = "lookup_item", "/lookup/{id}"
	)
	// 4. A new route: its function, method and integration exist, its role
	// allows what it declares, the stage moved to a new deployment, and the
	// route answers.
	addRouteRan := runStage(t, "add_route", func() {
		editRoutes(t, project, "\nenvironments:\n", lookupRoute+"\nenvironments:\n")
		generate(t, project)
		must(t, ws.Init(ctx, nil)) // a new module call
		plan, planFile := planToFile(t, ws)
		assertUntouched(t, plan, "module.route_create_item.", "module.route_get_item.", "module.route_list_items.", "module.route_delete_item.", "aws_dynamodb_table.")
		must(t, ws.ApplyPlan(ctx, planFile))
		added := tg.outputs(t, ws)
		lookupFn = added.FunctionNames["lookup_item"]
		if lookupFn != apiName+"-dev-lookup_item" {
			t.Fatalf("function of the new route = %q, want %s-dev-lookup_item", lookupFn, apiName)
		}
		if _, err := tg.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(lookupFn)}); err != nil {
			t.Errorf("function of the new route: %v", err)
		}
		resID = resourceID(t, tg, out.RestAPIID, "/lookup/{id}")
		if _, err := tg.APIGateway().GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: aws.String(out.RestAPIID), ResourceId: aws.String(resID), HttpMethod: aws.String("GET")}); err != nil {
			t.Errorf("method GET /lookup/{id}: %v", err)
		}
		integ, err := tg.APIGateway().GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: aws.String(out.RestAPIID), ResourceId: aws.String(resID), HttpMethod: aws.String("GET")})
		if err != nil || !strings.Contains(aws.ToString(integ.Uri), ":function:"+lookupFn+"/") {
			t.Errorf("integration of GET /lookup/{id}: %v, want an AWS_PROXY integration of %s", err, lookupFn)
		}
		st, err := tg.APIGateway().GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(out.RestAPIID), StageName: aws.String(out.StageName)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(st.DeploymentId); got == out.DeploymentID || got != added.DeploymentID {
			t.Errorf("stage deployment after adding a route = %s; want a new one (was %s, terraform says %s)", got, out.DeploymentID, added.DeploymentID)
		}
		assertRolePolicies(t, tg, project, added)
		api.run(t, map[string]string{lookupFn: "functions/get_item"})
		if got := api.expect(t, http.StatusOK, http.MethodGet, "/lookup/"+id, "", nil); !strings.Contains(got.body, id) {
			t.Errorf("GET /lookup/%s = %s, want the item", id, got.body)
		}
	})

	// 5. Renamed (same method and path): the route keeps its deployed AWS
	// names and the plan only moves its state to the new address (no create
	// or destroy but the stage's next deployment); it applies, the route
	// still answers from the same function, and the next plan is empty.
	runStageAfter(t, "rename", map[string]bool{"add_route": addRouteRan}, func() {
		editRoutes(t, project, "  - name: lookup_item\n", "  - name: find_item\n")
		generate(t, project)
		must(t, ws.Init(ctx, nil))
		plan, planFile := planToFile(t, ws)
		assertRenamePlan(t, plan, "module.route_lookup_item.", "module.route_find_item.")
		must(t, ws.ApplyPlan(ctx, planFile))
		renamed := tg.outputs(t, ws)
		if got := renamed.FunctionNames["find_item"]; got != lookupFn {
			t.Errorf("function of the renamed route = %q, want the one it was deployed as, %s", got, lookupFn)
		}
		if got := api.expect(t, http.StatusOK, http.MethodGet, "/lookup/"+id, "", nil); !strings.Contains(got.body, id) {
			t.Errorf("GET /lookup/%s after the rename = %s, want the item", id, got.body)
		}
		if _, changed, err := ws.PlanJSON(ctx); err != nil || changed {
			t.Errorf("plan after applying the rename: changed=%v err=%v; want no changes", changed, err)
		}
		routeName = "find_item"
	})

	// 6. Moved to another path: after one apply the new path answers and
	// the old one is gone from the stage (AWS serves the deployment's
	// snapshot, taken after the document's import removed the old path).
	runStageAfter(t, "move", map[string]bool{"add_route": addRouteRan}, func() {
		editRoutes(t, project, "    path: /lookup/{id}\n", "    path: /found/{id}\n")
		generate(t, project)
		plan, planFile := planToFile(t, ws)
		assertUntouched(t, plan, "module.route_create_item.", "module.route_get_item.", "module.route_list_items.", "module.route_delete_item.", "aws_dynamodb_table.")
		must(t, ws.ApplyPlan(ctx, planFile))
		if got := api.expect(t, http.StatusOK, http.MethodGet, "/found/"+id, "", nil); !strings.Contains(got.body, id) {
			t.Errorf("GET /found/%s after the move = %s, want the item", id, got.body)
		}
		if got := api.expect(t, http.StatusForbidden, http.MethodGet, "/lookup/"+id, "", nil); !strings.Contains(got.body, "Missing Authentication Token") {
			t.Errorf("GET /lookup/%s after moving the route away = %s, want API Gateway's Missing Authentication Token", id, got.body)
		}
		resID = resourceID(t, tg, out.RestAPIID, "/found/{id}")
		routePath = "/found/{id}"
	})

	// 7. Removed: its function, role, log group and method are gone, and
	// the stage no longer serves it after one apply; the other routes
	// still answer.
	runStageAfter(t, "remove", map[string]bool{"add_route": addRouteRan}, func() {
		editRoutes(t, project, strings.Replace(strings.Replace(lookupRoute, "lookup_item", routeName, 1), "/lookup/{id}", routePath, 1), "")
		path := strings.Replace(routePath, "{id}", id, 1)
		generate(t, project)
		plan, planFile := planToFile(t, ws)
		assertUntouched(t, plan, "module.route_create_item.", "module.route_get_item.", "module.route_list_items.", "module.route_delete_item.", "aws_dynamodb_table.")
		must(t, ws.ApplyPlan(ctx, planFile))
		_, err := tg.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(lookupFn)})
		mustNotExist(t, "function "+lookupFn, err)
		_, err = tg.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(lookupFn)})
		mustNotExist(t, "role "+lookupFn, err)
		groups, err := tg.Logs().DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/" + lookupFn)})
		if err != nil || len(groups.LogGroups) != 0 {
			t.Errorf("log group of %s after removing its route: %v %v; want none", lookupFn, groups, err)
		}
		_, err = tg.APIGateway().GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: aws.String(out.RestAPIID), ResourceId: aws.String(resID), HttpMethod: aws.String("GET")})
		mustNotExist(t, "method GET "+routePath, err)
		if got := api.expect(t, http.StatusForbidden, http.MethodGet, path, "", nil); !strings.Contains(got.body, "Missing Authentication Token") {
			t.Errorf("GET %s after removing its route = %s, want API Gateway's Missing Authentication Token", path, got.body)
		}
		api.expect(t, http.StatusOK, http.MethodGet, "/items/"+id, "", nil)
	})

	// 8. Destroy leaves nothing of this API behind, by every API that lists.
	// The same listing first finds every kind while the API exists, so an
	// empty answer afterwards means gone, not unlisted.
	runStage(t, "destroy", func() {
		listed := map[string]bool{}
		for _, r := range tg.leftovers(t, apiName) {
			listed[strings.SplitN(r, " ", 2)[0]] = true
		}
		for _, kind := range resourceKinds {
			if !listed[kind] {
				t.Errorf("before destroy, no %s of %s is listed; the leftover check would not see one", kind, apiName)
			}
		}
		must(t, ws.Destroy(ctx))
		destroyed = true
		if left := tg.leftovers(t, apiName); len(left) > 0 {
			t.Errorf("after destroy, still there:\n  %s", strings.Join(left, "\n  "))
		}
	})
}

// planToFile plans into a file and returns the decoded plan and the file,
// which ApplyPlan applies exactly, so what is applied is what was inspected.
func planToFile(t *testing.T, ws *tfdriver.Workspace) (*tfjson.Plan, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tfplan")
	plan, _, err := ws.PlanFile(context.Background(), path)
	must(t, err)
	return plan, path
}

// changes lists a plan's resource changes that do something, one
// "address: [actions]" per line, sorted.
func changes(plan *tfjson.Plan) string {
	var lines []string
	for _, rc := range plan.ResourceChanges {
		if rc.Mode == tfjson.DataResourceMode || rc.Change.Actions.NoOp() {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// assertUntouched fails for any planned change to resources under prefixes.
func assertUntouched(t *testing.T, plan *tfjson.Plan, prefixes ...string) {
	t.Helper()
	for _, rc := range plan.ResourceChanges {
		for _, p := range prefixes {
			if strings.HasPrefix(rc.Address, p) && rc.Mode == tfjson.ManagedResourceMode && !rc.Change.Actions.NoOp() {
				t.Errorf("plan changes %s (%v); want it untouched", rc.Address, rc.Change.Actions)
			}
		}
	}
}

// assertRenamePlan checks a rename plan: every resource of the route is
// planned at its new module address with its state moved from the old one
// (nothing planned at the old address), none of them is created or
// destroyed (the route keeps its AWS names), and nothing outside the route
// is created or destroyed but the API's next deployment.
func assertRenamePlan(t *testing.T, plan *tfjson.Plan, from, to string) {
	t.Helper()
	moved := 0
	for _, rc := range plan.ResourceChanges {
		if rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		a := rc.Change.Actions
		replaced := a.Create() || a.Delete() || a.Replace()
		switch {
		case strings.HasPrefix(rc.Address, from):
			t.Errorf("rename plan: %s %v at the old address; want it moved to %s", rc.Address, a, to)
		case strings.HasPrefix(rc.Address, to):
			moved++
			if want := from + strings.TrimPrefix(rc.Address, to); rc.PreviousAddress != want {
				t.Errorf("rename plan: %s %v comes from %q; want its state moved from %s", rc.Address, a, rc.PreviousAddress, want)
			}
			if replaced {
				t.Errorf("rename plan: %s %v; want it kept (moved, at most updated in place)", rc.Address, a)
			}
		case replaced && !strings.HasPrefix(rc.Address, "module.api.aws_api_gateway_deployment."):
			t.Errorf("rename plan: %s %v outside the renamed route", rc.Address, a)
		}
	}
	if moved == 0 {
		t.Errorf("rename plan has nothing at %s; want the route's resources moved there from %s", to, from)
	}
	t.Logf("rename plan:\n%s", changes(plan))
}

// lastModified reads each function's LastModified through the Lambda API.
func lastModified(t *testing.T, tg *target, functionNames map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, fn := range functionNames {
		conf, err := tg.Lambda().GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
		if err != nil {
			t.Fatalf("function %s: %v", fn, err)
		}
		out[fn] = aws.ToString(conf.LastModified)
	}
	return out
}

// resourceID finds an API Gateway resource by path through the API.
func resourceID(t *testing.T, tg *target, apiID, path string) string {
	t.Helper()
	pages := apigateway.NewGetResourcesPaginator(tg.APIGateway(), &apigateway.GetResourcesInput{RestApiId: aws.String(apiID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("resources of %s: %v", apiID, err)
		}
		for _, r := range page.Items {
			if aws.ToString(r.Path) == path {
				return aws.ToString(r.Id)
			}
		}
	}
	t.Fatalf("API %s has no resource %s", apiID, path)
	return ""
}
