package tfdriver

import (
	"context"
	"errors"
	"os"
	"path/filepath"
)

// ErrNotApproved is returned by PlanReviewApply when the plan was not approved.
var ErrNotApproved = errors.New("not applied: the plan was not approved")

// PlanReviewApply plans into a temporary plan file and, when the plan
// changes anything and approve (given the plan's changes, "<address>:
// <actions>") says yes, applies exactly that plan: what was reviewed is
// what is applied. It reports whether it applied; nil approve applies
// without asking.
func (w *Workspace) PlanReviewApply(ctx context.Context, approve func(changes []string) bool) (applied bool, err error) {
	tmp, err := os.MkdirTemp("", "apibuilder-plan-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "plan.tfplan")
	plan, changed, err := w.PlanFile(ctx, file)
	if err != nil || !changed {
		return false, err
	}
	if approve != nil && !approve(Changes(plan)) {
		return false, ErrNotApproved
	}
	return true, w.ApplyPlan(ctx, file)
}
