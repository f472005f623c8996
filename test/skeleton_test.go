package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	http_helper "github.com/gruntwork-io/terratest/modules/http-helper"
	"github.com/gruntwork-io/terratest/modules/random"
)

// TestWalkingSkeleton is the thinnest complete path: routes.yaml → generator
// → terraform apply of envs/dev on the local stack → functions running on
// kumo's Runtime API → HTTP through our execute-api data plane → DynamoDB,
// then a second plan that must be empty. After the apply each check is a
// stage (runStage): create, validate, gateway, list, delete, replan;
// SKIP_<stage>=1 skips one, and list and delete need create.
func TestWalkingSkeleton(t *testing.T) {
	t.Parallel()
	testWalkingSkeleton(t, localTarget(t))
}

func testWalkingSkeleton(t *testing.T, tg *target) {
	ctx := context.Background()
	project := copyProject(t)
	generate(t, project)

	envDir := filepath.Join(project, "envs", "dev")
	apiName := "sk" + strings.ToLower(random.UniqueId())
	ws := tg.workspace(t, envDir, apiName)
	applyEnv(t, ws)
	out := tg.outputs(t, ws)
	functions, tables, keys := out.FunctionNames, out.TableNames, out.APIKeyValues
	if functions["create_item"] != apiName+"-dev-create_item" {
		t.Fatalf("function name of create_item = %q, want %q", functions["create_item"], apiName+"-dev-create_item")
	}

	// Run every deployed function's handler (locally: against kumo's
	// Runtime API) and serve the stage (locally: our execute-api data plane).
	api := tg.serve(t, project, out, handlers(t, project, out))
	base := api.base

	id := "item-" + strings.ToLower(random.UniqueId())
	body := fmt.Sprintf(`{"id":%q,"name":"walking skeleton","price":3.5}`, id)
	key := map[string]string{"x-api-key": keys["key"], "Content-Type": "application/json"}
	createFn := functions["create_item"]

	// Retried: AWS serves a new API key a little after the apply.
	createRan := runStage(t, "create", func() {
		respBody := api.expect(t, http.StatusCreated, http.MethodPost, "/items", body, map[string]string{"x-api-key": keys["key"], "Content-Type": "application/json"}).body
		var created map[string]any
		if err := json.Unmarshal([]byte(respBody), &created); err != nil || created["id"] != id {
			t.Fatalf("POST /items body = %s, want the item with id %s", respBody, id)
		}

		http_helper.HttpGetWithRetryWithCustomValidation(t, base+"/items/"+id, nil, 5+int(tg.patience/time.Second), time.Second, func(code int, body string) bool {
			var got map[string]any
			return code == http.StatusOK && json.Unmarshal([]byte(body), &got) == nil && got["id"] == id && got["name"] == "walking skeleton"
		})

		// The item is really in DynamoDB.
		item, err := tg.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(tables["items"]),
			Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}},
		})
		if err != nil {
			t.Fatalf("GetItem: %v", err)
		}
		if name, ok := item.Item["name"].(*ddbtypes.AttributeValueMemberS); !ok || name.Value != "walking skeleton" {
			t.Fatalf("DynamoDB item = %v, want name \"walking skeleton\"", item.Item)
		}
	})

	// A body that violates the request schema is refused by API Gateway
	// before the function runs.
	runStage(t, "validate", func() {
		before, counted := api.invocations(createFn)
		status, respBody := do(t, http.MethodPost, base+"/items", `{"id":"no-name"}`, key)
		if status != http.StatusBadRequest || !strings.Contains(respBody, `"Invalid request body"`) {
			t.Errorf("POST with an invalid body = %d %s, want 400 Invalid request body", status, respBody)
		}
		if after, _ := api.invocations(createFn); counted && after != before {
			t.Errorf("create_item ran %d time(s) for a request the validator refused", after-before)
		}
	})

	// Auth, routing and CORS as API Gateway answers them.
	runStage(t, "gateway", func() {
		status, respBody := do(t, http.MethodPost, base+"/items", body, map[string]string{"Content-Type": "application/json"})
		if status != http.StatusForbidden || !strings.Contains(respBody, "Forbidden") {
			t.Errorf("POST without an API key = %d %s, want 403 Forbidden", status, respBody)
		}
		resp := request(t, http.MethodGet, base+"/nowhere", "", nil)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
			t.Errorf("unknown route = %d %s, want 403 MissingAuthenticationTokenException", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
			t.Errorf("gateway error CORS origin = %q, want https://app.example.com", got)
		}
		resp = request(t, http.MethodOptions, base+"/items", "", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"})
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-Api-Key") {
			t.Errorf("preflight = %d %v, want 204 with the CORS headers", resp.StatusCode, resp.Header)
		}
	})

	// List in pages of one, following next_token: every item exactly once.
	runStageAfter(t, "list", map[string]bool{"create": createRan}, func() {
		want := map[string]bool{id: true}
		for i := range 2 {
			more := fmt.Sprintf("%s-%d", id, i)
			api.expect(t, http.StatusCreated, http.MethodPost, "/items", fmt.Sprintf(`{"id":%q,"name":"page","price":1}`, more), key)
			want[more] = true
		}
		if got := listAll(t, api, 1); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("GET /items in pages of 1 listed %v, want %v", got, want)
		}
	})

	// Delete is behind the example's Lambda TOKEN authorizer (routes.yaml
	// documents the token): no token is 401 before the authorizer runs, an
	// unknown one is the authorizer's Deny (403), and neither deletes.
	runStageAfter(t, "delete", map[string]bool{"create": createRan}, func() {
		if status, respBody := do(t, http.MethodDelete, base+"/items/"+id, "", key); status != http.StatusUnauthorized {
			t.Errorf("DELETE without a token = %d %s, want 401", status, respBody)
		}
		if status, respBody := do(t, http.MethodDelete, base+"/items/"+id, "", map[string]string{"Authorization": "Bearer not-the-token"}); status != http.StatusForbidden {
			t.Errorf("DELETE with an unknown token = %d %s, want 403", status, respBody)
		}
		if status, _ := do(t, http.MethodGet, base+"/items/"+id, "", nil); status != http.StatusOK {
			t.Errorf("GET after refused DELETEs = %d, want 200 (the item must still exist)", status)
		}
		// With the token: 204, and the item is gone from the API and the table.
		admin := map[string]string{"Authorization": "Bearer example-admin-token"}
		if status, respBody := do(t, http.MethodDelete, base+"/items/"+id, "", admin); status != http.StatusNoContent {
			t.Errorf("DELETE = %d %s, want 204", status, respBody)
		}
		if status, _ := do(t, http.MethodGet, base+"/items/"+id, "", nil); status != http.StatusNotFound {
			t.Errorf("GET after DELETE = %d, want 404", status)
		}
		gone, err := tg.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(tables["items"]),
			Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: id}},
		})
		if err != nil || gone.Item != nil {
			t.Errorf("DynamoDB still holds the deleted item: %v %v", gone.Item, err)
		}
	})

	// A second plan must find nothing to do.
	runStage(t, "replan", func() {
		plan, changed, err := ws.PlanJSON(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if changed {
			t.Fatal("second terraform plan reports changes; want none")
		}
		assertLeastPrivilege(t, plan)
	})
}

