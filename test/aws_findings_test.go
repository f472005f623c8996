package test

// What real AWS does that the emulators forgave (docs/aws.md): each test
// here fails on the modules and generator as they were, because the local
// stack's proxies now refuse what AWS refuses.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/gruntwork-io/terratest/modules/random"
	tfjson "github.com/hashicorp/terraform-json"

	gen "github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	abtarget "github.com/apibuilder/apibuilder/target"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// TestAccountBootstrap: a fresh account cannot take a stage with access
// logs (API Gateway needs the account's CloudWatch role first, and the
// stack's proxy refuses it as AWS does); envs/_account, which the example
// generates because it sets api.cloudwatch_role, sets the role, after
// which the env applies and re-plans empty. No environment manages the
// account's setting itself.
func TestAccountBootstrap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{Logs: failureLog(t, "emulators"), Progress: os.Stderr})
	tg := onAccount(abtarget.OnStack(st))
	project := copyProject(t)
	generate(t, project)
	for _, env := range []string{"dev", "prod"} {
		main, err := os.ReadFile(filepath.Join(project, "envs", env, "main.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(main), "create_cloudwatch_role") || strings.Contains(string(main), "aws_api_gateway_account") {
			t.Errorf("envs/%s manages the account's API Gateway setting; only envs/_account may", env)
		}
	}

	apiName := "ab" + strings.ToLower(random.UniqueId())
	ws := tg.workspace(t, filepath.Join(project, "envs", "dev"), apiName)
	t.Cleanup(func() { destroy(t, ws) })
	must(t, ws.Init(ctx, nil))
	err := ws.Apply(ctx)
	if err == nil || !strings.Contains(err.Error(), "CloudWatch Logs role ARN must be set in account settings") {
		t.Fatalf("apply of envs/dev to an account without the CloudWatch role: %v; want API Gateway's refusal of the stage's access logs", err)
	}

	account, err := tfdriver.New(filepath.Join(project, "envs", "_account"), tg.terraform, tg.tfEnv, failureLog(t, "terraform-_account"))
	must(t, err)
	account.ProviderVersion = tg.providerVersion
	// No destroy: every API in the region logs through the account's role,
	// so envs/_account refuses it (prevent_destroy), checked below; the
	// test's stack goes with the test.
	must(t, account.Init(ctx, nil))
	must(t, account.Apply(ctx))
	got, err := st.APIGateway().GetAccount(ctx, &apigateway.GetAccountInput{})
	must(t, err)
	// The role is the project's (items-apigw-cloudwatch-<region>): a second
	// project in the account makes its own name or adopts this one.
	if role := aws.ToString(got.CloudwatchRoleArn); !strings.HasSuffix(role, ":role/items-apigw-cloudwatch-"+stack.Region) {
		t.Errorf("account's CloudWatch role after envs/_account: %q", role)
	}
	if err := account.Destroy(ctx); err == nil || !strings.Contains(err.Error(), "prevent_destroy") {
		t.Errorf("destroy of envs/_account: %v; want Terraform's refusal (prevent_destroy on the account's role)", err)
	}

	must(t, ws.Apply(ctx))
	if _, changed, err := ws.PlanJSON(ctx); err != nil || changed {
		t.Errorf("plan after the apply: changed=%v err=%v; want no changes", changed, err)
	}
	if _, changed, err := account.PlanJSON(ctx); err != nil || changed {
		t.Errorf("plan of envs/_account after the env's apply: changed=%v err=%v; want no changes", changed, err)
	}
}

