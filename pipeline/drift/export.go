package drift

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// ExportAPI is the API Gateway call drift makes; *apigateway.Client has
// it. It needs apigateway:GET on /restapis/<id>/stages/<stage>/exports/*
// (the plan role's read-only access).
type ExportAPI interface {
	GetExport(ctx context.Context, in *apigateway.GetExportInput, opts ...func(*apigateway.Options)) (*apigateway.GetExportOutput, error)
}

// Export is the stage's deployment as OpenAPI 3 JSON with API Gateway's
// extensions: integrations, authorizers and the API's own settings
// (validators, gateway responses, API key source, binary media types).
func Export(ctx context.Context, api ExportAPI, restAPIID, stage string) ([]byte, error) {
	out, err := api.GetExport(ctx, &apigateway.GetExportInput{
		RestApiId:  aws.String(restAPIID),
		StageName:  aws.String(stage),
		ExportType: aws.String("oas30"),
		Accepts:    aws.String("application/json"),
		Parameters: map[string]string{"extensions": "integrations,authorizers,apigateway"},
	})
	if err != nil {
		return nil, fmt.Errorf("export stage %s of REST API %s (GetExport oas30): %w", stage, restAPIID, err)
	}
	return out.Body, nil
}

// Check exports the stage and compares it with document, the OpenAPI
// document Terraform applied (the environment's output openapi_body).
func Check(ctx context.Context, api ExportAPI, restAPIID, stage string, document []byte) ([]Difference, error) {
	exported, err := Export(ctx, api, restAPIID, stage)
	if err != nil {
		return nil, err
	}
	return Compare(exported, document)
}
