package openapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apibuilder/apibuilder/generator/internal/config"
	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/openapi"
	"github.com/apibuilder/apibuilder/generator/internal/render"
)

func loadModel(t *testing.T, dir string) (*model.Model, func(string) ([]byte, error)) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return model.Build(cfg), func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel))) }
}

func renderEnv(t *testing.T, m *model.Model, env int, read func(string) ([]byte, error)) []byte {
	t.Helper()
	data, _, err := openapi.Render(m, m.Envs[env], read)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMarkedGenerated: the generator's writer owns a file only when its
// first 256 bytes carry the marker.
func TestMarkedGenerated(t *testing.T) {
	m, read := loadModel(t, cases["full"])
	data := renderEnv(t, m, 0, read)
	if !render.IsGenerated(data) {
		t.Errorf("the document does not carry %q in its first 256 bytes:\n%s", render.Marker, data[:256])
	}
	if !strings.HasSuffix(string(data), "}\n") {
		t.Error("the document does not end in a newline")
	}
}

// TestExamplesAreChecked: the route's examples are in the document, and
// kin-openapi checks them against the schemas there: a body that does not
// match makes the document invalid.
func TestExamplesAreChecked(t *testing.T) {
	m, read := loadModel(t, cases["shapes"])
	doc := validate(t, renderEnv(t, m, 0, read))
	create := doc.Paths.Find("/orders").Post
	if ex := create.RequestBody.Value.Content.Get("application/json").Example; ex == nil {
		t.Error("create_order's request.example is not in the document")
	}
	examples := map[string]any{}
	for _, p := range doc.Paths.Find("/orders/{id}").Get.Parameters {
		examples[p.Value.Name] = p.Value.Example
	}
	if examples["id"] != "o-1" || examples["expand"] != "lines" {
		t.Errorf("get_order's parameter examples: %v, want id o-1 and expand lines", examples)
	}

	i := slices.IndexFunc(m.Routes, func(r model.Route) bool { return r.Name == "create_order" })
	m.Routes[i].RequestExample = []byte(`{"id":"x-1","lines":[]}`) // pattern and minItems fail
	bad, err := openapi3.NewLoader().LoadFromData(greedy.ReplaceAll(renderEnv(t, m, 0, read), []byte(`"${1}{${2}}":`)))
	if err != nil {
		t.Fatal(err)
	}
	err = bad.Validate(context.Background(), openapi3.EnableExamplesValidation())
	if err == nil || !strings.Contains(err.Error(), "invalid example") {
		t.Errorf("a body example that does not match its schema: kin-openapi says %v, want an invalid example", err)
	}
}

// TestOperations checks what the goldens show, one fact at a time.
func TestOperations(t *testing.T) {
	full, readFull := loadModel(t, cases["full"])
	shapes, readShapes := loadModel(t, cases["shapes"])
	fullDoc := validate(t, renderEnv(t, full, 0, readFull))
	shapesDoc := validate(t, renderEnv(t, shapes, 0, readShapes))

	t.Run("ANY is every method; with CORS, OPTIONS stays the preflight", func(t *testing.T) {
		if got := methods(fullDoc, "/"); !slices.Equal(got, []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}) {
			t.Errorf("full (CORS) ANY / has %v", got)
		}
		if id := fullDoc.Paths.Find("/").Options.OperationID; id != "cors_preflight_root" {
			t.Errorf("full (CORS) OPTIONS / is %q, want the preflight", id)
		}
		if got := methods(shapesDoc, "/files/{proxy}"); len(got) != 7 {
			t.Errorf("shapes (no CORS) ANY /files/{proxy+} has %v, want all 7", got)
		}
		if id := fullDoc.Paths.Find("/").Get.OperationID; id != "health_get" {
			t.Errorf("operationId %q, want health_get", id)
		}
	})
	t.Run("a greedy path parameter is {proxy}, required", func(t *testing.T) {
		p := shapesDoc.Paths.Find("/files/{proxy}").Get.Parameters.GetByInAndName("path", "proxy")
		if p == nil || !p.Required || !strings.Contains(p.Description, "{proxy+}") || p.Example != "reports/2026/a.txt" {
			t.Errorf("proxy parameter: %+v", p)
		}
	})
	t.Run("required query strings and headers", func(t *testing.T) {
		ps := fullDoc.Paths.Find("/customers/{customer}/orders").Get.Parameters
		for _, want := range []struct{ in, name string }{{"path", "customer"}, {"query", "from"}, {"query", "to"}, {"header", "X-Request-Id"}} {
			if p := ps.GetByInAndName(want.in, want.name); p == nil || !p.Required {
				t.Errorf("%s %s: %+v, want a required parameter", want.in, want.name, p)
			}
		}
	})
	t.Run("a Cognito token of any pool with any of the scopes", func(t *testing.T) {
		got, _ := json.Marshal(shapesDoc.Paths.Find("/reports").Get.Security)
		want := `[{"staff":["reports/read","reports/admin"]}]`
		if string(got) != want {
			t.Errorf("security %s, want %s", got, want)
		}
	})
	t.Run("a REQUEST authorizer is one scheme, with its authorizer", func(t *testing.T) {
		sec := *shapesDoc.Paths.Find("/files/{proxy}").Post.Security
		if len(sec) != 1 || len(sec[0]) != 1 || sec[0]["gate"] == nil {
			t.Errorf("security %v, want one requirement of scheme gate", sec)
		}
		s := shapesDoc.Components.SecuritySchemes["gate"].Value
		auth, _ := s.Extensions["x-amazon-apigateway-authorizer"].(map[string]any)
		if s.In != "header" || s.Name != "X-Tenant" || auth["type"] != "request" || !strings.Contains(fmt.Sprint(auth["identitySource"]), "method.request.querystring.org") {
			t.Errorf("gate: %+v, authorizer %v", s, auth)
		}
	})
	t.Run("IAM is SigV4 in the Authorization header", func(t *testing.T) {
		s := fullDoc.Components.SecuritySchemes["ops"].Value
		if s.Type != "apiKey" || s.Name != "Authorization" || s.Extensions["x-amazon-apigateway-authtype"] != "awsSigv4" {
			t.Errorf("ops: %+v", s)
		}
	})
	t.Run("gateway answers by auth type and limits", func(t *testing.T) {
		statuses := func(doc *openapi3.T, path, method string) []string {
			return slices.Sorted(func(yield func(string) bool) {
				for k := range doc.Paths.Find(path).GetOperation(method).Responses.Map() {
					if !yield(k) {
						return
					}
				}
			})
		}
		for _, tc := range []struct {
			doc          *openapi3.T
			path, method string
			want         string
		}{
			{shapesDoc, "/orders", "POST", "201 400 403 413 429 502 504"},                           // api key with a quota, body, stage throttle
			{shapesDoc, "/orders/{id}", "GET", "200 400 401 403 429 500 502 504"},                   // token authorizer, required query
			{shapesDoc, "/reports", "GET", "200 401 429 502 504"},                                   // cognito
			{shapesDoc, "/ping", "GET", "200 429 502 504"},                                          // no auth; dev has a stage throttle
			{fullDoc, "/", "GET", "200 403 502 504"},                                                // iam; WAF; dev has no throttle
			{fullDoc, "/customers/{customer}/orders/{proxy}", "PUT", "202 400 401 403 413 502 504"}, // cognito, body, WAF
		} {
			if got := strings.Join(statuses(tc.doc, tc.path, tc.method), " "); got != tc.want {
				t.Errorf("%s %s answers %s, want %s", tc.method, tc.path, got, tc.want)
			}
		}
	})
}

