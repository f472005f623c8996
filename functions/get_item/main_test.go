package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/functions/internal/kumotest"
)

func TestMain(m *testing.M) { kumotest.Main(m) }

func TestGetItem(t *testing.T) {
	store := kumotest.Store(t)
	if err := store.Create(context.Background(), items.Item{ID: "g1", Name: "got"}); err != nil {
		t.Fatal(err)
	}
	h := handler{store: store}
	for _, c := range []struct {
		id     string
		status int
	}{{"g1", http.StatusOK}, {"missing", http.StatusNotFound}, {"bad id!", http.StatusBadRequest}} {
		resp, err := h.handle(context.Background(), events.APIGatewayProxyRequest{PathParameters: map[string]string{"id": c.id}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != c.status {
			t.Errorf("GET /items/%s = %d %s, want %d", c.id, resp.StatusCode, resp.Body, c.status)
		}
		if c.status == http.StatusOK {
			var it items.Item
			if err := json.Unmarshal([]byte(resp.Body), &it); err != nil || it.Name != "got" {
				t.Errorf("body = %s", resp.Body)
			}
		}
	}
}
