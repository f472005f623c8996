package test

import (
	"context"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// indexActions are the DynamoDB actions that also read a table's indexes,
// so the generator grants them on <table ARN>/index/<name> of each index the
// table declares as well (never index/*).
var indexActions = map[string]bool{"Query": true, "Scan": true, "PartiQLSelect": true}

// assertRolePolicies reads every function's role back through IAM and
// checks that it allows exactly what routes.yaml declares for the route —
// its DynamoDB actions on its own table's ARN (and the table's indexes for
// reads that use them) — plus writing to the function's own log group, and
// nothing else: one inline policy, no managed policies, no wildcard action.
// A Lambda authorizer's function may only write its logs.
func assertRolePolicies(t *testing.T, tg *target, project string, out *tfdriver.Outputs) {
	t.Helper()
	ctx := context.Background()
	tableARN := map[string]string{}
	for table, name := range out.TableNames {
		d, err := tg.DynamoDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatalf("describe table %s: %v", name, err)
		}
		tableARN[table] = aws.ToString(d.Table.TableArn)
	}
	routes := readRoutes(t, project)
	want := map[string]grants{} // function name -> what its role may do
	for fn := range out.FunctionSources {
		want[fn] = grants{}
	}
	for _, route := range routes.Routes {
		fn, ok := out.FunctionNames[route.Name]
		if !ok {
			t.Errorf("route %s has no deployed function", route.Name)
			continue
		}
		for _, p := range route.Permissions {
			for _, a := range p.Actions {
				a = strings.TrimPrefix(a, "dynamodb:")
				want[fn].add("dynamodb:"+a, tableARN[p.Table])
				if indexActions[a] {
					for index := range routes.Tables[p.Table].Indexes {
						want[fn].add("dynamodb:"+a, tableARN[p.Table]+"/index/"+index)
					}
				}
			}
		}
	}
	checked := 0
	for fn, want := range want {
		groups, err := tg.Logs().DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/" + fn)})
		if err != nil || len(groups.LogGroups) != 1 {
			t.Fatalf("log group of %s: %v %v", fn, groups, err)
		}
		groupARN := strings.TrimSuffix(aws.ToString(groups.LogGroups[0].Arn), ":*")
		want.add("logs:CreateLogStream", groupARN+":*")
		want.add("logs:PutLogEvents", groupARN+":*")

		conf, err := tg.Lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
		if err != nil {
			t.Fatalf("function %s: %v", fn, err)
		}
		role := aws.ToString(conf.Role)
		role = role[strings.LastIndex(role, "/")+1:]
		got := rolePolicy(t, tg, role)
		if g, w := got.String(), want.String(); g != w {
			t.Errorf("role %s of %s allows\n%s\nwant exactly\n%s", role, fn, g, w)
		}
		checked++
	}
	if checked != len(out.FunctionSources) || checked <= len(out.FunctionNames) {
		t.Fatalf("checked %d roles, want one per function: %d routes and the Lambda authorizer", checked, len(out.FunctionNames))
	}
}

// grants maps an allowed action to the resources it is allowed on.
type grants map[string]map[string]bool

func (g grants) add(action, resource string) {
	if g[action] == nil {
		g[action] = map[string]bool{}
	}
	g[action][resource] = true
}

// String lists "action on resource" lines, sorted, for comparison and messages.
func (g grants) String() string {
	var lines []string
	for a, rs := range g {
		for r := range rs {
			lines = append(lines, "  "+a+" on "+r)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// rolePolicy reads a role's only inline policy and returns what it allows.
// Wildcard actions, statements other than Allow and managed policies are errors.
func rolePolicy(t *testing.T, tg *target, role string) grants {
	t.Helper()
	ctx := context.Background()
	names, err := tg.IAM().ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("list policies of role %s: %v", role, err)
	}
	if len(names.PolicyNames) != 1 {
		t.Fatalf("role %s has inline policies %v, want exactly one", role, names.PolicyNames)
	}
	attached, err := tg.IAM().ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("list attached policies of role %s: %v", role, err)
	}
	for _, p := range attached.AttachedPolicies {
		t.Errorf("role %s has managed policy %s attached; want only its inline policy", role, aws.ToString(p.PolicyArn))
	}
	p, err := tg.IAM().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(names.PolicyNames[0])})
	if err != nil {
		t.Fatalf("get policy %s of role %s: %v", names.PolicyNames[0], role, err)
	}
	// IAM returns the document URL-encoded (RFC 3986).
	text := aws.ToString(p.PolicyDocument)
	if decoded, err := url.QueryUnescape(text); err == nil && !strings.HasPrefix(strings.TrimSpace(text), "{") {
		text = decoded
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("policy of role %s is not JSON: %v\n%s", role, err, text)
	}
	g := grants{}
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			t.Errorf("role %s statement %s has effect %q; want only Allow statements", role, st.Sid, st.Effect)
			continue
		}
		for _, a := range st.Action {
			if strings.Contains(a, "*") {
				t.Errorf("role %s statement %s allows wildcard action %q", role, st.Sid, a)
			}
			for _, r := range st.Resource {
				g.add(a, r)
			}
		}
	}
	return g
}
