package tfdriver

import (
	"context"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
)

// Changes lists what a plan changes, one "<address>: <actions>" per
// resource (no-ops and reads left out).
func Changes(plan *tfjson.Plan) []string {
	var out []string
	for _, rc := range plan.ResourceChanges {
		if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			out = append(out, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
		}
	}
	return out
}

// Replan lists what a plan of the workspace would change now: empty when
// the deployment is what the configuration says.
func (w *Workspace) Replan(ctx context.Context) ([]string, error) {
	plan, _, err := w.PlanJSON(ctx)
	if err != nil {
		return nil, err
	}
	return Changes(plan), nil
}