// TestTableKeyChange: the generator refuses a table key change (it would
// replace the table and lose its items), and nothing an API deployment
// needs reaches a table, role, function or log group, so
// create_before_destroy does not either: a replacement forced by hand
// deletes the old table first (on AWS and on kumo, creating the new one
// first fails: the name exists).
func TestTableKeyChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	ws := tg.workspace(t, envDir, "tk"+strings.ToLower(random.UniqueId()))
	applyEnv(t, ws)

	state, err := os.ReadFile(filepath.Join(envDir, "terraform.tfstate"))
	must(t, err)
	for _, r := range createBeforeDestroy(t, state) {
		switch strings.SplitN(r, ".", 2)[0] {
		case "aws_dynamodb_table", "aws_iam_role", "aws_lambda_function", "aws_cloudwatch_log_group", "aws_iam_role_policy", "aws_s3_object":
			t.Errorf("%s is create_before_destroy; a resource with a fixed name must be replaced by deleting it first", r)
		}
	}

	// In routes.yaml: refused, with the data loss and the migration path.
	editRoutes(t, project, "hash_key: id", "hash_key: item_id")
	out, err := generateErr(t, project)
	if err == nil || !strings.Contains(out, "tables.items.hash_key") || !strings.Contains(out, "every item in it") || !strings.Contains(out, "items_v2") {
		t.Fatalf("generate after changing the table's key: %v\n%s\nwant a positioned refusal naming the data loss and the migration path", err, out)
	}
	editRoutes(t, project, "hash_key: item_id", "hash_key: id")

	// Forced by hand in the generated HCL: the plan deletes, then creates.
	mainTF := filepath.Join(envDir, "main.tf")
	src, err := os.ReadFile(mainTF)
	must(t, err)
	edited := regexp.MustCompile(`(hash_key +)= "id"`).ReplaceAllString(string(src), `$1= "item_id"`)
	edited = strings.Replace(edited, `name = "id"`, `name = "item_id"`, 1)
	if edited == string(src) || strings.Count(edited, "item_id") != 2 {
		t.Fatalf("envs/dev/main.tf: the table's hash_key and attribute were not found (did the generator change?)")
	}
	must(t, os.WriteFile(mainTF, []byte(edited), 0o644))
	plan, planFile := planToFile(t, ws)
	var table *tfjson.ResourceChange
	for _, rc := range plan.ResourceChanges {
		if rc.Address == "aws_dynamodb_table.items" {
			table = rc
		}
	}
	if table == nil || !slices.Equal(table.Change.Actions, tfjson.Actions{tfjson.ActionDelete, tfjson.ActionCreate}) {
		t.Fatalf("plan of a table key change: %v; want [delete create] (not create_before_destroy)", table)
	}
	must(t, ws.ApplyPlan(ctx, planFile))
	if _, changed, err := ws.PlanJSON(ctx); err != nil || changed {
		t.Errorf("plan after the replacement: changed=%v err=%v; want no changes", changed, err)
	}
}

// createBeforeDestroy lists the resource instances a state file marks
// create_before_destroy ("<type>.<name>", module left out).
func createBeforeDestroy(t *testing.T, state []byte) []string {
	t.Helper()
	var st struct {
		Resources []struct {
			Module, Mode, Type, Name string
			Instances                []struct {
				CreateBeforeDestroy bool `json:"create_before_destroy"`
			}
		}
	}
	if err := json.Unmarshal(state, &st); err != nil {
		t.Fatalf("state: %v", err)
	}
	var out []string
	cbd := map[string]bool{}
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			if r.Mode == "managed" && in.CreateBeforeDestroy {
				cbd[r.Type] = true
				out = append(out, r.Type+"."+r.Name)
			}
		}
	}
	if !cbd["aws_api_gateway_deployment"] {
		t.Errorf("the state marks no deployment create_before_destroy (%v): did the format change?", out)
	}
	return out
}

// generateErr runs the generator on project and returns what it logged
// and its error instead of failing the test.
func generateErr(t *testing.T, project string) (string, error) {
	t.Helper()
	var log strings.Builder
	_, err := gen.Run(context.Background(), gen.Options{Config: filepath.Join(project, "routes.yaml"), Log: &log})
	if err != nil {
		fmt.Fprintln(&log, err)
	}
	return log.String(), err
}

// bigHandler is a Go handler whose zip is over 5 MiB: incompressible bytes
// embedded in the binary. The AWS provider uploads such a package in parts
// (multipart, the threshold is 5 MiB), whose ETag is not the MD5 of the file.
const bigHandler = `package main

import (
	_ "embed"

	"github.com/aws/aws-lambda-go/lambda"
)

//go:embed big.bin
var big []byte

func main() {
	lambda.Start(func() (int, error) { return len(big), nil })
}
`

// TestLargePackageAndTags: a handler zip over 5 MiB uploads (in parts) and
// re-plans empty, and a project with 9 tags of its own applies although S3
// allows 10 per object and every other resource carries 12 (the project's,
// project, env and managed_by): the packages are uploaded untagged.
func TestLargePackageAndTags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	dir := filepath.Join(project, "functions", "big")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(bigHandler), 0o644))
	blob := make([]byte, 6<<20)
	_, _ = rand.Read(blob)
	must(t, os.WriteFile(filepath.Join(dir, "big.bin"), blob, 0o644))
	editRoutes(t, project, "  name: items\n", "  name: items\n  tags: { t1: a, t2: b, t3: c, t4: d, t5: e, t6: f, t7: g, t8: h, t9: i }\n")
	editRoutes(t, project, "\nenvironments:\n", `
  - name: big
    method: GET
    path: /big
    handler: functions/big

environments:
`)
	generate(t, project)
	var manifest struct {
		Functions map[string]string
		Artifacts map[string]struct {
			File string
			Size int64
		}
	}
	data, err := os.ReadFile(filepath.Join(project, "build", "functions", "manifest.json"))
	must(t, err)
	must(t, json.Unmarshal(data, &manifest))
	art := manifest.Artifacts[manifest.Functions["big"]]
	info, err := os.Stat(filepath.Join(project, "build", "functions", art.File))
	must(t, err)
	if info.Size() <= 5<<20 {
		t.Fatalf("the big handler's zip is %d bytes; the test needs more than 5 MiB", info.Size())
	}

	envDir := filepath.Join(project, "envs", "dev")
	ws := tg.workspace(t, envDir, "lp"+strings.ToLower(random.UniqueId()))
	applyEnv(t, ws)
	plan, changed, err := ws.PlanJSON(ctx)
	must(t, err)
	if changed {
		t.Errorf("plan after applying a %d-byte package: %s; want no changes", info.Size(), changes(plan))
	}
	var bucket string
	for _, r := range resources(plan.PriorState.Values.RootModule) {
		if r.Type == "aws_s3_bucket" {
			bucket = r.AttributeValues["bucket"].(string)
		}
	}
	head, err := tg.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(art.File)})
	must(t, err)
	if etag := aws.ToString(head.ETag); !strings.Contains(etag, "-") {
		t.Errorf("the big package's ETag %s is not a multipart upload's (<md5 of md5s>-<parts>): the test did not cover it", etag)
	}
	tags, err := tg.S3().GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: &bucket, Key: aws.String(art.File)})
	must(t, err)
	if len(tags.TagSet) != 0 {
		t.Errorf("the package object has %d tags; want none (S3 allows 10 per object)", len(tags.TagSet))
	}
}

