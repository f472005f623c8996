package session

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apibuilder/apibuilder/local/runner"
	"github.com/apibuilder/apibuilder/testkit"
)

// helloHandler answers GET /hello with the word it was built with.
const helloHandler = `// Command hello says which version of its source runs.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: %q}, nil
	})
}
`

const watchRoutes = `api: { name: watchtest }
tables:
  items: { hash_key: id, hash_key_type: S }
routes:
  - name: hello
    method: GET
    path: /hello
    handler: functions/hello
  - name: create_item
    method: POST
    path: /items
    handler: functions/create_item
    environment: { TABLE_NAME: "${table.items.name}" }
    permissions: [{ table: items, actions: [PutItem] }]
%s
environments:
  dev: { stage: dev }
`

const getItemRoute = `  - name: get_item
    method: GET
    path: /items/{id}
    handler: functions/get_item
    environment: { TABLE_NAME: "${table.items.name}" }
    permissions: [{ table: items, actions: [GetItem] }]
`

// watchProject writes a project in a temporary directory: this module's
// go.mod and example functions, a hello handler, and watchRoutes.
func watchProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(repo, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	skipTests := func(rel string, d os.DirEntry) bool { return strings.HasSuffix(rel, "_test.go") }
	for _, tree := range []string{"functions", "lambdakit"} { // the example's handlers import lambdakit
		if err := testkit.CopyTree(filepath.Join(repo, tree), filepath.Join(dir, tree), skipTests); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, dir, "functions/hello/main.go", fmt.Sprintf(helloHandler, "one"))
	writeFile(t, dir, "routes.yaml", fmt.Sprintf(watchRoutes, ""))
	return dir
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestWatchServesEditsAndRouteChanges is issue 15's acceptance test: a
// handler edit is served by the next request after its swap line, a
// broken edit keeps the old code serving and shows the compiler's
// error, a route added to routes.yaml answers without restarting the
// emulators (a DynamoDB item written before is still there), and
// removing it stops its function.
func TestWatchServesEditsAndRouteChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("brings a project up on the local stack and applies three times (1-3 min); run without -short")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := watchProject(t)
	out := &testkit.SyncBuffer{}
	s, err := Start(ctx, Options{Config: filepath.Join(dir, "routes.yaml"), Out: out, FunctionLogs: out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	defer s.Close()
	defer func() {
		if t.Failed() {
			t.Logf("session output:\n%s", out)
		}
	}()
	events := make(chan Event, 16)
	watchDone := make(chan error, 1)
	go func() { watchDone <- s.Watch(ctx, WatchOptions{Out: out, OnEvent: func(e Event) { events <- e }}) }()
	defer func() {
		cancel()
		if err := <-watchDone; err != nil {
			t.Errorf("Watch: %v", err)
		}
	}()
	next := func(want EventKind) Event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.Kind == Unchanged {
					continue
				}
				if e.Kind != want {
					t.Fatalf("event %s (%v), want %s", e.Kind, e.Err, want)
				}
				return e
			case err := <-watchDone:
				t.Fatalf("Watch ended: %v", err)
			case <-time.After(5 * time.Minute):
				t.Fatalf("no %s event came", want)
			}
		}
	}
	hello := s.URL + "/hello"
	if code, body := get(t, hello); code != 200 || body != "one" {
		t.Fatalf("GET /hello = %d %q, want 200 one", code, body)
	}
	// An edit made before the watch is set up would be missed.
	next(Watching)

	// A handler edit: the next request after the swap returns the new code.
	writeFile(t, dir, "functions/hello/main.go", fmt.Sprintf(helloHandler, "two"))
	e := next(Swapped)
	if e.Handler != "functions/hello" || !slices.Equal(e.Functions, []string{"watchtest-dev-hello"}) {
		t.Errorf("swap event = %+v", e)
	}
	if code, body := get(t, hello); code != 200 || body != "two" {
		t.Fatalf("after the swap, GET /hello = %d %q, want 200 two", code, body)
	}
	if !strings.Contains(out.String(), "functions/hello: watchtest-dev-hello serving the new build") {
		t.Errorf("no swap line in the output")
	}

	// A broken edit: the compiler's error, positioned, and the old code serves.
	writeFile(t, dir, "functions/hello/main.go", strings.Replace(fmt.Sprintf(helloHandler, "three"), "return events", "return undefinedThing, events", 1))
	e = next(BuildFailed)
	if e.Err == nil || !strings.Contains(e.Err.Error(), "functions/hello/main.go:13") || !strings.Contains(out.String(), "functions/hello does not build; the previous build keeps serving") {
		t.Errorf("build error event = %v; output:\n%s", e.Err, out)
	}
	if code, body := get(t, hello); code != 200 || body != "two" {
		t.Fatalf("after a broken edit, GET /hello = %d %q, want the previous build's two", code, body)
	}

	// Fixed, it serves again (a handler that does not build would also
	// stop a regeneration: the generator packages every handler).
	writeFile(t, dir, "functions/hello/main.go", fmt.Sprintf(helloHandler, "three"))
	next(Swapped)
	if code, body := get(t, hello); code != 200 || body != "three" {
		t.Fatalf("after the fix, GET /hello = %d %q, want three", code, body)
	}

	// An item written before the route changes must survive them.
	resp, err := http.Post(s.URL+"/items", "application/json", strings.NewReader(`{"id":"kept","name":"written before"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /items = %d", resp.StatusCode)
	}
	kumo, moto := s.Stack.Endpoints.Kumo, s.Stack.Endpoints.APIGateway

	// A route added to routes.yaml answers, on the same emulators.
	writeFile(t, dir, "routes.yaml", fmt.Sprintf(watchRoutes, getItemRoute))
	e = next(Applied)
	if !slices.Equal(e.Changes.Added, []string{"watchtest-dev-get_item"}) || e.Err != nil {
		t.Fatalf("applied event = %+v", e)
	}
	code, body := get(t, s.URL+"/items/kept")
	var item map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &item) != nil || item["name"] != "written before" {
		t.Fatalf("GET /items/kept on the added route = %d %s, want the item written before", code, body)
	}
	if s.Stack.Endpoints.Kumo != kumo || s.Stack.Endpoints.APIGateway != moto {
		t.Errorf("the emulators changed")
	}
	if code, body := get(t, hello); code != 200 || body != "three" {
		t.Errorf("GET /hello after the apply = %d %q", code, body)
	}

	// A generator error is reported, positioned; the deployment serves on.
	writeFile(t, dir, "routes.yaml", strings.Replace(fmt.Sprintf(watchRoutes, getItemRoute), "method: GET\n    path: /hello", "method: FETCH\n    path: /hello", 1))
	e = next(GenerateFailed)
	if e.Err == nil || !strings.Contains(e.Err.Error(), "routes.yaml:6:") {
		t.Errorf("generate failure = %v, want a position in routes.yaml", e.Err)
	}
	if code, _ := get(t, s.URL+"/items/kept"); code != 200 {
		t.Errorf("after a generator error, GET /items/kept = %d, want the last good deployment", code)
	}

	// Removing the route stops its function.
	writeFile(t, dir, "routes.yaml", fmt.Sprintf(watchRoutes, ""))
	e = next(Applied)
	if !slices.Equal(e.Changes.Removed, []string{"watchtest-dev-get_item"}) || e.Err != nil {
		t.Fatalf("applied event = %+v", e)
	}
	if n := s.Runner.Processes("watchtest-dev-get_item"); n != 0 {
		t.Errorf("the removed route's function still runs %d process(es)", n)
	}
	if slices.ContainsFunc(s.Runner.Functions(), func(f runner.Function) bool { return f.Name == "watchtest-dev-get_item" }) {
		t.Errorf("the runner still lists the removed function")
	}
	if code, _ := get(t, s.URL+"/items/kept"); code != http.StatusForbidden {
		t.Errorf("GET /items/kept after its route was removed = %d, want 403", code)
	}
}
