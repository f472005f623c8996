// Command list_items is the Lambda behind GET /items: a page of items with
// an opaque next_token (query: limit 1-100, default 25; next_token).
package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apibuilder/apibuilder/functions/internal/apiresp"
	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/lambdakit/cors"
)

const defaultLimit, maxLimit = 25, 100

type handler struct{ store *items.Store }

type page struct {
	Items     []items.Item `json:"items"`
	NextToken string       `json:"next_token,omitempty"`
}

func (h handler) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	limit := defaultLimit
	if s, ok := req.QueryStringParameters["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return apiresp.Error(http.StatusBadRequest, "limit must be a whole number from 1 to 100"), nil
		}
		limit = n
	}
	list, next, err := h.store.List(ctx, int32(limit), req.QueryStringParameters["next_token"])
	if errors.Is(err, items.ErrBadCursor) {
		return apiresp.Error(http.StatusBadRequest, "invalid next_token"), nil
	}
	if err != nil {
		return apiresp.Internal(apiresp.Log(ctx, req), err), nil
	}
	return apiresp.JSON(http.StatusOK, page{Items: list, NextToken: next}), nil
}

func main() {
	store, err := items.FromEnv(context.Background())
	if err != nil {
		lambda.Start(cors.Wrap(apiresp.Failing(err)))
		return
	}
	lambda.Start(cors.Wrap(handler{store: store}.handle))
}
