package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	"github.com/apibuilder/apibuilder/pipeline/bootstrap"
)

// TestBootstrap applies `apibuilder bootstrap` for dev and then prod on a
// fresh local stack (kumo: IAM, S3, STS, DynamoDB; moto: API Gateway). The
// roles read back from the emulated IAM have exactly the trust and
// permission policies docs/pipeline.md shows (its JSON blocks, filled in);
// the state bucket reads back versioned, encrypted, not public and TLS
// only; bootstrap's own state moved into the bucket; routes.yaml got the
// backend and envs/dev uses it after generate; prod's run adopts the
// account's OIDC provider, CloudWatch role and bucket instead of fighting
// them; a re-run changes nothing; and a routes.yaml naming another backend
// is refused.
func TestBootstrap(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: TestBootstrap applies bootstrap's Terraform root twice on a local stack (~1 min)")
	}
	t.Parallel()
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{Logs: failureLog(t, "emulators"), Progress: os.Stderr})
	project := copyProject(t)
	routesBefore, err := os.ReadFile(filepath.Join(project, "routes.yaml"))
	must(t, err)
	tfLog := failureLog(t, "terraform-bootstrap")
	run := func(env string) *bootstrap.Result {
		t.Helper()
		return runBootstrap(t, st, project, env, bootstrap.LockS3, tfLog)
	}

	dev := run("dev")
	p := dev.Params
	if !p.CreateStateBucket || p.OIDCProviderARN != "" || p.CloudWatchRoleARN != "" {
		t.Errorf("dev on a fresh account: %+v; want it to create the bucket, the OIDC provider and the CloudWatch role", p)
	}

	md, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "pipeline.md"))
	must(t, err)
	doc, err := bootstrap.DocPolicies(md)
	if err != nil {
		t.Fatalf("docs/pipeline.md: %v", err)
	}
	vars := func(env string) map[string]string {
		return map[string]string{
			"account_id": dev.AccountID, "region": p.Region, "repository": "acme/items-api", "environment": env,
			"oidc_provider_arn": dev.OIDCProviderARN, "state_bucket": p.StateBucket, "state_region": p.StateRegion, "state_prefix": p.Project + "/" + env,
			"name_prefix": p.Project + "-" + env, "package_buckets": p.Project + "-" + env + "-pkg-", "lock_table": "",
		}
	}
	wantDoc := func(name string, v map[string]string) any {
		t.Helper()
		text, err := bootstrap.Fill(doc[name], v)
		if err != nil {
			t.Fatalf("docs/pipeline.md %s: %v", name, err)
		}
		return decodePolicy(t, "docs/pipeline.md "+name, text)
	}

	// (kumo's IAM names account 123456789012 in ARNs, its STS 000000000000.)
	if oidc, err := st.IAM().GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(dev.OIDCProviderARN)}); err != nil {
		t.Errorf("OIDC provider %q: %v", dev.OIDCProviderARN, err)
	} else if !strings.HasSuffix(dev.OIDCProviderARN, ":oidc-provider/token.actions.githubusercontent.com") || !reflect.DeepEqual(oidc.ClientIDList, []string{"sts.amazonaws.com"}) ||
		strings.TrimPrefix(aws.ToString(oidc.Url), "https://") != "token.actions.githubusercontent.com" {
		t.Errorf("OIDC provider %q: url %q, audiences %v; want token.actions.githubusercontent.com for sts.amazonaws.com", dev.OIDCProviderARN, aws.ToString(oidc.Url), oidc.ClientIDList)
	}
	checkRoles := func(env string) {
		t.Helper()
		for _, kind := range []string{"plan", "apply"} {
			name := p.Project + "-" + env + "-github-" + kind
			role, err := st.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if err != nil {
				t.Errorf("role %s: %v", name, err)
				continue
			}
			got := decodePolicy(t, name+" trust", aws.ToString(role.Role.AssumeRolePolicyDocument))
			if want := wantDoc(kind+"-trust", vars(env)); !reflect.DeepEqual(got, want) {
				t.Errorf("role %s trust policy, read from IAM:\n%s\nwant docs/pipeline.md's %s-trust:\n%s", name, js(got), kind, js(want))
			}
			pol, err := st.IAM().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(kind)})
			if err != nil {
				t.Errorf("role %s inline policy %s: %v", name, kind, err)
				continue
			}
			got = decodePolicy(t, name+" permissions", aws.ToString(pol.PolicyDocument))
			if want := wantDoc(kind+"-permissions", vars(env)); !reflect.DeepEqual(got, want) {
				t.Errorf("role %s permissions, read from IAM:\n%s\nwant docs/pipeline.md's %s-permissions:\n%s", name, js(got), kind, js(want))
			}
			if list, err := st.IAM().ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)}); err != nil || len(list.PolicyNames) != 1 {
				t.Errorf("role %s inline policies: %v %v; want only %q", name, list, err, kind)
			}
			if att, err := st.IAM().ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)}); err != nil || len(att.AttachedPolicies) != 0 {
				t.Errorf("role %s attached policies: %v %v; want none", name, att, err)
			}
		}
	}
	checkRoles("dev")

	// dev hosts the previews: its preview role trusts the GitHub environment
	// preview and may do what the apply role may, on the previews' names.
	if dev.PreviewRoleARN == "" || !p.Preview {
		t.Errorf("dev (the first env) has no preview role: %+v", p)
	}
	if v := dev.GitHub[len(dev.GitHub)-1]; v.Environment != "preview" || v.Name != "AWS_PREVIEW_ROLE_ARN" || v.Value != dev.PreviewRoleARN {
		t.Errorf("dev's GitHub variables %v: want AWS_PREVIEW_ROLE_ARN in the environment preview", dev.GitHub)
	}
	previewVars := vars("dev")
	previewVars["name_prefix"], previewVars["package_buckets"], previewVars["state_prefix"] = "items-dev-pr", "items-dev-pr-", "items/dev/previews"
	if role, err := st.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("items-dev-github-preview")}); err != nil {
		t.Errorf("preview role: %v", err)
	} else if got, want := decodePolicy(t, "preview trust", aws.ToString(role.Role.AssumeRolePolicyDocument)), wantDoc("preview-trust", previewVars); !reflect.DeepEqual(got, want) {
		t.Errorf("preview role trust policy:\n%s\nwant docs/pipeline.md's preview-trust:\n%s", js(got), js(want))
	}
	if pol, err := st.IAM().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("items-dev-github-preview"), PolicyName: aws.String("preview")}); err != nil {
		t.Errorf("preview role policy: %v", err)
	} else if got, want := decodePolicy(t, "preview permissions", aws.ToString(pol.PolicyDocument)), wantDoc("apply-permissions", previewVars); !reflect.DeepEqual(got, want) {
		t.Errorf("preview role permissions:\n%s\nwant docs/pipeline.md's apply-permissions with the previews' names:\n%s", js(got), js(want))
	}

	// The state bucket.
	b := aws.String(p.StateBucket)
	if v, err := st.S3().GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b}); err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("state bucket versioning: %v %v; want Enabled", v, err)
	}
	if enc, err := st.S3().GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}); err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) != 1 ||
		enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("state bucket encryption: %v; want AES256 by default", err)
	}
	if pab, err := st.S3().GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}); err != nil {
		t.Errorf("state bucket public access block: %v", err)
	} else if c := pab.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("state bucket public access block: %+v; want all four on", c)
	}
	if pol, err := st.S3().GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); err != nil {
		t.Errorf("state bucket policy: %v", err)
	} else if got, want := decodePolicy(t, "bucket policy", aws.ToString(pol.Policy)), wantDoc("state-bucket", vars("dev")); !reflect.DeepEqual(got, want) {
		t.Errorf("state bucket policy:\n%s\nwant docs/pipeline.md's state-bucket:\n%s", js(got), js(want))
	}

	// Bootstrap's own state moved into the bucket.
	root := filepath.Join(project, "envs", "_bootstrap", "dev")
	if _, err := os.Stat(filepath.Join(root, "terraform.tfstate")); err == nil {
		t.Error("envs/_bootstrap/dev/terraform.tfstate left behind; want the state in the bucket only")
	}
	if _, err := st.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("items/_bootstrap/dev/terraform.tfstate")}); err != nil {
		t.Errorf("bootstrap's state in the bucket: %v", err)
	}

	// The account's API Gateway CloudWatch role: the project's.
	acc, err := st.APIGateway().GetAccount(ctx, &apigateway.GetAccountInput{})
	must(t, err)
	if got := aws.ToString(acc.CloudwatchRoleArn); got != dev.CloudWatchRoleARN || !strings.HasSuffix(got, ":role/items-apigw-cloudwatch-"+p.Region) {
		t.Errorf("account's CloudWatch role %q (bootstrap says %q); want items-apigw-cloudwatch-%s", got, dev.CloudWatchRoleARN, p.Region)
	}

	// routes.yaml: the backend appended, nothing else changed; generate uses it.
	routes, err := os.ReadFile(filepath.Join(project, "routes.yaml"))
	must(t, err)
	if !strings.HasPrefix(string(routes), string(routesBefore)) || !strings.Contains(string(routes[len(routesBefore):]), "bucket: "+p.StateBucket) {
		t.Errorf("routes.yaml after bootstrap: want the original bytes then a backend: naming %s; got the tail\n%s", p.StateBucket, routes[min(len(routes), len(routesBefore)):])
	}
	generate(t, project, "-no-build")
	versions, err := os.ReadFile(filepath.Join(project, "envs", "dev", "versions.tf"))
	must(t, err)
	if !strings.Contains(string(versions), `bucket       = "`+p.StateBucket+`"`) || !strings.Contains(string(versions), "use_lockfile = true") {
		t.Errorf("envs/dev/versions.tf after generate: want the bootstrap's backend with use_lockfile\n%s", versions)
	}

	// prod in the same account adopts what dev made.
	prod := run("prod")
	if prod.Params.CreateStateBucket || prod.Params.OIDCProviderARN != dev.OIDCProviderARN || prod.Params.CloudWatchRoleARN != dev.CloudWatchRoleARN || prod.BackendWritten {
		t.Errorf("prod after dev: %+v (backend written: %v); want it to reuse dev's bucket, OIDC provider and CloudWatch role and leave routes.yaml alone", prod.Params, prod.BackendWritten)
	}
	checkRoles("prod")
	gh := map[string]string{}
	for _, v := range prod.GitHub {
		gh[v.Environment+"/"+v.Name] = v.Value
	}
	if gh["/AWS_PLAN_ROLE_ARN_PROD"] != prod.PlanRoleARN || gh["prod/AWS_APPLY_ROLE_ARN"] != prod.ApplyRoleARN || gh["/AWS_REGION"] != p.Region || len(gh) != 3 {
		t.Errorf("GitHub variables for prod: %v; want the workflow's AWS_REGION, AWS_PLAN_ROLE_ARN_PROD, AWS_APPLY_ROLE_ARN (environment prod) and no preview role", gh)
	}
	if _, err := st.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("items-prod-github-preview")}); err == nil {
		t.Error("prod has a preview role; only the first env hosts previews")
	}

	// A re-run keeps its decisions and changes nothing.
	again := run("dev")
	if again.Params != dev.Params || again.PlanRoleARN != dev.PlanRoleARN {
		t.Errorf("second run of dev: %+v; want %+v", again.Params, dev.Params)
	}

	// Another backend in routes.yaml: refused, nothing written.
	other := strings.Replace(string(routes), "bucket: "+p.StateBucket, "bucket: someone-elses-state", 1)
	must(t, os.WriteFile(filepath.Join(project, "routes.yaml"), []byte(other), 0o644))
	_, err = bootstrap.Run(ctx, bootstrap.Options{Dir: project, Env: "dev", Repository: "acme/items-api", Terraform: st.Tools.Terraform, TFEnv: st.Env(), Clients: stackClients{st}, Out: tfLog})
	if err == nil || !strings.Contains(err.Error(), "routes.yaml:") || !strings.Contains(err.Error(), "someone-elses-state") {
		t.Errorf("bootstrap with another backend in routes.yaml: %v; want a positioned refusal naming both", err)
	}
	if now, _ := os.ReadFile(filepath.Join(project, "routes.yaml")); string(now) != other {
		t.Error("the refused run changed routes.yaml")
	}
}

