package emulator_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/apibuilder/apibuilder/local/emulator"
	"github.com/apibuilder/apibuilder/local/emulator/emulatortest"
)

func TestStackServesBothControlPlanesAndPITR(t *testing.T) {
	ctx := context.Background()
	stack, _ := emulatortest.Start(t)

	// API Gateway goes to moto.
	api, err := stack.APIGateway().CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("t")})
	if err != nil || aws.ToString(api.Id) == "" {
		t.Fatalf("CreateRestApi on moto: %v", err)
	}
	if _, err := stack.APIGateway().GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id}); err != nil {
		t.Fatal(err)
	}
	calls := stack.APIGatewayCalls()
	if calls["POST /restapis"] != 1 || calls["GET /restapis/{id}/resources"] != 1 || emulator.TotalCalls(calls) != 2 {
		t.Fatalf("API Gateway calls = %v, want one CreateRestApi and one GetResources", calls)
	}

	// DynamoDB goes through the shim to kumo; PITR is answered by the shim.
	db := stack.DynamoDB()
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("t"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable through the shim: %v", err)
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

	// Stop leaves nothing listening.
	kumoURL, motoURL := stack.Kumo.URL, stack.Moto.URL
	stack.Stop()
	for _, u := range []string{kumoURL, motoURL} {
		if resp, err := http.Get(u + "/"); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Stop", u)
		}
	}
}
