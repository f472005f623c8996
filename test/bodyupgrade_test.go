package test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/gruntwork-io/terratest/modules/random"

	"github.com/apibuilder/apibuilder/testkit"
)

// perResourceFixture is the example's envs/dev and module copy as the last
// apibuilder before body mode generated them (commit b28d7af, `apibuilder
// generate` in a project without `modules:`), whose modules made the REST
// API one Terraform resource per path, method, integration, model,
// validator and authorizer. A fixture rather than a build from history, so
// that a shallow clone runs the test too.
var perResourceFixture = filepath.Join("testdata", "per-resource")

// TestUpgradeToBodyMode deploys the example with the previous generation
// (perResourceFixture: its env and per-resource modules), then regenerates
// it with this apibuilder and applies once. The REST API keeps
// its id, every route keeps answering while the apply runs (the stage
// serves its deployment until the new one replaces it), and nothing of the
// per-resource API is left: the API holds exactly what its document says,
// the state holds none of the old resources, and the next plan is empty.
func TestUpgradeToBodyMode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the previous apibuilder and applies on the local stack; skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	tg := localTarget(t)
	project := copyProject(t)
	// A team's project: the tool writes the modules it carries.
	editRoutes(t, project, "modules: { path: modules }\n", "")
	// This generate builds the functions (the packages both generations
	// deploy); the previous generation's env and modules then take the
	// place of what it wrote.
	generate(t, project)
	envDir := filepath.Join(project, "envs", "dev")
	must(t, os.RemoveAll(envDir))
	must(t, os.RemoveAll(filepath.Join(project, ".apibuilder", "modules")))
	must(t, testkit.CopyTree(perResourceFixture, project, nil))
	if _, err := os.Stat(filepath.Join(envDir, "main.tf")); err != nil {
		t.Fatalf("the per-resource fixture: %v", err)
	}
	apiName := "ug" + strings.ToLower(random.UniqueId())
	ws := tg.workspace(t, envDir, apiName)
	applyEnv(t, ws)
	before := tg.outputs(t, ws)
	api := tg.serve(t, project, before, handlers(t, project, before))
	key := map[string]string{"x-api-key": before.APIKeyValues["key"], "Content-Type": "application/json"}
	admin := map[string]string{"Authorization": "Bearer example-admin-token"}
	id := "ug-" + strings.ToLower(random.UniqueId())
	api.expect(t, http.StatusCreated, http.MethodPost, "/items", fmt.Sprintf(`{"id":%q,"name":"upgrade"}`, id), key)

	// Every route is called again and again while the upgrade applies.
	calls := []struct {
		method, path string
		headers      map[string]string
		want         int
	}{
		{http.MethodGet, "/items/" + id, nil, http.StatusOK},
		{http.MethodGet, "/items", nil, http.StatusOK},
		{http.MethodPost, "/items", key, http.StatusConflict},               // the function answers: the id is taken
		{http.MethodDelete, "/items/not-" + id, admin, http.StatusNotFound}, // the function answers: no such item
		{http.MethodOptions, "/items", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}, http.StatusNoContent},
	}
	for _, c := range calls { // first, the expected answer before the upgrade
		body := ""
		if c.method == http.MethodPost {
			body = fmt.Sprintf(`{"id":%q,"name":"upgrade"}`, id)
		}
		api.expect(t, c.want, c.method, c.path, body, c.headers)
	}
	var (
		mu       sync.Mutex
		failures []string
		rounds   int
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		client := &http.Client{Timeout: 30 * time.Second}
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, c := range calls {
				body := ""
				if c.method == http.MethodPost {
					body = fmt.Sprintf(`{"id":%q,"name":"upgrade"}`, id)
				}
				req, _ := http.NewRequest(c.method, api.base+c.path, strings.NewReader(body))
				for k, v := range c.headers {
					req.Header.Set(k, v)
				}
				resp, err := client.Do(req)
				got := ""
				if err != nil {
					got = err.Error()
				} else {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != c.want {
						got = fmt.Sprintf("%d %s", resp.StatusCode, b)
					}
				}
				if got != "" {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s %s during the upgrade: %s, want %d", c.method, c.path, got, c.want))
					mu.Unlock()
				}
			}
			mu.Lock()
			rounds++
			mu.Unlock()
			// Below the usage plan's 50 requests per second per key (the
			// example's), which API Gateway would answer 429.
			time.Sleep(100 * time.Millisecond)
		}
	}()

	generate(t, project)
	must(t, ws.Init(ctx, nil)) // the modules' copy is the new version's
	err := ws.Apply(ctx)
	close(stop)
	<-done
	must(t, err)
	mu.Lock()
	if rounds < 3 {
		t.Errorf("only %d rounds of calls ran during the upgrade; the check saw too little", rounds)
	}
	for _, f := range failures[:min(len(failures), 10)] {
		t.Error(f)
	}
	mu.Unlock()

	after := tg.outputs(t, ws)
	if after.RestAPIID != before.RestAPIID {
		t.Errorf("REST API %s after the upgrade, was %s: want the same API", after.RestAPIID, before.RestAPIID)
	}
	for _, c := range calls {
		body := ""
		if c.method == http.MethodPost {
			body = fmt.Sprintf(`{"id":%q,"name":"upgrade"}`, id)
		}
		api.expect(t, c.want, c.method, c.path, body, c.headers)
	}
	assertAPIIsItsDocument(t, tg, envDir, after.RestAPIID)

	state, err := exec.Command(tg.terraform, "-chdir="+envDir, "state", "list").Output()
	must(t, err)
	for _, addr := range strings.Fields(string(state)) {
		for _, old := range []string{"aws_api_gateway_resource.", "aws_api_gateway_method.", "aws_api_gateway_integration.", "aws_api_gateway_model.", "aws_api_gateway_authorizer.", "aws_api_gateway_request_validator.", "aws_api_gateway_method_response.", "aws_api_gateway_integration_response.", "aws_api_gateway_gateway_response.", "aws_api_gateway_rest_api_policy."} {
			if strings.Contains(addr, old) {
				t.Errorf("the state still holds %s after the upgrade", addr)
			}
		}
	}
	if changed, err := ws.Plan(ctx); err != nil || changed {
		t.Errorf("plan after the upgrade: changed=%v err=%v; want nothing", changed, err)
	}
}

