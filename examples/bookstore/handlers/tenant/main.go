// Command tenant is the bookstore's Lambda REQUEST authorizer: a caller
// whose X-Tenant header names one of the TENANTS may call the method.
package main

import (
	"context"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func authorize(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	tenant := ""
	for k, v := range req.Headers {
		if strings.EqualFold(k, "X-Tenant") {
			tenant = v
		}
	}
	effect := "Deny"
	if tenant != "" && slices.Contains(strings.Split(os.Getenv("TENANTS"), ","), tenant) {
		effect = "Allow"
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: "tenant-" + tenant,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{req.MethodArn}},
		}},
		Context: map[string]any{"tenant": tenant},
	}, nil
}

func main() { lambda.Start(authorize) }
