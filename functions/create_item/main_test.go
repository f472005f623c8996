package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/apibuilder/apibuilder/functions/internal/kumotest"
)

func TestMain(m *testing.M) { kumotest.Main(m) }

func TestCreateItem(t *testing.T) {
	store := kumotest.Store(t)
	h := handler{store: store, now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	call := func(body string) events.APIGatewayProxyResponse {
		resp, err := h.handle(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "POST", Resource: "/items", Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	resp := call(`{"id":"a1","name":"first","price":2.5}`)
	if resp.StatusCode != http.StatusCreated || resp.Headers["Location"] != "/items/a1" {
		t.Fatalf("create = %d %v %s, want 201 with Location /items/a1", resp.StatusCode, resp.Headers, resp.Body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || got["id"] != "a1" || got["created_at"] != "2026-01-02T03:04:05Z" {
		t.Fatalf("create body = %s", resp.Body)
	}
	if it, err := store.Get(context.Background(), "a1"); err != nil || it.Name != "first" || it.Price == nil || *it.Price != 2.5 {
		t.Fatalf("stored item = %+v, %v", it, err)
	}

	for _, c := range []struct {
		name, body string
		status     int
	}{
		{"same id again", `{"id":"a1","name":"other"}`, http.StatusConflict},
		{"not JSON", `{"id":`, http.StatusBadRequest},
		{"unknown field", `{"id":"a2","name":"x","colour":"red"}`, http.StatusBadRequest},
		{"bad id", `{"id":"a b","name":"x"}`, http.StatusBadRequest},
		{"missing name", `{"id":"a3"}`, http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := call(c.body)
			var msg map[string]string
			if resp.StatusCode != c.status || json.Unmarshal([]byte(resp.Body), &msg) != nil || msg["message"] == "" {
				t.Fatalf("= %d %s, want %d with a JSON message", resp.StatusCode, resp.Body, c.status)
			}
		})
	}
}

func TestCreateItemHidesInternalErrors(t *testing.T) {
	store := kumotest.Store(t)
	store.Table = "no-such-table"
	h := handler{store: store, now: time.Now}
	resp, err := h.handle(context.Background(), events.APIGatewayProxyRequest{Body: `{"id":"x","name":"y"}`})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError || resp.Body != `{"message":"internal error"}` {
		t.Fatalf("= %d %s, want a generic 500", resp.StatusCode, resp.Body)
	}
}
