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
// Lambda invoke permission is scoped to its own route's method and path
// (as the API's document, the REST API's body, defines the route), or, for
// a Lambda authorizer's function, to the API's authorizers.
func assertLeastPrivilege(t *testing.T, plan *tfjson.Plan) {
	t.Helper()
	if plan.PriorState == nil || plan.PriorState.Values == nil {
		t.Fatal("plan has no prior state to inspect")
	}
	all := resources(plan.PriorState.Values.RootModule)
	executionARN := ""
	var doc struct {
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			SecuritySchemes map[string]struct {
				Authorizer struct {
					URI string `json:"authorizerUri"`
				} `json:"x-amazon-apigateway-authorizer"`
			} `json:"securitySchemes"`
		}
	}
	for _, r := range all {
		if r.Type == "aws_api_gateway_rest_api" {
			executionARN = r.AttributeValues["execution_arn"].(string)
			if err := json.Unmarshal([]byte(r.AttributeValues["body"].(string)), &doc); err != nil {
				t.Fatalf("the REST API's body is not the API's document: %v", err)
			}
		}
	}
	// Each route's method ("*" for ANY, which is every method) and path.
	routes := map[string][2]string{} // module address -> method, path
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Route string `json:"x-apibuilder-route"`
			}
			if json.Unmarshal(raw, &op) != nil || op.Route == "" {
				continue
			}
			mod, m := "module.route_"+op.Route, strings.ToUpper(method)
			if prev, ok := routes[mod]; ok && prev[0] != m {
				m = "*"
			}
			routes[mod] = [2]string{m, path}
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
				// API Gateway assigns the authorizer's id when it imports the
				// document, so the permission names this API's authorizers.
				fn, used := r.AttributeValues["function_name"].(string), false
				for _, sc := range doc.Components.SecuritySchemes {
					used = used || strings.Contains(sc.Authorizer.URI, ":function:"+fn+"/")
				}
				if want := executionARN + "/authorizers/*"; !used || got != want {
					t.Errorf("%s source_arn = %q, want %q, for a function the document's authorizers use (used: %v)", r.Address, got, want, used)
				}
				continue
			}
			route, ok := routes[r.module]
			if !ok {
				t.Errorf("%s: no operation of its own route in the API's document", r.Address)
				continue
			}
			want := executionARN + "/*/" + route[0] + paramSegment.ReplaceAllString(route[1], "*")
			if got := r.AttributeValues["source_arn"].(string); got != want {
				t.Errorf("%s source_arn = %q, want %q (its own method and path only)", r.Address, got, want)
			}
		}
	}
	if policies == 0 || permissions == 0 {
		t.Fatalf("found %d role policies and %d lambda permissions; want some of each", policies, permissions)
	}
}
