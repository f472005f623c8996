package test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// resource is a state resource with the address of its module.
type resource struct {
	module string
	*tfjson.StateResource
}

// resources lists every resource of a state, child modules included.
func resources(m *tfjson.StateModule) []resource {
	if m == nil {
		return nil
	}
	var out []resource
	for _, r := range m.Resources {
		out = append(out, resource{m.Address, r})
	}
	for _, c := range m.ChildModules {
		out = append(out, resources(c)...)
	}
	return out
}

type policyDoc struct {
	Statement []struct {
		Sid      string
		Effect   string
		Action   stringOrList
		Resource stringOrList
	}
}

type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	err := json.Unmarshal(b, &many)
	*s = many
	return err
}

var paramSegment = regexp.MustCompile(`\{[^/]+\}`)

// assertLeastPrivilege checks, from the prior state of a plan, that no IAM
// statement grants a wildcard data action or resource, and that every
// Lambda invoke permission is scoped to its own route's method and path.
func assertLeastPrivilege(t *testing.T, plan *tfjson.Plan) {
	t.Helper()
	if plan.PriorState == nil || plan.PriorState.Values == nil {
		t.Fatal("plan has no prior state to inspect")
	}
	all := resources(plan.PriorState.Values.RootModule)
	paths := map[string]string{} // API Gateway resource id -> path
	executionARN := ""
	for _, r := range all {
		switch r.Type {
		case "aws_api_gateway_resource":
			paths[r.AttributeValues["id"].(string)] = r.AttributeValues["path"].(string)
		case "aws_api_gateway_rest_api":
			paths[r.AttributeValues["root_resource_id"].(string)] = "/"
			executionARN = r.AttributeValues["execution_arn"].(string)
		}
	}
	policies, permissions := 0, 0
	for _, r := range all {
		switch r.Type {
		case "aws_iam_role_policy":
			policies++
			var doc policyDoc
			if err := json.Unmarshal([]byte(r.AttributeValues["policy"].(string)), &doc); err != nil {
				t.Fatalf("%s: policy is not JSON: %v", r.Address, err)
			}
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("%s statement %s grants wildcard action %q", r.Address, st.Sid, a)
					}
					if !strings.HasPrefix(a, "dynamodb:") {
						continue
					}
					for _, res := range st.Resource {
						if res == "*" || !strings.Contains(res, ":table/") {
							t.Errorf("%s statement %s grants %s on %q, not on a table", r.Address, st.Sid, a, res)
						}
					}
				}
			}
		case "aws_lambda_permission":
			permissions++
			if got := r.AttributeValues["source_arn"].(string); strings.Contains(got, "/authorizers/") {
				// A Lambda authorizer's function: API Gateway may invoke it for
				// the authorizer that uses it, and for nothing else.
				fn, want := r.AttributeValues["function_name"].(string), ""
				for _, a := range all {
					if a.Type == "aws_api_gateway_authorizer" && strings.Contains(a.AttributeValues["authorizer_uri"].(string), ":function:"+fn+"/") {
						want = executionARN + "/authorizers/" + a.AttributeValues["id"].(string)
					}
				}
				if want == "" || got != want {
					t.Errorf("%s source_arn = %q, want %q (its own authorizer only)", r.Address, got, want)
				}
				continue
			}
			mod := r.module
			var method, resourceID string
			for _, m := range all {
				if m.Type == "aws_api_gateway_method" && m.module == mod {
					method, resourceID = m.AttributeValues["http_method"].(string), m.AttributeValues["resource_id"].(string)
				}
			}
			path, ok := paths[resourceID]
			if method == "" || !ok {
				t.Errorf("%s: no method of its own route found in %s", r.Address, mod)
				continue
			}
			want := executionARN + "/*/" + method + paramSegment.ReplaceAllString(path, "*")
			if got := r.AttributeValues["source_arn"].(string); got != want {
				t.Errorf("%s source_arn = %q, want %q (its own method and path only)", r.Address, got, want)
			}
		}
	}
	if policies == 0 || permissions == 0 {
		t.Fatalf("found %d role policies and %d lambda permissions; want some of each", policies, permissions)
	}
}
