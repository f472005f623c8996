// Package apiresp builds API Gateway proxy responses: JSON bodies, JSON
// errors, and a 500 that never leaks internals (the cause goes to the log).
package apiresp

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Logger writes JSON log lines to stdout, where Lambda ships them to CloudWatch.
var Logger = slog.New(slog.NewJSONHandler(os.Stdout, nil))

// Log returns the logger with the request's ids attached.
func Log(ctx context.Context, req events.APIGatewayProxyRequest) *slog.Logger {
	l := Logger.With("api_request_id", req.RequestContext.RequestID, "route", req.HTTPMethod+" "+req.Resource)
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		l = l.With("request_id", lc.AwsRequestID)
	}
	return l
}

// JSON answers status with v as the JSON body.
func JSON(status int, v any, headers ...string) events.APIGatewayProxyResponse {
	body, err := json.Marshal(v)
	if err != nil {
		return Error(http.StatusInternalServerError, "internal error")
	}
	h := map[string]string{"Content-Type": "application/json"}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: h, Body: string(body)}
}

// Error answers status with {"message": msg}.
func Error(status int, msg string) events.APIGatewayProxyResponse {
	return JSON(status, map[string]string{"message": msg})
}

// Internal logs err and answers a generic 500.
func Internal(log *slog.Logger, err error) events.APIGatewayProxyResponse {
	log.Error("request failed", "error", err.Error())
	return Error(http.StatusInternalServerError, "internal error")
}

// NoContent answers 204 without a body.
func NoContent() events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: http.StatusNoContent}
}

// Handler is the shape of every proxy handler.
type Handler func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Failing is the handler of a function whose cold start failed: every
// request is logged with the cause and answered with a generic 500.
func Failing(cause error) Handler {
	Logger.Error("cold start failed", "error", cause.Error())
	return func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return Internal(Log(ctx, req), cause), nil
	}
}
