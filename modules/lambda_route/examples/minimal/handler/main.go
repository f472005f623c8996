// Command handler is the Lambda behind GET /hello in the lambda_route
// module's minimal example: it answers with a JSON greeting, so the example
// shows a whole route (code and infrastructure) without a database.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	greeting := os.Getenv("GREETING")
	if greeting == "" {
		greeting = "hello"
	}
	body, err := json.Marshal(map[string]string{
		"message": greeting,
		"path":    req.Path,
		"request": req.RequestContext.RequestID,
	})
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}, nil
	}
	return events.APIGatewayProxyResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}, nil
}

func main() {
	lambda.Start(handle)
}
