package test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// TestOnePlainApply is a team that runs its own Terraform (Atlantis, HCP
// Terraform, a pipeline of its own) on the generated env: one edit of
// routes.yaml removes a route, moves another to a new path and changes a
// third one's validation, and a plain `terraform apply` through
// terraform-exec, with no apibuilder step before or after it, is all that
// runs. The stage then serves exactly the new routes.yaml — the removed
// route and the old path answer API Gateway's Missing Authentication
// Token, the moved route answers at its new path, the new validation
// refuses what it should — and the next plan is empty. On the same
// deployment, apibuilder drift then names a console edit that plan cannot
// see (drift_test.go).
func TestOnePlainApply(t *testing.T) {
	if testing.Short() {
		t.Skip("applies on the local stack; skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	editRoutes(t, project, "\nenvironments:\n", lookupRoute+"\nenvironments:\n")
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	apiName := "pa" + strings.ToLower(random.UniqueId())
	ws := tg.workspace(t, envDir, apiName)
	applyEnv(t, ws)
	out := tg.outputs(t, ws)
	api := tg.serve(t, project, out, handlers(t, project, out))

	key := map[string]string{"x-api-key": out.APIKeyValues["key"], "Content-Type": "application/json"}
	id := "pa-" + strings.ToLower(random.UniqueId())
	api.expect(t, http.StatusCreated, http.MethodPost, "/items", fmt.Sprintf(`{"id":%q,"name":"plain apply"}`, id), key)
	api.expect(t, http.StatusOK, http.MethodGet, "/lookup/"+id, "", nil)
	api.expect(t, http.StatusOK, http.MethodGet, "/items", "", nil)
	api.expect(t, http.StatusUnauthorized, http.MethodDelete, "/items/"+id, "", nil) // the admin authorizer's route

	// One edit: delete_item removed, lookup_item moved, list_items now
	// requires the limit query string (the params validator).
	editRoutes(t, project, deleteItemRoute, "")
	editRoutes(t, project, "    path: /lookup/{id}\n", "    path: /found/{id}\n")
	editRoutes(t, project, "    response: { schema: schemas/item_list.json }\n", "    request: { query: [limit] }\n    response: { schema: schemas/item_list.json }\n")
	generate(t, project)

	tf, err := tfdriver.Terraform(envDir, tg.terraform, tg.tfEnv, failureLog(t, "plain-terraform"))
	must(t, err)
	vars := []string{"api_name=" + apiName, "region=" + tg.region}
	applyOpts := []tfexec.ApplyOption{}
	planOpts := []tfexec.PlanOption{}
	for _, v := range vars {
		applyOpts = append(applyOpts, tfexec.Var(v))
		planOpts = append(planOpts, tfexec.Var(v))
	}
	must(t, tf.Init(ctx)) // the removed route's module call is gone
	must(t, tf.Apply(ctx, applyOpts...))

	got := api.expect(t, http.StatusForbidden, http.MethodDelete, "/items/"+id, "", nil)
	if !strings.Contains(got.body, "Missing Authentication Token") {
		t.Errorf("DELETE /items/%s after removing its route = %s, want API Gateway's Missing Authentication Token", id, got.body)
	}
	if got := api.expect(t, http.StatusOK, http.MethodGet, "/found/"+id, "", nil); !strings.Contains(got.body, id) {
		t.Errorf("GET /found/%s after the move = %s, want the item", id, got.body)
	}
	if got := api.expect(t, http.StatusForbidden, http.MethodGet, "/lookup/"+id, "", nil); !strings.Contains(got.body, "Missing Authentication Token") {
		t.Errorf("GET /lookup/%s after moving the route away = %s, want API Gateway's Missing Authentication Token", id, got.body)
	}
	if got := api.expect(t, http.StatusBadRequest, http.MethodGet, "/items", "", nil); !strings.Contains(got.body, "Missing required request parameters: [limit]") {
		t.Errorf("GET /items without limit after the validator change = %s, want API Gateway's missing parameter answer", got.body)
	}
	api.expect(t, http.StatusOK, http.MethodGet, "/items?limit=5", "", nil)
	api.expect(t, http.StatusOK, http.MethodGet, "/items/"+id, "", nil)

	changed, err := tf.Plan(ctx, planOpts...)
	must(t, err)
	if changed {
		t.Error("the plan after one plain apply has changes; want none")
	}

	t.Run("drift names a method changed behind Terraform", func(t *testing.T) {
		assertDriftNamesAConsoleEdit(t, tg, project, tg.outputs(t, ws))
	})
}

// deleteItemRoute is delete_item in the example's routes.yaml.
const deleteItemRoute = `  - name: delete_item
    method: DELETE
    path: /items/{id}
    handler: functions/delete_item
    request: { example_params: { id: "1" } }
    environment: { TABLE_NAME: "${table.items.name}" }
    permissions: [{ table: items, actions: [DeleteItem] }]
    auth: admin
`