func methods(doc *openapi3.T, path string) []string {
	var out []string
	for m := range doc.Paths.Find(path).Operations() {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// TestServers: the custom domain (with or without a base path) first, then
// execute-api's URL in the environment's region and stage.
func TestServers(t *testing.T) {
	m, read := loadModel(t, cases["example"])
	servers := func() []string {
		doc := validate(t, renderEnv(t, m, 0, read))
		var out []string
		for _, s := range doc.Servers {
			out = append(out, s.URL)
		}
		return out
	}
	if got := servers(); !slices.Equal(got, []string{"https://{restApiId}.execute-api.us-east-1.amazonaws.com/dev"}) {
		t.Errorf("servers %v", got)
	}
	m.Envs[0].Domain = &model.Domain{Name: "api.example.com"}
	m.Envs[0].Region, m.Envs[0].Stage = "eu-west-1", "v2"
	if got := servers(); !slices.Equal(got, []string{"https://api.example.com", "https://{restApiId}.execute-api.eu-west-1.amazonaws.com/v2"}) {
		t.Errorf("servers %v", got)
	}
}

// TestRenderErrors: bad input is an error naming the routes file and what
// is wrong, never a panic.
func TestRenderErrors(t *testing.T) {
	m, read := loadModel(t, cases["example"])
	_, _, err := openapi.Render(m, m.Envs[0], func(string) ([]byte, error) { return nil, errors.New("gone") })
	if err == nil || !strings.Contains(err.Error(), "routes.yaml: schema file schemas/item.json cannot be read: gone") {
		t.Errorf("unreadable schema: %v", err)
	}
	m.Routes[0].RequestExample = []byte(`{"id":`)
	_, _, err = openapi.Render(m, m.Envs[0], read)
	if err == nil || !strings.Contains(err.Error(), "routes.yaml: routes[0]: request.example is not JSON") {
		t.Errorf("broken example: %v", err)
	}
}
