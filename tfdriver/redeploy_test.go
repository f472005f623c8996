package tfdriver_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/apibuilder/apibuilder/local/apigwproxy"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

// TestApplyRedeploysAfterRemovingAPath removes a path from an applied API
// on the local stack (whose proxy snapshots every deployment, as AWS
// does): Terraform itself deletes the path's method only after the
// stage's new deployment exists, so that deployment still holds it; the
// workspace's apply sees the deletion come last and replaces the
// deployment, so the stage's deployment no longer has the path.
func TestApplyRedeploysAfterRemovingAPath(t *testing.T) {
	if testing.Short() {
		t.Skip("applies on the local stack")
	}
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "redeploy", "main.tf"))
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
	ws.Vars["paths"] = `["kept","gone"]`
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ws.Redeployed) != 0 {
		t.Errorf("the first apply redeployed for %v; it deleted nothing", ws.Redeployed)
	}
	out, err := ws.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api := st.APIGateway()
	// served lists the paths of the stage's deployment, as the data plane reads them.
	served := func() []string {
		t.Helper()
		stage, err := api.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &out.RestAPIID, StageName: aws.String("dev")})
		if err != nil {
			t.Fatal(err)
		}
		res, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &out.RestAPIID}, func(o *apigateway.Options) {
			o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(apigwproxy.SnapshotHeader, aws.ToString(stage.DeploymentId)))
		})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, r := range res.Items {
			paths = append(paths, aws.ToString(r.Path))
		}
		slices.Sort(paths)
		return paths
	}
	if got := served(); !slices.Equal(got, []string{"/", "/gone", "/kept"}) {
		t.Fatalf("served after the first apply: %v", got)
	}

	ws.Vars["paths"] = `["kept"]`
	if err := ws.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ws.Redeployed, `aws_api_gateway_method.path["gone"]`) {
		t.Errorf("the apply that removed /gone redeployed for %v; want it to have seen aws_api_gateway_method.path[\"gone\"] deleted after the new deployment", ws.Redeployed)
	}
	if got := served(); !slices.Equal(got, []string{"/", "/kept"}) {
		t.Errorf("served after removing /gone: %v; want [/ /kept] after one apply", got)
	}
	if changed, err := ws.Plan(ctx); err != nil || changed {
		t.Errorf("plan after the apply: changed=%v err=%v; want no changes", changed, err)
	}
}