// TestPrivateAPI: a PRIVATE API with VPC endpoints gets the standard
// resource policy before its deployment (API Gateway refuses to deploy a
// PRIVATE API without one), applies and re-plans empty; without endpoints
// or a policy the module refuses to plan it.
func TestPrivateAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	editRoutes(t, project, "  endpoint_type: REGIONAL\n", "  endpoint_type: PRIVATE\n  vpc_endpoint_ids: [vpce-0123456789abcdef0]\n")
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	ws := tg.workspace(t, envDir, "pa"+strings.ToLower(random.UniqueId()))
	applyEnv(t, ws)
	out := tg.outputs(t, ws)
	api, err := tg.APIGateway().GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &out.RestAPIID})
	must(t, err)
	if p := aws.ToString(api.Policy); !strings.Contains(p, "aws:SourceVpce") || !strings.Contains(p, "vpce-0123456789abcdef0") {
		t.Errorf("the PRIVATE API's policy: %q; want the standard one allowing its VPC endpoint only", p)
	}
	if _, changed, err := ws.PlanJSON(ctx); err != nil || changed {
		t.Errorf("plan after the apply: changed=%v err=%v; want no changes", changed, err)
	}

	mainTF := filepath.Join(envDir, "main.tf")
	src, err := os.ReadFile(mainTF)
	must(t, err)
	without := regexp.MustCompile(`(?m)^ *vpc_endpoint_ids *= .*\n`).ReplaceAllString(string(src), "")
	if without == string(src) {
		t.Fatal("envs/dev/main.tf passes no vpc_endpoint_ids (did the generator change?)")
	}
	must(t, os.WriteFile(mainTF, []byte(without), 0o644))
	_, err = ws.Plan(ctx)
	if err == nil || !strings.Contains(err.Error(), "A PRIVATE API needs a resource policy") {
		t.Errorf("plan of a PRIVATE API without a policy: %v; want the module's refusal", err)
	}
	must(t, os.WriteFile(mainTF, src, 0o644)) // for the destroy
}

// TestVPCPermissions: a route placed in a VPC gets the permissions Lambda
// checks when it creates the function (the actions of
// AWSLambdaVPCAccessExecutionRole, network interfaces scoped to the
// account and region, as AWS's guide shows).
func TestVPCPermissions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	ws := tg.workspace(t, envDir, "vp"+strings.ToLower(random.UniqueId()))
	applyEnv(t, ws)

	editRoutes(t, project, "  - name: get_item\n", "  - name: get_item\n    vpc: { subnet_ids: [subnet-0123456789abcdef0], security_group_ids: [sg-0123456789abcdef0] }\n")
	generate(t, project)
	plan, _, err := ws.PlanJSON(ctx)
	must(t, err)
	var policy string
	for _, rc := range plan.ResourceChanges {
		if rc.Address == "module.route_get_item.aws_iam_role_policy.this" {
			after, _ := rc.Change.After.(map[string]any)
			policy, _ = after["policy"].(string)
		}
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatalf("get_item's planned role policy %q: %v", policy, err)
	}
	grants := map[string][]string{}
	for _, s := range doc.Statement {
		for _, a := range s.Action {
			grants[a] = append(grants[a], s.Resource...)
		}
	}
	eni := "arn:aws:ec2:" + stack.Region + ":000000000000:*/*"
	for action, want := range map[string]string{
		"ec2:DescribeNetworkInterfaces": "*", "ec2:DescribeSubnets": "*",
		"ec2:CreateNetworkInterface": eni, "ec2:DeleteNetworkInterface": eni,
		"ec2:AssignPrivateIpAddresses": eni, "ec2:UnassignPrivateIpAddresses": eni,
	} {
		if !slices.Equal(grants[action], []string{want}) {
			t.Errorf("%s on %v; want on %s", action, grants[action], want)
		}
	}
}
