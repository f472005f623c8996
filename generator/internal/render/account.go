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

// accountRoleSuffix ends the bootstrap's IAM role name,
// "<api>-apigw-cloudwatch-<region>" (as apibuilder bootstrap names it): one
// per project and region, so a second project in the same account makes no
// role of the same name, and reuses the account's role through
// var.cloudwatch_role_arn instead of taking the setting over.
const accountRoleSuffix = "-apigw-cloudwatch-"

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
	f.Body().AppendNewline()
	rb := f.Body().AppendNewBlock("variable", []string{"cloudwatch_role_arn"}).Body()
	set(rb, obj{
		{"description", "An existing role the account keeps for API Gateway's CloudWatch logs (aws apigateway get-account --query cloudwatchRoleArn), to adopt instead of creating this project's; null creates one."},
		{"type", expr("string")},
		{"default", expr("null")},
	})
	rb.AppendNewline()
	val := rb.AppendNewBlock("validation", nil).Body()
	set(val, obj{
		{"condition", expr(`var.cloudwatch_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.cloudwatch_role_arn))`)},
		{"error_message", "cloudwatch_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) or null."},
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
	comment(body, "The role API Gateway writes access and execution logs with: this project's, unless\nvar.cloudwatch_role_arn adopts the one the account has. Every API in the region logs\nthrough it, so Terraform refuses to destroy it.")
	role := body.AppendNewBlock("resource", []string{"aws_iam_role", "cloudwatch"}).Body()
	set(role, obj{
		{"count", expr("var.cloudwatch_role_arn == null ? 1 : 0")},
		{"name", tmpl{{text: m.API.Name + accountRoleSuffix}, {ref: ref("var", "region")}}},
		{"description", "API Gateway pushes logs to CloudWatch Logs in the region of its name (apibuilder account bootstrap)."},
		{"assume_role_policy", expr("data.aws_iam_policy_document.assume.json")},
	})
	role.AppendNewline()
	set(role.AppendNewBlock("lifecycle", nil).Body(), obj{{"prevent_destroy", expr("true")}})
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
		{"count", expr("var.cloudwatch_role_arn == null ? 1 : 0")},
		{"name", "push-to-cloudwatch-logs"},
		{"role", expr("aws_iam_role.cloudwatch[0].id")},
		{"policy", expr("data.aws_iam_policy_document.logs.json")},
	})
	body.AppendNewline()
	comment(body, "The account's setting (one per account and region): stages may log once it names a role.")
	acc := body.AppendNewBlock("resource", []string{"aws_api_gateway_account", "this"}).Body()
	set(acc, obj{
		{"cloudwatch_role_arn", expr("var.cloudwatch_role_arn == null ? aws_iam_role.cloudwatch[0].arn : var.cloudwatch_role_arn")},
		{"depends_on", expr("[aws_iam_role_policy.cloudwatch]")},
	})
	body.AppendNewline()
	comment(body, "Earlier generations made the role and its policy without count.")
	for i, r := range []string{"aws_iam_role.cloudwatch", "aws_iam_role_policy.cloudwatch"} {
		if i > 0 {
			body.AppendNewline()
		}
		set(body.AppendNewBlock("moved", nil).Body(), obj{{"from", expr(r)}, {"to", expr(r + "[0]")}})
	}
	head := "# Source: " + commentSafe(m.Source) + " (api.cloudwatch_role). The account's API Gateway settings, which\n" +
		"# no environment may own: apply this once per account and region, before the environments\n" +
		"# (their access logs and execution logs need it). Regions of the environments: " + strings.Join(regions, ", ") + ".\n" +
		"# Another region: terraform apply -var region=<region>, with a state of its own\n" +
		"# (terraform workspace new <region>). Where the account already has a role\n" +
		"# (aws apigateway get-account --query cloudwatchRoleArn), adopt it: -var cloudwatch_role_arn=<arn>.\n" +
		"# apibuilder bootstrap does all of this for a pipeline (docs/pipeline.md).\n"
	return finish(f, head)
}

func accountOutputs() []byte {
	f := hclwrite.NewEmptyFile()
	ob := f.Body().AppendNewBlock("output", []string{"cloudwatch_role_arn"}).Body()
	set(ob, obj{{"description", "The role API Gateway writes CloudWatch logs with in this account and region."}, {"value", expr("aws_api_gateway_account.this.cloudwatch_role_arn")}})
	return finish(f, "")
}