// runBootstrap runs bootstrap for env in project on the stack, applying
// without asking.
func runBootstrap(t *testing.T, st *stack.Stack, project, env, lock string, tfLog io.Writer) *bootstrap.Result {
	t.Helper()
	kumo := st.Endpoints.Kumo
	res, err := bootstrap.Run(context.Background(), bootstrap.Options{
		Dir: project, Env: env, Repository: "acme/items-api", Lock: lock,
		Terraform: st.Tools.Terraform, TFEnv: st.Env(), Clients: stackClients{st}, Out: tfLog, AutoApprove: true,
		// The emulator goes in at init time only; backend.tf stays AWS's.
		BackendConfig: map[string]string{
			"endpoints":                   fmt.Sprintf("{ s3 = %q, dynamodb = %q }", kumo, kumo),
			"use_path_style":              "true",
			"skip_credentials_validation": "true",
			"skip_requesting_account_id":  "true",
		},
	})
	if err != nil {
		t.Fatalf("bootstrap -env %s -lock %s: %v", env, lock, err)
	}
	return res
}

// TestBootstrapDynamoDBLock: with -lock dynamodb (Terraform before 1.10)
// bootstrap makes the lock table (the S3 backend's schema), writes
// dynamodb_table into routes.yaml's backend, moves its own state behind
// that lock, and both roles get docs/pipeline.md's lock statement.
func TestBootstrapDynamoDBLock(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: TestBootstrapDynamoDBLock applies bootstrap's Terraform root on a local stack (~40 s)")
	}
	t.Parallel()
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{Logs: failureLog(t, "emulators"), Progress: os.Stderr})
	project := copyProject(t)
	res := runBootstrap(t, st, project, "dev", bootstrap.LockDynamoDB, failureLog(t, "terraform-bootstrap"))
	p := res.Params
	if p.LockTable != "items-tflock" || !p.CreateLockTable {
		t.Fatalf("params %+v; want the lock table items-tflock made", p)
	}
	table, err := st.DynamoDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(p.LockTable)})
	must(t, err)
	if ks := table.Table.KeySchema; len(ks) != 1 || aws.ToString(ks[0].AttributeName) != "LockID" || ks[0].KeyType != ddbtypes.KeyTypeHash {
		t.Errorf("lock table key schema %+v; want the hash key LockID", ks)
	}
	routes, err := os.ReadFile(filepath.Join(project, "routes.yaml"))
	must(t, err)
	if !strings.Contains(string(routes), "dynamodb_table: items-tflock") || strings.Contains(string(routes), "use_lockfile") {
		t.Errorf("routes.yaml's backend: want dynamodb_table and no use_lockfile\n%s", routes)
	}
	if _, err := st.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(p.StateBucket), Key: aws.String("items/_bootstrap/dev/terraform.tfstate")}); err != nil {
		t.Errorf("bootstrap's state in the bucket: %v", err)
	}
	md, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "pipeline.md"))
	must(t, err)
	doc, err := bootstrap.DocPolicies(md)
	must(t, err)
	text, err := bootstrap.Fill(doc[bootstrap.DynamoLockStatementName], map[string]string{"state_region": p.StateRegion, "account_id": res.AccountID, "lock_table": p.LockTable})
	must(t, err)
	want := decodePolicy(t, "docs/pipeline.md "+bootstrap.DynamoLockStatementName, text)
	for _, kind := range []string{"plan", "apply"} {
		pol, err := st.IAM().GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("items-dev-github-" + kind), PolicyName: aws.String(kind)})
		must(t, err)
		var doc struct{ Statement []any }
		must(t, json.Unmarshal([]byte(js(decodePolicy(t, kind, aws.ToString(pol.PolicyDocument)))), &doc))
		if len(doc.Statement) == 0 || !reflect.DeepEqual(doc.Statement[len(doc.Statement)-1], want) {
			t.Errorf("%s role's last statement, read from IAM: %s; want docs/pipeline.md's %s: %s", kind, js(doc.Statement[len(doc.Statement)-1]), bootstrap.DynamoLockStatementName, js(want))
		}
	}
}

// stackClients are the local stack's clients, with STS (kumo).
type stackClients struct{ *stack.Stack }

func (c stackClients) STS() *sts.Client { return sts.NewFromConfig(c.AWSConfig()) }

// decodePolicy decodes an IAM policy document, URL-encoded as IAM answers
// it or plain.
func decodePolicy(t *testing.T, what, s string) any {
	t.Helper()
	if strings.HasPrefix(s, "%7B") {
		u, err := url.QueryUnescape(s)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		s = u
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", what, err, s)
	}
	return v
}

func js(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
