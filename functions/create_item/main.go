// Command create_item is the Lambda behind POST /items: it stores a new item
// and answers 201 with its Location, or 409 if the id is taken.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apibuilder/apibuilder/functions/internal/apiresp"
	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/lambdakit/cors"
)

type handler struct {
	store *items.Store
	now   func() time.Time
}

func (h handler) handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log := apiresp.Log(ctx, req)
	var it items.Item
	dec := json.NewDecoder(strings.NewReader(req.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&it); err != nil {
		return apiresp.Error(http.StatusBadRequest, "body must be a JSON item: "+err.Error()), nil
	}
	switch {
	case !items.ValidID(it.ID):
		return apiresp.Error(http.StatusBadRequest, "id must be 1-128 characters of letters, digits, '-' and '_'"), nil
	case strings.TrimSpace(it.Name) == "":
		return apiresp.Error(http.StatusBadRequest, "name is required"), nil
	}
	it.CreatedAt = h.now().UTC().Format(time.RFC3339)
	err := h.store.Create(ctx, it)
	if errors.Is(err, items.ErrExists) {
		return apiresp.Error(http.StatusConflict, "an item with id "+it.ID+" already exists"), nil
	}
	if err != nil {
		return apiresp.Internal(log, err), nil
	}
	log.Info("item created", "id", it.ID)
	return apiresp.JSON(http.StatusCreated, it, "Location", "/items/"+it.ID), nil
}

func main() {
	store, err := items.FromEnv(context.Background())
	if err != nil {
		lambda.Start(cors.Wrap(apiresp.Failing(err)))
		return
	}
	lambda.Start(cors.Wrap(handler{store: store, now: time.Now}.handle))
}
