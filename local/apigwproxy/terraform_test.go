package apigwproxy_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

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
