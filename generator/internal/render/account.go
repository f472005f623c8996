package render

import (
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// AccountDir is the directory (under the output directory) of the account
// bootstrap: the settings API Gateway keeps once per account and region,
// which no environment may own (two envs in one account would each point
// the setting at their own role, and destroying one would unset it for the
// other).
const AccountDir = "_account"

// AccountRoleName is the bootstrap's IAM role, one per region: a second
// project bootstrapping the same account and region fails on the name
// instead of taking the setting over silently.
const AccountRoleName = "apibuilder-apigateway-cloudwatch-"

// account renders the bootstrap root module (when api.cloudwatch_role is
// set): the role API Gateway writes CloudWatch logs with, and the account
// setting that names it. Files are keyed by slash path.
func account(m *model.Model, outDir string) map[string][]byte {
	dir := path.Join(outDir, AccountDir)
	regions := regionsOf(m)
	return map[string][]byte{
		path.Join(dir, "versions.tf"):  accountVersions(m),
		path.Join(dir, "variables.tf"): accountVariables(regions),
		path.Join(dir, "main.tf"):      accountMain(m, regions),
		path.Join(dir, "outputs.tf"):   accountOutputs(),
	}
}

// regionsOf lists the regions of the environments, in order, once each.
func regionsOf(m *model.Model) []string {
	var out []string
	for _, e := range m.Envs {
		if !slices.Contains(out, e.Region) {
			out = append(out, e.Region)
		}
	}
	if len(out) == 0 {
		out = []string{model.DefaultRegion}
	}
	return out
}

func accountVersions(m *model.Model) []byte {
	f := hclwrite.NewEmptyFile()
	terraformBlock(f.Body(), m.Backend, AccountDir+"/"+m.API.Name)
	f.Body().AppendNewline()
	p := f.Body().AppendNewBlock("provider", []string{"aws"}).Body()
	set(p, obj{{"region", expr("var.region")}})
	p.AppendNewline()
	dt := p.AppendNewBlock("default_tags", nil).Body()
	set(dt, obj{{"tags", obj{{"managed_by", "apibuilder"}}}})
	return finish(f, "# Credentials and endpoints come from the standard AWS chain (env, profile, SSO, role).\n")
}

func accountVariables(regions []string) []byte {
	f := hclwrite.NewEmptyFile()
	vb := f.Body().AppendNewBlock("variable", []string{"region"}).Body()
	set(vb, obj{
		{"description", "The region whose API Gateway account settings this sets; apply once per account and region the environments use (" + strings.Join(regions, ", ") + ")."},
		{"type", expr("string")},
		{"default", regions[0]},
	})
	return finish(f, "")
}

func accountMain(m *model.Model, regions []string) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	assume := body.AppendNewBlock("data", []string{"aws_iam_policy_document", "assume"}).Body()
	st := assume.AppendNewBlock("statement", nil).Body()
	set(st, obj{{"actions", []any{"sts:AssumeRole"}}})
	st.AppendNewline()
	set(st.AppendNewBlock("principals", nil).Body(), obj{{"type", "Service"}, {"identifiers", []any{"apigateway.amazonaws.com"}}})
	body.AppendNewline()
	comment(body, "The role API Gateway writes access and execution logs with.")
	role := body.AppendNewBlock("resource", []string{"aws_iam_role", "cloudwatch"}).Body()
	set(role, obj{
		{"name", tmpl{{text: AccountRoleName}, {ref: ref("var", "region")}}},
		{"description", "API Gateway pushes logs to CloudWatch Logs in the region of its name (apibuilder account bootstrap)."},
		{"assume_role_policy", expr("data.aws_iam_policy_document.assume.json")},
	})
	body.AppendNewline()
	comment(body, "What the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs allows, inline: the\nrole needs nothing from outside this configuration.")
	logs := body.AppendNewBlock("data", []string{"aws_iam_policy_document", "logs"}).Body()
	ls := logs.AppendNewBlock("statement", nil).Body()
	set(ls, obj{
		{"actions", []any{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"}},
		{"resources", []any{"*"}},
	})
	body.AppendNewline()
	pol := body.AppendNewBlock("resource", []string{"aws_iam_role_policy", "cloudwatch"}).Body()
	set(pol, obj{
		{"name", "push-to-cloudwatch-logs"},
		{"role", expr("aws_iam_role.cloudwatch.id")},
		{"policy", expr("data.aws_iam_policy_document.logs.json")},
	})
	body.AppendNewline()
	comment(body, "The account's setting (one per account and region): stages may log once it names a role.")
	acc := body.AppendNewBlock("resource", []string{"aws_api_gateway_account", "this"}).Body()
	set(acc, obj{
		{"cloudwatch_role_arn", expr("aws_iam_role.cloudwatch.arn")},
		{"depends_on", expr("[aws_iam_role_policy.cloudwatch]")},
	})
	head := "# Source: " + commentSafe(m.Source) + " (api.cloudwatch_role). The account's API Gateway settings, which\n" +
		"# no environment may own: apply this once per account and region, before the environments\n" +
		"# (their access logs and execution logs need it). Regions of the environments: " + strings.Join(regions, ", ") + ".\n" +
		"# Another region: terraform apply -var region=<region>, with a state of its own\n" +
		"# (terraform workspace new <region>). Skip it where the account already has a role\n" +
		"# (aws apigateway get-account --query cloudwatchRoleArn).\n"
	return finish(f, head)
}

func accountOutputs() []byte {
	f := hclwrite.NewEmptyFile()
	ob := f.Body().AppendNewBlock("output", []string{"cloudwatch_role_arn"}).Body()
	set(ob, obj{{"description", "The role API Gateway writes CloudWatch logs with in this account and region."}, {"value", expr("aws_api_gateway_account.this.cloudwatch_role_arn")}})
	return finish(f, "")
}
