package stack_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/apibuilder/apibuilder/local/instrument"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

func TestStackServesBothControlPlanesAndPITR(t *testing.T) {
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{Instrument: true})

	// API Gateway goes to moto.
	api, err := st.APIGateway().CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("t")})
	if err != nil || aws.ToString(api.Id) == "" {
		t.Fatalf("CreateRestApi on moto: %v", err)
	}
	if _, err := st.APIGateway().GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id}); err != nil {
		t.Fatal(err)
	}
	calls := st.APIGatewayCalls()
	if calls["POST /restapis"] != 1 || calls["GET /restapis/{id}/resources"] != 1 || instrument.TotalCalls(calls) != 2 {
		t.Fatalf("API Gateway calls = %v, want one CreateRestApi and one GetResources", calls)
	}

	// DynamoDB goes through the kumo proxy to kumo; PITR is answered by the proxy.
	db := st.DynamoDB()
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("t"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable through the kumo proxy: %v", err)
	}
	before, err := db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	if s := before.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus; s != types.PointInTimeRecoveryStatusDisabled {
		t.Fatalf("PITR before enabling = %s, want DISABLED", s)
	}
	if _, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName:                        aws.String("t"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
	after, err := db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	if s := after.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus; s != types.PointInTimeRecoveryStatusEnabled {
		t.Fatalf("PITR after enabling = %s, want ENABLED", s)
	}

	// Both proxies timed their answers, by service.
	times := st.ServiceTimes()
	if times["apigateway"].Calls != 2 || times["dynamodb"].Calls != 4 {
		t.Errorf("service times = %+v, want 2 apigateway and 4 dynamodb calls", times)
	}

	// Close leaves nothing listening, proxies and emulator processes alike,
	// and closing twice is fine.
	urls := append([]string{st.Endpoints.Kumo, st.Endpoints.APIGateway}, st.EmulatorURLs()...)
	for _, u := range urls {
		if resp, err := http.Get(u + "/"); err != nil {
			t.Fatalf("%s does not answer before Close: %v", u, err)
		} else {
			resp.Body.Close()
		}
	}
	st.Close()
	st.Close()
	for _, u := range urls {
		if resp, err := http.Get(u + "/"); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Close", u)
		}
	}
}

// TestBootstrapAccount: the account's CloudWatch role is set once the
// stack is bootstrapped, and bootstrapping again is harmless.
func TestBootstrapAccount(t *testing.T) {
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	before, err := st.APIGateway().GetAccount(ctx, &apigateway.GetAccountInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(before.CloudwatchRoleArn) != "" {
		t.Fatalf("a fresh stack's account already has a CloudWatch role: %s", aws.ToString(before.CloudwatchRoleArn))
	}
	for range 2 {
		arn, err := st.BootstrapAccount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.APIGateway().GetAccount(ctx, &apigateway.GetAccountInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.CloudwatchRoleArn) != arn || arn == "" {
			t.Errorf("account role %q after bootstrap, want %q", aws.ToString(got.CloudwatchRoleArn), arn)
		}
	}
}
