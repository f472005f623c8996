package drift

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/google/go-cmp/cmp"
)

const (
	getItemURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:items-dev-get_item/invocations"
	otherURI   = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:items-dev-other/invocations"
)

// The pair in testdata is one API as apibuilder writes it (document.json)
// and as API Gateway exports its stage (export.json: other servers and
// info, descriptions and examples gone, the key scheme renamed api_key,
// model references as model URLs, defaults filled in or left out, types
// in capitals, the models Empty and Error, cache namespaces, an
// integration response on a proxy integration, keys in another order).
// Each case edits one side as the console, or routes.yaml, would.
func TestCompare(t *testing.T) {
	cases := []struct {
		name string
		// export and document edit the decoded documents.
		export, document func(root object)
		want             []string
	}{
		{name: "equal despite the export's noise"},
		{
			name: "equal: an inline request schema, OpenAPI's own schema keywords",
			document: func(r object) {
				at(r, "paths", "/items", "post", "requestBody", "content", "application/json")["schema"] = object{"type": "object"}
				at(r, "components", "schemas", "item", "properties", "name")["nullable"] = true
			},
		},
		{
			name: "an integration pointed at another function",
			export: func(r object) {
				integ := at(r, "paths", "/items/{id}", "get", "x-amazon-apigateway-integration")
				integ["uri"] = otherURI
				integ["contentHandling"] = "CONVERT_TO_TEXT" // as the console sets it
			},
			want: []string{"GET /items/{id}: integration uri is " + otherURI + ", the document says " + getItemURI},
		},
		{
			name: "a method deleted in the console",
			export: func(r object) {
				delete(at(r, "paths", "/items/{id}"), "delete")
			},
			want: []string{"DELETE /items/{id}: in routes.yaml but not in the stage"},
		},
		{
			name: "a method removed from routes.yaml, still in the stage",
			document: func(r object) {
				delete(at(r, "paths", "/items/{id}"), "delete")
			},
			want: []string{"DELETE /items/{id}: in the stage but not in routes.yaml"},
		},
		{
			name: "a method added in the console, and a whole path",
			export: func(r object) {
				item := at(r, "paths", "/items/{id}")
				item["put"] = clone(item["get"])
				at(r, "paths")["/admin"] = object{"x-amazon-apigateway-any-method": clone(item["get"])}
			},
			want: []string{
				"ANY /admin: in the stage but not in routes.yaml",
				"PUT /items/{id}: in the stage but not in routes.yaml",
			},
		},
		{
			name: "a validator taken off a method",
			export: func(r object) {
				delete(at(r, "paths", "/items", "post"), "x-amazon-apigateway-request-validator")
			},
			want: []string{"POST /items: request validator body missing"},
		},
		{
			name: "another validator on a method, and a validator changed",
			export: func(r object) {
				at(r, "paths", "/items", "post")["x-amazon-apigateway-request-validator"] = "params"
				at(r, "x-amazon-apigateway-request-validators", "params")["validateRequestBody"] = true
			},
			want: []string{
				"request validator params: validateRequestBody is true, the document says false",
				"POST /items: request validator is params, the document says body",
			},
		},
		{
			name: "an authorizer taken off a method, and one put on another",
			export: func(r object) {
				delete(at(r, "paths", "/items/{id}", "delete"), "security")
				at(r, "paths", "/items", "get")["security"] = []any{object{"admin": []any{}}}
			},
			want: []string{
				"GET /items: authorizer admin in the stage, the document has no authorization",
				"DELETE /items/{id}: authorizer admin missing",
			},
		},
		{
			name: "an authorizer's cache and function changed",
			export: func(r object) {
				az := at(r, "components", "securitySchemes", "admin", "x-amazon-apigateway-authorizer")
				az["authorizerResultTtlInSeconds"] = 0.0
				az["authorizerUri"] = otherURI
			},
			want: []string{
				"authorizer admin: authorizerUri is " + otherURI + ", the document says arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:items-dev-admin/invocations",
				"authorizer admin: authorizerResultTtlInSeconds is 0, the document says 300",
			},
		},
		{
			name: "IAM authorization instead of the authorizer",
			export: func(r object) {
				at(r, "components", "securitySchemes")["sigv4"] = object{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
				at(r, "paths", "/items/{id}", "delete")["security"] = []any{object{"sigv4": []any{}}}
			},
			want: []string{"DELETE /items/{id}: authorization is IAM authorization, the document says authorizer admin"},
		},
		{
			name: "the API key requirement dropped from one method, added to another",
			export: func(r object) {
				delete(at(r, "paths", "/items", "post"), "security")
				at(r, "paths", "/items/{id}", "get")["security"] = []any{object{"api_key": []any{}}}
			},
			want: []string{
				"POST /items: API key requirement missing",
				"GET /items/{id}: API key required in the stage, not by the document",
			},
		},
		{
			name: "a parameter made required, a timeout shortened, binary conversion, a model loosened",
			export: func(r object) {
				get := at(r, "paths", "/items", "get")
				get["parameters"].([]any)[0].(object)["required"] = true
				get["x-amazon-apigateway-integration"].(object)["timeoutInMillis"] = 5000.0
				get["x-amazon-apigateway-integration"].(object)["contentHandling"] = "CONVERT_TO_BINARY"
				at(r, "components", "schemas", "item", "properties", "name")["maxLength"] = 100000.0
				delete(at(r, "components", "schemas", "item"), "additionalProperties")
			},
			want: []string{
				"model item: additionalProperties missing (the document says false)",
				"model item: properties.name.maxLength is 100000, the document says 256",
				"GET /items: request parameter querystring.limit is required, the document says optional",
				"GET /items: integration timeoutInMillis is 5000, the document says 29000",
				"GET /items: integration contentHandling is CONVERT_TO_BINARY, the document has none",
			},
		},
		{
			name: "CORS changed: the preflight's origin and a gateway response",
			export: func(r object) {
				at(r, "paths", "/items", "options", "x-amazon-apigateway-integration", "responses", "default", "responseParameters")["method.response.header.Access-Control-Allow-Origin"] = "'*'"
				delete(at(r, "x-amazon-apigateway-gateway-responses"), "DEFAULT_5XX")
			},
			want: []string{
				"gateway response DEFAULT_5XX: in routes.yaml but not in the stage",
				"OPTIONS /items: integration response default responseParameter method.response.header.Access-Control-Allow-Origin is '*', the document says 'https://app.example.com'",
			},
		},
		{
			name: "a request model and a binary media type removed",
			export: func(r object) {
				delete(at(r, "paths", "/items", "post"), "requestBody")
				r["x-amazon-apigateway-binary-media-types"] = []any{"image/png"}
			},
			want: []string{
				"API: binary media types is image/png, the document says application/pdf, image/png",
				"POST /items: request model application/json missing (the document says item)",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			export, document := load(t, "export.json", tc.export), load(t, "document.json", tc.document)
			diffs, err := Compare(export, document)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range diffs {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCompareRefusesWhatIsNoDocument(t *testing.T) {
	document := load(t, "document.json", nil)
	for _, tc := range []struct{ export, want string }{
		{`<html>`, "the stage's export: not JSON"},
		{`{"paths": {}}`, "the stage's export: not an OpenAPI document"},
	} {
		if _, err := Compare([]byte(tc.export), document); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compare(%s): %v, want %q", tc.export, err, tc.want)
		}
	}
}

func TestReport(t *testing.T) {
	if got := Report(nil); got != "no drift\n" {
		t.Errorf("Report(none) = %q", got)
	}
	d := []Difference{{Where: "POST /items", What: "request validator body missing"}}
	if got := Report(d); got != "POST /items: request validator body missing\n" {
		t.Errorf("Report = %q", got)
	}
	md := Markdown("stage dev of envs/dev", d)
	for _, want := range []string{"### Drift of stage dev of envs/dev", "1 difference(s)", "- `POST /items`: request validator body missing"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

// fakeExport answers GetExport with body and records the request.
type fakeExport struct {
	in   *apigateway.GetExportInput
	body []byte
	err  error
}

func (f *fakeExport) GetExport(_ context.Context, in *apigateway.GetExportInput, _ ...func(*apigateway.Options)) (*apigateway.GetExportOutput, error) {
	f.in = in
	return &apigateway.GetExportOutput{Body: f.body}, f.err
}

func TestCheckAsksForTheExtensions(t *testing.T) {
	api := &fakeExport{body: load(t, "export.json", func(r object) {
		delete(at(r, "paths", "/items", "post"), "x-amazon-apigateway-request-validator")
	})}
	diffs, err := Check(context.Background(), api, "a1b2c3d4e5", "dev", load(t, "document.json", nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || diffs[0].String() != "POST /items: request validator body missing" {
		t.Errorf("Check = %v", diffs)
	}
	in := api.in
	if aws.ToString(in.RestApiId) != "a1b2c3d4e5" || aws.ToString(in.StageName) != "dev" || aws.ToString(in.ExportType) != "oas30" ||
		aws.ToString(in.Accepts) != "application/json" || in.Parameters["extensions"] != "integrations,authorizers,apigateway" {
		t.Errorf("GetExport asked %+v", in)
	}
	api.err = errors.New("NotFoundException: Invalid stage identifier specified")
	if _, err := Check(context.Background(), api, "a1b2c3d4e5", "dev", nil); err == nil || !strings.Contains(err.Error(), "export stage dev of REST API a1b2c3d4e5") {
		t.Errorf("a failed export: %v", err)
	}
}

// load reads testdata/name, edited by edit when not nil.
func load(t *testing.T, name string, edit func(object)) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return data
	}
	var root object
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	edit(root)
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// at is the object at path under root; it panics (failing the test)
// when there is none.
func at(root object, path ...string) object {
	cur := root
	for _, p := range path {
		next, ok := cur[p].(object)
		if !ok {
			panic("testdata has no object at " + strings.Join(path, "/"))
		}
		cur = next
	}
	return cur
}

func clone(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}
