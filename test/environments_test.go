package test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/gruntwork-io/terratest/modules/random"

	"github.com/apibuilder/apibuilder/tfdriver"
)

// prodTokenParameter is where the example's prod keeps the SHA-256 of its
// admin tokens (routes.yaml: environments.prod.authorizers.admin).
const prodTokenParameter = "/items/prod/admin-token-sha256"

// prodAdminToken proves that prod cannot be planned while its token
// parameter does not exist, and that the error says which parameter is
// missing; then it stores the SHA-256 of a new random token in the
// parameter, through the stack's SSM API as an operator would with
// aws ssm put-parameter, and returns that token.
func prodAdminToken(t *testing.T, tg *target, ws *tfdriver.Workspace) string {
	t.Helper()
	ctx := context.Background()
	must(t, ws.Init(ctx, nil))
	_, err := ws.Plan(ctx)
	if err == nil {
		t.Fatalf("prod planned without %s; want the plan to fail until the parameter exists", prodTokenParameter)
	}
	// The provider's words: "reading SSM Parameter (<name>): couldn't find
	// resource", at the data source of that parameter.
	msg := err.Error()
	if !strings.Contains(msg, "reading SSM Parameter ("+prodTokenParameter+")") ||
		!(strings.Contains(msg, "couldn't find resource") || strings.Contains(msg, "ParameterNotFound")) ||
		!strings.Contains(msg, `data.aws_ssm_parameter.secret["`+prodTokenParameter+`"]`) {
		t.Errorf("plan without the parameter failed with\n%s\nwant it to say that SSM parameter %s was not found", msg, prodTokenParameter)
	}
	token := "prod-" + strings.ToLower(random.UniqueId()) + "-" + strings.ToLower(random.UniqueId())
	sum := sha256.Sum256([]byte(token))
	must(t, tg.stack.PutSecret(ctx, "ssm:"+prodTokenParameter, hex.EncodeToString(sum[:])))
	if _, err := ws.Plan(ctx); err != nil {
		t.Fatalf("plan once the parameter exists: %v", err)
	}
	return token
}

// assertProdSecrets checks the applied prod: the authorizer's function
// holds the parameter's name, never the value; its role may read exactly
// that parameter, and no other role may read any parameter or secret (in
// the plan's state); and through the stage, the authorizer accepts the
// stored token and refuses the example's public one.
func assertProdSecrets(t *testing.T, tg *target, project string, ws *tfdriver.Workspace, out *tfdriver.Outputs, token string) {
	t.Helper()
	ctx := context.Background()
	fns := map[string]string{} // function name -> handler, the two this check calls
	authorizer := ""
	for fn, dir := range out.FunctionSources {
		switch dir {
		case "functions/authorizer":
			fns[fn], authorizer = dir, fn
		case "functions/delete_item":
			fns[fn] = dir
		}
	}
	if len(fns) != 2 {
		t.Fatalf("function_sources %v: want the authorizer's and delete_item's", out.FunctionSources)
	}
	conf, err := tg.Lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &authorizer})
	if err != nil {
		t.Fatal(err)
	}
	if got := conf.Environment.Variables["ALLOWED_TOKEN_SHA256"]; got != "ssm:"+prodTokenParameter {
		t.Errorf("prod authorizer's ALLOWED_TOKEN_SHA256 = %q, want the reference ssm:%s", got, prodTokenParameter)
	}

	param, err := tg.stack.SSM().GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(prodTokenParameter)})
	if err != nil {
		t.Fatal(err)
	}
	plan, changed, err := ws.PlanJSON(ctx)
	must(t, err)
	if changed {
		t.Errorf("prod re-plan after apply has changes:\n%s", changes(plan))
	}
	assertLeastPrivilege(t, plan)
	var reads []string // "<module>: <action> on <resource>" of every secret read granted
	for _, r := range resources(plan.PriorState.Values.RootModule) {
		if r.Type != "aws_iam_role_policy" {
			continue
		}
		var doc policyDoc
		must(t, json.Unmarshal([]byte(r.AttributeValues["policy"].(string)), &doc))
		for _, st := range doc.Statement {
			for _, a := range st.Action {
				if strings.HasPrefix(a, "ssm:") || strings.HasPrefix(a, "secretsmanager:") || strings.HasPrefix(a, "kms:") {
					for _, res := range st.Resource {
						reads = append(reads, r.module+": "+a+" on "+res)
					}
				}
			}
		}
	}
	want := []string{"module.authorizer_admin: ssm:GetParameter on " + aws.ToString(param.Parameter.ARN)}
	if !slices.Equal(reads, want) {
		t.Errorf("secret reads granted in prod:\n%s\nwant exactly\n%s", strings.Join(reads, "\n"), strings.Join(want, "\n"))
	}

	api := tg.serve(t, project, out, fns)
	id := "secret-" + strings.ToLower(random.UniqueId())
	api.expect(t, http.StatusForbidden, http.MethodDelete, "/items/"+id, "", map[string]string{"Authorization": "Bearer example-admin-token"})
	// The stored token passes the authorizer: the item does not exist, so
	// delete_item itself answers 404.
	api.expect(t, http.StatusNotFound, http.MethodDelete, "/items/"+id, "", map[string]string{"Authorization": "Bearer " + token})
	if n, _ := api.invocations(authorizer); n != 2 {
		t.Errorf("the prod authorizer ran %d times, want 2 (one per token)", n)
	}
}

