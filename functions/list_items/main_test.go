package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/apibuilder/apibuilder/functions/internal/items"
	"github.com/apibuilder/apibuilder/functions/internal/kumotest"
)

func TestMain(m *testing.M) { kumotest.Main(m) }

func TestListItemsPaginates(t *testing.T) {
	store := kumotest.Store(t)
	for i := 0; i < 5; i++ {
		if err := store.Create(context.Background(), items.Item{ID: fmt.Sprintf("l%d", i), Name: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	h := handler{store: store}
	seen := map[string]bool{}
	token, pages := "", 0
	for {
		q := map[string]string{"limit": "2"}
		if token != "" {
			q["next_token"] = token
		}
		resp, err := h.handle(context.Background(), events.APIGatewayProxyRequest{QueryStringParameters: q})
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("list = %d %s %v", resp.StatusCode, resp.Body, err)
		}
		var p page
		if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > 2 {
			t.Fatalf("page of %d items, limit was 2", len(p.Items))
		}
		for _, it := range p.Items {
			if seen[it.ID] {
				t.Fatalf("item %s on two pages", it.ID)
			}
			seen[it.ID] = true
		}
		pages++
		if p.NextToken == "" || pages > 10 {
			break
		}
		token = p.NextToken
	}
	if len(seen) != 5 || pages < 3 {
		t.Fatalf("saw %d items in %d pages, want 5 items in at least 3 pages", len(seen), pages)
	}
}

func TestListItemsRejectsBadInput(t *testing.T) {
	h := handler{store: kumotest.Store(t)}
	for _, q := range []map[string]string{{"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"next_token": "!!"}, {"next_token": "bm90IGpzb24"}} {
		resp, err := h.handle(context.Background(), events.APIGatewayProxyRequest{QueryStringParameters: q})
		if err != nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("list %v = %d %s, want 400", q, resp.StatusCode, resp.Body)
		}
	}
}