// assertAPIIsItsDocument compares what API Gateway holds for the REST API
// with the env's document: the same paths and methods, models, request
// validators and authorizers, and nothing else.
func assertAPIIsItsDocument(t *testing.T, tg *target, envDir, apiID string) {
	t.Helper()
	ctx := context.Background()
	data, err := os.ReadFile(filepath.Join(envDir, "openapi.json"))
	must(t, err)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Validators map[string]json.RawMessage            `json:"x-amazon-apigateway-request-validators"`
		Components struct {
			Schemas         map[string]json.RawMessage `json:"schemas"`
			SecuritySchemes map[string]struct {
				Authorizer json.RawMessage `json:"x-amazon-apigateway-authorizer"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	must(t, json.Unmarshal(data, &doc))

	var wantMethods, gotMethods []string
	for p, ops := range doc.Paths {
		for m := range ops {
			if !strings.HasPrefix(m, "x-") && m != "parameters" {
				wantMethods = append(wantMethods, strings.ToUpper(m)+" "+p)
			}
		}
	}
	res, err := tg.APIGateway().GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(apiID), Embed: []string{"methods"}, Limit: aws.Int32(500)})
	must(t, err)
	for _, r := range res.Items {
		for m := range r.ResourceMethods {
			gotMethods = append(gotMethods, m+" "+aws.ToString(r.Path))
		}
	}
	slices.Sort(wantMethods)
	slices.Sort(gotMethods)
	if !slices.Equal(gotMethods, wantMethods) {
		t.Errorf("methods of the API after the upgrade:\n  %v\nthe document's:\n  %v", gotMethods, wantMethods)
	}

	names := func(m map[string]json.RawMessage) []string {
		return slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		})
	}
	models, err := tg.APIGateway().GetModels(ctx, &apigateway.GetModelsInput{RestApiId: aws.String(apiID), Limit: aws.Int32(500)})
	must(t, err)
	var gotModels []string
	for _, m := range models.Items {
		gotModels = append(gotModels, aws.ToString(m.Name))
	}
	slices.Sort(gotModels)
	if want := names(doc.Components.Schemas); !slices.Equal(gotModels, want) {
		t.Errorf("models after the upgrade %v, the document's %v", gotModels, want)
	}
	validators, err := tg.APIGateway().GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: aws.String(apiID)})
	must(t, err)
	var gotValidators []string
	for _, v := range validators.Items {
		gotValidators = append(gotValidators, aws.ToString(v.Name))
	}
	slices.Sort(gotValidators)
	if want := names(doc.Validators); !slices.Equal(gotValidators, want) {
		t.Errorf("request validators after the upgrade %v, the document's %v", gotValidators, want)
	}
	auths, err := tg.APIGateway().GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: aws.String(apiID)})
	must(t, err)
	var gotAuths, wantAuths []string
	for _, a := range auths.Items {
		gotAuths = append(gotAuths, aws.ToString(a.Name))
	}
	for n, s := range doc.Components.SecuritySchemes {
		if len(s.Authorizer) > 0 {
			wantAuths = append(wantAuths, n)
		}
	}
	slices.Sort(gotAuths)
	slices.Sort(wantAuths)
	if !slices.Equal(gotAuths, wantAuths) {
		t.Errorf("authorizers after the upgrade %v, the document's %v", gotAuths, wantAuths)
	}
}
