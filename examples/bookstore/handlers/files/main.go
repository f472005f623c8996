// Command files serves PUT /books/{isbn}/files/{proxy+} for Cognito users
// with the books/write scope: it answers what it would store, and for whom.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"example.com/bookstore/handlers/internal/web"
)

func handle(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	user := ""
	if claims, ok := req.RequestContext.Authorizer["claims"].(map[string]any); ok {
		user, _ = claims["sub"].(string)
	}
	return web.JSON(req, http.StatusOK, map[string]any{
		"isbn": req.PathParameters["isbn"], "path": req.PathParameters["proxy"], "bytes": len(req.Body), "user": user,
	}), nil
}

func main() { lambda.Start(handle) }