// do sends one request and returns the status and body.
func do(t *testing.T, method, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	resp := request(t, method, url, body, headers)
	return resp.StatusCode, resp.body
}

type response struct {
	*http.Response
	body string
}

// request sends one request and returns the response with its body read.
func request(t *testing.T, method, url, body string, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return response{resp, string(data)}
}

// listAll pages through GET /items with the given limit and returns every
// id listed; an id listed twice is an error.
func listAll(t *testing.T, api *stage, limit int) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("GET /items: more than 100 pages; next_token does not advance")
		}
		path := fmt.Sprintf("/items?limit=%d", limit)
		if token != "" {
			path += "&next_token=" + url.QueryEscape(token)
		}
		status, body := do(t, http.MethodGet, api.base+path, "", nil)
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextToken string `json:"next_token"`
		}
		if status != http.StatusOK || json.Unmarshal([]byte(body), &page) != nil || len(page.Items) > limit {
			t.Fatalf("GET %s = %d %s, want 200 with at most %d item(s)", path, status, body, limit)
		}
		for _, it := range page.Items {
			if seen[it.ID] {
				t.Errorf("GET /items listed %s twice", it.ID)
			}
			seen[it.ID] = true
		}
		if page.NextToken == "" {
			return seen
		}
		token = page.NextToken
	}
}
