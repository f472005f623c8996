package main

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/functions/internal/kumotest"
)

func TestMain(m *testing.M) { kumotest.Main(m) }

func TestDeleteItem(t *testing.T) {
	store := kumotest.Store(t)
	if err := store.Create(context.Background(), items.Item{ID: "d1", Name: "doomed"}); err != nil {
		t.Fatal(err)
	}
	h := handler{store: store}
	call := func(id string) int {
		resp, err := h.handle(context.Background(), events.APIGatewayProxyRequest{PathParameters: map[string]string{"id": id}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if s := call("d1"); s != http.StatusNoContent {
		t.Fatalf("first delete = %d, want 204", s)
	}
	if _, err := store.Get(context.Background(), "d1"); !errors.Is(err, items.ErrNotFound) {
		t.Fatalf("item still there after delete: %v", err)
	}
	if s := call("d1"); s != http.StatusNotFound {
		t.Fatalf("second delete = %d, want 404", s)
	}
	if s := call("../x"); s != http.StatusBadRequest {
		t.Fatalf("bad id = %d, want 400", s)
	}
}
