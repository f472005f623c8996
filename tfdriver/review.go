package tfdriver

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	tfjson "github.com/hashicorp/terraform-json"
)

// ErrNotApproved is returned by PlanReviewApply when the plan was not approved.
var ErrNotApproved = errors.New("not applied: the plan was not approved")

// PlanReviewApply plans into a temporary plan file and, when the plan
// changes anything and approve (given the plan) says yes, applies exactly
// that plan: what was reviewed is what is applied. It returns the plan and
// whether it applied; nil approve applies without asking.
func (w *Workspace) PlanReviewApply(ctx context.Context, approve func(plan *tfjson.Plan) bool) (plan *tfjson.Plan, applied bool, err error) {
	tmp, err := os.MkdirTemp("", "apibuilder-plan-")
	if err != nil {
		return nil, false, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "plan.tfplan")
	if _, err := w.UpgradeToBodyMode(ctx); err != nil {
		return nil, false, err
	}
	plan, changed, err := w.PlanFile(ctx, file)
	if err != nil || !changed {
		return plan, false, err
	}
	if approve != nil && !approve(plan) {
		return plan, false, ErrNotApproved
	}
	return plan, true, w.ApplyPlan(ctx, file)
}
