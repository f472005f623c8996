// Command ops answers any method on /ops for callers that sign their
// requests (AWS_IAM): which method, and whose access key.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"example.com/bookstore/handlers/internal/web"
)

func handle(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return web.JSON(req, http.StatusOK, map[string]string{"method": req.HTTPMethod, "access_key": req.RequestContext.Identity.AccessKey}), nil
}

func main() { lambda.Start(handle) }
