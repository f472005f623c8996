package tfdriver_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// terraformOnPath is the terraform these tests run with: one already on
// PATH (they install nothing). Their configurations use only Terraform's
// built-in provider, so nothing is downloaded either.
func terraformOnPath(t *testing.T) string {
	t.Helper()
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform on PATH: this test runs an existing terraform and installs none")
	}
	return tf
}

// builtinWorkspace writes main.tf (a backend the test cannot reach,
// overridden by LocalBackend, and one terraform_data) into a temp dir.
func builtinWorkspace(t *testing.T, mainTF string) *tfdriver.Workspace {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := tfdriver.LocalBackend(dir, "tfdriver's test"); err != nil {
		t.Fatal(err)
	}
	ws, err := tfdriver.New(dir, terraformOnPath(t), map[string]string{"TF_CLI_CONFIG_FILE": "", "CHECKPOINT_DISABLE": "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Init(context.Background(), nil); err != nil {
		t.Fatalf("init with the backend overridden by %s: %v", tfdriver.LocalOverride, err)
	}
	return ws
}

// TestPlanReviewApplyAppliesWhatWasApproved: a refused plan applies
// nothing; an approved one applies exactly the changes shown; an empty
// plan asks nothing.
func TestPlanReviewApplyAppliesWhatWasApproved(t *testing.T) {
	ctx := context.Background()
	ws := builtinWorkspace(t, `terraform {
  backend "s3" {
    bucket = "unreachable"
    key    = "state"
    region = "us-east-1"
  }
}

resource "terraform_data" "x" {
  input = "one"
}
`)
	var shown []string
	_, applied, err := ws.PlanReviewApply(ctx, func(plan *tfjson.Plan) bool { shown = tfdriver.Changes(plan); return false })
	if !errors.Is(err, tfdriver.ErrNotApproved) || applied {
		t.Fatalf("refused plan: applied %v, err %v; want ErrNotApproved", applied, err)
	}
	if n, err := ws.ResourceCount(ctx); err != nil || n != 0 {
		t.Fatalf("after a refused plan the state holds %d resources (%v), want 0", n, err)
	}
	if want := []string{"terraform_data.x: [create]"}; !slices.Equal(shown, want) {
		t.Errorf("changes shown for approval = %q, want %q", shown, want)
	}

	_, applied, err = ws.PlanReviewApply(ctx, func(*tfjson.Plan) bool { return true })
	if err != nil || !applied {
		t.Fatalf("approved plan: applied %v, err %v", applied, err)
	}
	if n, err := ws.ResourceCount(ctx); err != nil || n != 1 {
		t.Fatalf("after the approved plan the state holds %d resources (%v), want 1", n, err)
	}
	if _, err := os.Stat(filepath.Join(ws.Dir, "terraform.tfstate")); err != nil {
		t.Errorf("the state is not local (%s keeps it there): %v", tfdriver.LocalOverride, err)
	}

	asked := false
	_, applied, err = ws.PlanReviewApply(ctx, func(*tfjson.Plan) bool { asked = true; return true })
	if err != nil || applied || asked {
		t.Errorf("empty plan: applied %v, asked %v, err %v; want nothing applied, nothing asked", applied, asked, err)
	}
	if changes, err := ws.Replan(ctx); err != nil || len(changes) != 0 {
		t.Errorf("Replan after the apply = %q, %v; want none", changes, err)
	}
}
