// Command delete_item is the Lambda behind DELETE /items/{id}: 204, or 404
// when there is no such item.
package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apibuilder/apibuilder/functions/internal/apiresp"
	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/lambdakit/cors"
)

type handler struct{ store *items.Store }

func (h handler) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	id := req.PathParameters["id"]
	if !items.ValidID(id) {
		return apiresp.Error(http.StatusBadRequest, "invalid id"), nil
	}
	err := h.store.Delete(ctx, id)
	if errors.Is(err, items.ErrNotFound) {
		return apiresp.Error(http.StatusNotFound, "item "+id+" not found"), nil
	}
	if err != nil {
		return apiresp.Internal(apiresp.Log(ctx, req), err), nil
	}
	apiresp.Log(ctx, req).Info("item deleted", "id", id)
	return apiresp.NoContent(), nil
}

func main() {
	store, err := items.FromEnv(context.Background())
	if err != nil {
		lambda.Start(cors.Wrap(apiresp.Failing(err)))
		return
	}
	lambda.Start(cors.Wrap(handler{store: store}.handle))
}
