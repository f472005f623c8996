package target

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Limits are a usage plan's throttle and quota (zero: none).
type Limits struct {
	RateLimit   float64
	BurstLimit  int
	QuotaLimit  int
	QuotaPeriod string
}

// Limit re-applies the environment with some usage plans' limits replaced
// (plan name -> limits); the other plans keep the env's values. The
// override is a -var of the workspace (it wins over terraform.tfvars), so
// no file is left in the environment's directory.
func (t *Target) Limit(ctx context.Context, limits map[string]Limits) error {
	v, err := usagePlansVar(filepath.Join(t.Workspace.Dir, "terraform.tfvars"), limits)
	if err != nil {
		return err
	}
	t.Workspace.Vars["usage_plans"] = v
	return t.Workspace.Apply(ctx)
}

// usagePlansVar is the value of usage_plans in tfvars with the limits
// given, as a -var value (JSON is an HCL expression).
func usagePlansVar(tfvars string, limits map[string]Limits) (string, error) {
	plans, err := usagePlans(tfvars)
	if err != nil {
		return "", err
	}
	for name, l := range limits {
		p, ok := plans[name].(map[string]any)
		if !ok {
			return "", fmt.Errorf("%s: no usage plan %s in usage_plans", tfvars, name)
		}
		p["throttle"], p["quota"] = nil, nil
		if l.BurstLimit > 0 {
			p["throttle"] = map[string]any{"rate_limit": l.RateLimit, "burst_limit": l.BurstLimit}
		}
		if l.QuotaLimit > 0 {
			p["quota"] = map[string]any{"limit": l.QuotaLimit, "period": l.QuotaPeriod}
		}
	}
	data, err := json.Marshal(plans)
	return string(data), err
}

// usagePlans reads the usage_plans value of a generated terraform.tfvars.
func usagePlans(tfvars string) (map[string]any, error) {
	src, err := os.ReadFile(tfvars)
	if err != nil {
		return nil, err
	}
	f, diags := hclsyntax.ParseConfig(src, tfvars, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	attr, ok := f.Body.(*hclsyntax.Body).Attributes["usage_plans"]
	if !ok {
		return nil, fmt.Errorf("%s sets no usage_plans", tfvars)
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return nil, diags
	}
	data, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, err
	}
	var plans map[string]any
	return plans, json.Unmarshal(data, &plans)
}
