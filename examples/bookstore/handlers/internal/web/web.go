// Package web holds what the bookstore's handlers share: JSON answers, the
// CORS headers a browser needs on a function's own answer, and a logger.
package web

import (
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Log writes JSON lines to stdout, where Lambda ships them to CloudWatch.
var Log = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// JSON answers status with v as the body, with the CORS headers the
// request's Origin is allowed (the generator passes the API's allowed
// origins in APIBUILDER_CORS_ORIGINS).
func JSON(req events.APIGatewayProxyRequest, status int, v any) events.APIGatewayProxyResponse {
	body, _ := json.Marshal(v)
	h := map[string]string{"Content-Type": "application/json"}
	if origin := header(req, "Origin"); origin != "" {
		allowed := strings.Split(os.Getenv("APIBUILDER_CORS_ORIGINS"), ",")
		if slices.Contains(allowed, origin) || slices.Contains(allowed, "*") {
			h["Access-Control-Allow-Origin"] = origin
			h["Vary"] = "Origin"
			if os.Getenv("APIBUILDER_CORS_CREDENTIALS") == "true" {
				h["Access-Control-Allow-Credentials"] = "true"
			}
		}
	}
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: h, Body: string(body)}
}

// Error answers status with {"message": msg}.
func Error(req events.APIGatewayProxyRequest, status int, msg string) events.APIGatewayProxyResponse {
	return JSON(req, status, map[string]string{"message": msg})
}

// header reads a request header whatever its casing (API Gateway keeps
// the client's).
func header(req events.APIGatewayProxyRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
