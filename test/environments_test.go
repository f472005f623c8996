package test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/random"
)

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
// and point-in-time recovery from routes.yaml.
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
		applyEnv(t, ws)
		out := tg.outputs(t, ws)

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