// deployed is what the AWS APIs report for one applied environment.
type deployed struct {
	memory       int32
	logRetention int32
	stage        string
	throttleRate float64 // stage: method settings */*
	planRate     float64 // the API key's usage plan
	pitr         ddbtypes.PointInTimeRecoveryStatus
}

// TestEnvironmentsDeployTheirOwnValues applies envs/dev and envs/prod side
// by side and checks, through the AWS APIs rather than the HCL, that each
// got its own memory, log retention, stage, throttling, usage plan limits
// and point-in-time recovery from routes.yaml. Prod's admin token list is
// a secret in SSM Parameter Store: prod does not plan until the parameter
// is stored (prodAdminToken), and then accepts only the stored token.
func TestEnvironmentsDeployTheirOwnValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	project := copyProject(t)
	generate(t, project)
	tg := localTarget(t)
	apiName := "env" + strings.ToLower(random.UniqueId())

	got := map[string]deployed{}
	for _, env := range []string{"dev", "prod"} {
		ws := tg.workspace(t, filepath.Join(project, "envs", env), apiName)
		token := ""
		if env == "prod" {
			token = prodAdminToken(t, tg, ws)
		}
		applyEnv(t, ws)
		out := tg.outputs(t, ws)
		if env == "prod" {
			assertProdSecrets(t, tg, project, ws, out, token)
		}

		fn := out.FunctionNames["get_item"]
		conf, err := tg.Lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: &fn})
		if err != nil {
			t.Fatal(err)
		}
		var d deployed
		d.memory = aws.ToInt32(conf.MemorySize)

		logs := tg.Logs()
		groups, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/" + fn)})
		if err != nil || len(groups.LogGroups) != 1 {
			t.Fatalf("log group of %s: %v %v", fn, groups, err)
		}
		d.logRetention = aws.ToInt32(groups.LogGroups[0].RetentionInDays)

		apiID, stageName := out.RestAPIID, out.StageName
		stage, err := tg.APIGateway().GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: &stageName})
		if err != nil {
			t.Fatal(err)
		}
		d.stage = aws.ToString(stage.StageName)
		plans, err := tg.APIGateway().GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plans.Items {
			for _, s := range p.ApiStages {
				if aws.ToString(s.ApiId) == apiID && p.Throttle != nil {
					d.planRate = p.Throttle.RateLimit
				}
			}
		}
		if s, ok := stage.MethodSettings["*/*"]; ok {
			d.throttleRate = s.ThrottlingRateLimit
		}

		table := out.TableNames["items"]
		backups, err := tg.DynamoDB().DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &table})
		if err != nil {
			t.Fatal(err)
		}
		d.pitr = backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus
		got[env] = d
	}

	want := map[string]deployed{
		"dev":  {memory: 128, logRetention: 7, stage: "dev", throttleRate: -1, planRate: 50, pitr: ddbtypes.PointInTimeRecoveryStatusDisabled},
		"prod": {memory: 256, logRetention: 30, stage: "prod", throttleRate: 100, planRate: 200, pitr: ddbtypes.PointInTimeRecoveryStatusEnabled},
	}
	for env, w := range want {
		if got[env] != w {
			t.Errorf("%s deployed %+v, want %+v", env, got[env], w)
		}
	}
}
