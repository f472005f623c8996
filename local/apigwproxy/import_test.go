package apigwproxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

// fullDoc reads testdata/import/full.json: every extension the generator
// emits (docs: /work/notes/body-spec.md), as a generic document to edit.
func fullDoc(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "import", "full.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// obj walks doc along keys (each an object).
func obj(doc map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		doc, _ = doc[k].(map[string]any)
	}
	return doc
}

// importClient is a client of a fresh stack's proxy, without retries.
func importClient(t *testing.T) *apigateway.Client {
	t.Helper()
	st := stacktest.Start(t, stack.Options{})
	return apigateway.NewFromConfig(st.AWSConfig(), func(o *apigateway.Options) {
		o.BaseEndpoint = aws.String(st.Endpoints.APIGateway)
		o.RetryMaxAttempts = 1
	})
}

func newAPI(t *testing.T, c *apigateway.Client) *string {
	t.Helper()
	api, err := c.CreateRestApi(context.Background(), &apigateway.CreateRestApiInput{Name: aws.String("import")})
	if err != nil {
		t.Fatal(err)
	}
	return api.Id
}

func putDoc(t *testing.T, c *apigateway.Client, api *string, mode types.PutMode, doc map[string]any) *apigateway.PutRestApiOutput {
	t.Helper()
	out, err := c.PutRestApi(context.Background(), &apigateway.PutRestApiInput{RestApiId: api, Mode: mode, Body: mustJSON(t, doc)})
	if err != nil {
		t.Fatalf("PutRestApi %s: %v", mode, err)
	}
	return out
}

// resourceIDs maps each path of the API to its resource id, and each
// "VERB path" to true.
func resourceIDs(t *testing.T, c *apigateway.Client, api *string) (map[string]string, map[string]bool) {
	t.Helper()
	res, err := c.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: api, Embed: []string{"methods"}, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	ids, methods := map[string]string{}, map[string]bool{}
	for _, r := range res.Items {
		ids[aws.ToString(r.Path)] = aws.ToString(r.Id)
		for verb := range r.ResourceMethods {
			methods[verb+" "+aws.ToString(r.Path)] = true
		}
	}
	return ids, methods
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// state is everything an import writes, to show that a refused import
// changed nothing.
func state(t *testing.T, c *apigateway.Client, api *string) string {
	t.Helper()
	ctx := context.Background()
	ids, methods := resourceIDs(t, c, api)
	models, err := c.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	vals, err := c.GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	auths, err := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	s = append(s, fmt.Sprint(ids), fmt.Sprint(keys(methods)))
	for _, m := range models.Items {
		s = append(s, aws.ToString(m.Name)+"="+aws.ToString(m.Schema))
	}
	for _, v := range vals.Items {
		s = append(s, aws.ToString(v.Name)+"="+aws.ToString(v.Id))
	}
	for _, a := range auths.Items {
		s = append(s, aws.ToString(a.Name)+"="+aws.ToString(a.Id))
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}

// TestImport imports testdata/import/full.json with PutRestApi and reads
// back what the data plane reads: every extension must have become the
// resource a per-resource Terraform set-up creates.
func TestImport(t *testing.T) {
	c := importClient(t)
	ctx := context.Background()

	t.Run("Full", func(t *testing.T) {
		api := newAPI(t, c)
		out := putDoc(t, c, api, types.PutModeOverwrite, fullDoc(t))
		if len(out.Warnings) > 0 || aws.ToString(out.Id) != aws.ToString(api) {
			t.Errorf("answer: id %s warnings %q, want %s and none", aws.ToString(out.Id), out.Warnings, aws.ToString(api))
		}
		if out.ApiKeySource != types.ApiKeySourceTypeHeader || fmt.Sprint(out.BinaryMediaTypes) != "[image/png application/octet-stream]" {
			t.Errorf("answer: apiKeySource %q binaryMediaTypes %v", out.ApiKeySource, out.BinaryMediaTypes)
		}
		checkFull(t, c, api)
	})

	t.Run("Import", func(t *testing.T) {
		out, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: mustJSON(t, fullDoc(t))})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Name) != "items-dev" || aws.ToString(out.Description) != "Items API (import fixture)" {
			t.Errorf("ImportRestApi: name %q description %q, want info's", aws.ToString(out.Name), aws.ToString(out.Description))
		}
		checkFull(t, c, out.Id)
	})

	t.Run("OverwriteRemoves", func(t *testing.T) {
		api := newAPI(t, c)
		putDoc(t, c, api, types.PutModeOverwrite, fullDoc(t))
		before, _ := resourceIDs(t, c, api)
		beforeState := state(t, c, api)
		// The same document again changes nothing, ids included.
		putDoc(t, c, api, types.PutModeOverwrite, fullDoc(t))
		if got := state(t, c, api); got != beforeState {
			t.Errorf("re-import of the same document changed the API:\n%s\nwant\n%s", got, beforeState)
		}
		doc := fullDoc(t)
		delete(obj(doc, "paths", "/items/{id}"), "delete")
		delete(obj(doc, "paths"), "/me")
		delete(obj(doc, "paths"), "/tenants/{tenant}/files/{proxy+}")
		delete(obj(doc, "components", "securitySchemes"), "users")
		delete(obj(doc, "x-amazon-apigateway-request-validators"), "bodyandparams")
		delete(obj(doc, "paths", "/items/{id}", "put"), "x-amazon-apigateway-request-validator")
		delete(obj(doc, "x-amazon-apigateway-gateway-responses"), "DEFAULT_5XX")
		putDoc(t, c, api, types.PutModeOverwrite, doc)
		ids, methods := resourceIDs(t, c, api)
		if want := []string{"/", "/items", "/items/{id}"}; fmt.Sprint(keys(ids)) != fmt.Sprint(want) {
			t.Errorf("resources %v, want %v", keys(ids), want)
		}
		for _, p := range []string{"/", "/items", "/items/{id}"} {
			if ids[p] != before[p] {
				t.Errorf("%s: resource id %s, was %s: a kept path keeps its id", p, ids[p], before[p])
			}
		}
		if methods["DELETE /items/{id}"] || !methods["PUT /items/{id}"] || !methods["GET /items/{id}"] {
			t.Errorf("methods %v: want DELETE /items/{id} gone, GET and PUT kept", keys(methods))
		}
		auths, _ := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: api})
		var names []string
		for _, a := range auths.Items {
			names = append(names, aws.ToString(a.Name))
		}
		sort.Strings(names)
		if fmt.Sprint(names) != "[admin tenant]" {
			t.Errorf("authorizers %v, want [admin tenant] (users removed)", names)
		}
		vals, _ := c.GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: api})
		if len(vals.Items) != 2 {
			t.Errorf("validators %d, want 2 (bodyandparams removed)", len(vals.Items))
		}
		put, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api, ResourceId: aws.String(ids["/items/{id}"]), HttpMethod: aws.String("PUT")})
		if err != nil {
			t.Fatal(err)
		}
		if put.RequestValidatorId != nil || put.MethodIntegration == nil {
			t.Errorf("PUT /items/{id}: validator %v integration %v, want no validator and the integration", aws.ToString(put.RequestValidatorId), put.MethodIntegration)
		}
		grs, _ := c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: api})
		for _, r := range grs.Items {
			if r.ResponseType == types.GatewayResponseTypeDefault5xx && len(r.ResponseParameters) > 0 {
				t.Errorf("DEFAULT_5XX kept its parameters after overwrite without it: %v", r.ResponseParameters)
			}
		}
	})

	t.Run("MergeKeeps", func(t *testing.T) {
		api := newAPI(t, c)
		putDoc(t, c, api, types.PutModeOverwrite, fullDoc(t))
		before, _ := resourceIDs(t, c, api)
		extra := map[string]any{
			"openapi": "3.0.1", "info": map[string]any{"title": "extra", "version": "1"},
			"paths": map[string]any{
				"/extra": map[string]any{"get": map[string]any{
					"responses":                       map[string]any{"200": map[string]any{"description": "OK"}},
					"x-amazon-apigateway-integration": map[string]any{"type": "mock", "requestTemplates": map[string]any{"application/json": `{"statusCode": 200}`}},
				}},
				// A method of the document replaces the one the API has.
				"/items/{id}": map[string]any{"delete": map[string]any{
					"responses":                       map[string]any{"204": map[string]any{"description": "gone"}},
					"x-amazon-apigateway-integration": map[string]any{"type": "mock"},
				}},
			},
		}
		putDoc(t, c, api, types.PutModeMerge, extra)
		ids, methods := resourceIDs(t, c, api)
		if ids["/extra"] == "" || !methods["GET /extra"] {
			t.Errorf("merge did not add GET /extra: %v", keys(methods))
		}
		for _, m := range []string{"GET /items", "POST /items", "GET /me", "ANY /tenants/{tenant}/files/{proxy+}"} {
			if !methods[m] {
				t.Errorf("merge lost %s: %v", m, keys(methods))
			}
		}
		for p, id := range before {
			if ids[p] != id {
				t.Errorf("%s: resource id %s, was %s", p, ids[p], id)
			}
		}
		del, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api, ResourceId: aws.String(ids["/items/{id}"]), HttpMethod: aws.String("DELETE")})
		if err != nil {
			t.Fatal(err)
		}
		if del.AuthorizationType == nil || *del.AuthorizationType != "NONE" || del.MethodIntegration == nil || del.MethodIntegration.Type != types.IntegrationTypeMock {
			t.Errorf("merged DELETE /items/{id}: auth %v integration %+v, want the document's (NONE, MOCK)", aws.ToString(del.AuthorizationType), del.MethodIntegration)
		}
		models, _ := c.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: api})
		if len(models.Items) != 3 {
			t.Errorf("merge kept %d models, want 3", len(models.Items))
		}
	})

	t.Run("Rejected", func(t *testing.T) {
		api := newAPI(t, c)
		putDoc(t, c, api, types.PutModeOverwrite, fullDoc(t))
		before := state(t, c, api)
		cases := []struct {
			name, want string
			edit       func(doc map[string]any)
		}{
			{"unknown security scheme", "security scheme 'nobody' is not defined", func(doc map[string]any) {
				obj(doc, "paths", "/items", "get")["security"] = []any{map[string]any{"nobody": []any{}}}
			}},
			{"unknown integration type", "Invalid integration type 'lambda'", func(doc map[string]any) {
				obj(doc, "paths", "/items", "get", "x-amazon-apigateway-integration")["type"] = "lambda"
			}},
			{"aws_proxy without uri", "uri is required", func(doc map[string]any) {
				delete(obj(doc, "paths", "/items", "get", "x-amazon-apigateway-integration"), "uri")
			}},
			{"aws_proxy without httpMethod", "httpMethod is required", func(doc map[string]any) {
				delete(obj(doc, "paths", "/items", "get", "x-amazon-apigateway-integration"), "httpMethod")
			}},
			{"unknown validator", "Invalid request validator 'strict'", func(doc map[string]any) {
				obj(doc, "paths", "/items", "get")["x-amazon-apigateway-request-validator"] = "strict"
			}},
			{"model name", "Model name must be alphanumeric: item_list", func(doc map[string]any) {
				obj(doc, "components", "schemas")["item_list"] = map[string]any{"type": "object"}
			}},
			{"not openapi", "Invalid OpenAPI input", func(doc map[string]any) {
				delete(doc, "openapi")
			}},
		}
		for _, tc := range cases {
			doc := fullDoc(t)
			// A new path too: nothing of it may be created either.
			obj(doc, "paths")["/new"] = obj(doc, "paths", "/me")
			tc.edit(doc)
			_, err := c.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: api, Mode: types.PutModeOverwrite, Body: mustJSON(t, doc)})
			var bad *types.BadRequestException
			if !errors.As(err, &bad) || !strings.HasPrefix(bad.ErrorMessage(), "Errors found during import:\n\t") || !strings.Contains(bad.ErrorMessage(), tc.want) {
				t.Errorf("%s: err = %v, want BadRequestException \"Errors found during import:\\n\\t...%s...\"", tc.name, err, tc.want)
			}
		}
		_, err := c.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: api, Mode: types.PutModeOverwrite, Body: []byte("paths: {}")})
		var bad *types.BadRequestException
		if !errors.As(err, &bad) {
			t.Errorf("YAML body: err = %v, want BadRequestException", err)
		}
		_, err = c.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: api, Mode: "replace", Body: mustJSON(t, fullDoc(t))})
		if !errors.As(err, &bad) || !strings.Contains(bad.ErrorMessage(), "merge or overwrite") {
			t.Errorf("mode replace: err = %v, want BadRequestException", err)
		}
		if after := state(t, c, api); after != before {
			t.Errorf("a refused import changed the API:\n%s\nwant\n%s", after, before)
		}
		// An unknown API is moto's NotFoundException.
		_, err = c.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: aws.String("nope"), Mode: types.PutModeOverwrite, Body: mustJSON(t, fullDoc(t))})
		var nf *types.NotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("unknown API: err = %v, want NotFoundException", err)
		}
	})

	t.Run("FailOnWarnings", func(t *testing.T) {
		api := newAPI(t, c)
		doc := fullDoc(t)
		doc["x-amazon-apigateway-shiny"] = true                         // unknown: a warning
		obj(doc, "paths", "/items", "get")["x-apibuilder-route"] = "ok" // not amazon's: ignored
		_, err := c.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: api, Mode: types.PutModeOverwrite, FailOnWarnings: true, Body: mustJSON(t, doc)})
		var bad *types.BadRequestException
		if !errors.As(err, &bad) || !strings.Contains(bad.ErrorMessage(), "x-amazon-apigateway-shiny") {
			t.Errorf("failonwarnings=true: err = %v, want BadRequestException naming the extension", err)
		}
		if _, methods := resourceIDs(t, c, api); len(methods) != 0 {
			t.Errorf("failed import created methods %v", keys(methods))
		}
		out := putDoc(t, c, api, types.PutModeOverwrite, doc)
		if len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "x-amazon-apigateway-shiny") {
			t.Errorf("warnings %q, want one naming x-amazon-apigateway-shiny", out.Warnings)
		}
		checkFull(t, c, api)
	})
}

// checkFull reads back an API imported from full.json.
func checkFull(t *testing.T, c *apigateway.Client, api *string) {
	t.Helper()
	ctx := context.Background()
	rest, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	if rest.ApiKeySource != types.ApiKeySourceTypeHeader || !slices.Contains(rest.BinaryMediaTypes, "image/png") {
		t.Errorf("GetRestApi: apiKeySource %q binaryMediaTypes %v", rest.ApiKeySource, rest.BinaryMediaTypes)
	}
	ids, methods := resourceIDs(t, c, api)
	wantPaths := []string{"/", "/items", "/items/{id}", "/me", "/tenants", "/tenants/{tenant}", "/tenants/{tenant}/files", "/tenants/{tenant}/files/{proxy+}"}
	if fmt.Sprint(keys(ids)) != fmt.Sprint(wantPaths) {
		t.Errorf("resources %v, want %v", keys(ids), wantPaths)
	}
	wantMethods := []string{"ANY /tenants/{tenant}/files/{proxy+}", "DELETE /items/{id}", "GET /items", "GET /items/{id}", "GET /me",
		"OPTIONS /items", "OPTIONS /items/{id}", "POST /items", "PUT /items/{id}"}
	if fmt.Sprint(keys(methods)) != fmt.Sprint(wantMethods) {
		t.Errorf("methods %v, want %v", keys(methods), wantMethods)
	}

	validators := map[string]types.RequestValidator{}
	vals, err := c.GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals.Items {
		validators[aws.ToString(v.Id)] = v
		want := map[string][2]bool{"body": {true, false}, "params": {false, true}, "bodyandparams": {true, true}}[aws.ToString(v.Name)]
		if v.ValidateRequestBody != want[0] || v.ValidateRequestParameters != want[1] {
			t.Errorf("validator %s: body %v params %v, want %v", aws.ToString(v.Name), v.ValidateRequestBody, v.ValidateRequestParameters, want)
		}
	}
	if len(vals.Items) != 3 {
		t.Errorf("%d validators, want 3", len(vals.Items))
	}
	authorizers := map[string]types.Authorizer{}
	auths, err := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range auths.Items {
		authorizers[aws.ToString(a.Id)] = a
		switch aws.ToString(a.Name) {
		case "admin":
			if a.Type != types.AuthorizerTypeToken || aws.ToString(a.IdentitySource) != "method.request.header.Authorization" ||
				aws.ToString(a.IdentityValidationExpression) != "^Bearer .+$" || aws.ToInt32(a.AuthorizerResultTtlInSeconds) != 300 ||
				!strings.HasSuffix(aws.ToString(a.AuthorizerUri), "function:items-dev-admin/invocations") {
				t.Errorf("authorizer admin: %+v", a)
			}
		case "tenant":
			if a.Type != types.AuthorizerTypeRequest || aws.ToString(a.IdentitySource) != "method.request.header.X-Tenant, method.request.querystring.t" ||
				aws.ToInt32(a.AuthorizerResultTtlInSeconds) != 0 {
				t.Errorf("authorizer tenant: %+v", a)
			}
		case "users":
			if a.Type != types.AuthorizerTypeCognitoUserPools || len(a.ProviderARNs) != 1 || aws.ToString(a.IdentitySource) != "method.request.header.Authorization" {
				t.Errorf("authorizer users: %+v", a)
			}
		default:
			t.Errorf("unexpected authorizer %s", aws.ToString(a.Name))
		}
	}
	models, err := c.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range models.Items {
		names = append(names, aws.ToString(m.Name))
		if aws.ToString(m.ContentType) != "application/json" {
			t.Errorf("model %s: content type %q", aws.ToString(m.Name), aws.ToString(m.ContentType))
		}
		if aws.ToString(m.Name) == "ItemList" {
			want := `"$ref":"https://apigateway.amazonaws.com/restapis/` + aws.ToString(api) + `/models/Item"`
			if !strings.Contains(aws.ToString(m.Schema), want) {
				t.Errorf("ItemList schema %s, want the ref in AWS's form %s", aws.ToString(m.Schema), want)
			}
		}
	}
	sort.Strings(names)
	if fmt.Sprint(names) != "[GatewayError Item ItemList]" {
		t.Errorf("models %v", names)
	}
	grs, err := c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	gr := map[types.GatewayResponseType]types.GatewayResponse{}
	for _, r := range grs.Items {
		gr[r.ResponseType] = r
	}
	if gr[types.GatewayResponseTypeDefault4xx].ResponseParameters["gatewayresponse.header.Vary"] != "'Origin'" ||
		gr[types.GatewayResponseTypeDefault5xx].ResponseParameters["gatewayresponse.header.Access-Control-Allow-Origin"] != "'https://app.example.com'" {
		t.Errorf("gateway responses %+v", grs.Items)
	}

	method := func(verb, path string) *apigateway.GetMethodOutput {
		t.Helper()
		m, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: api, ResourceId: aws.String(ids[path]), HttpMethod: aws.String(verb)})
		if err != nil {
			t.Fatalf("GetMethod %s %s: %v", verb, path, err)
		}
		return m
	}
	validatorName := func(m *apigateway.GetMethodOutput) string {
		return aws.ToString(validators[aws.ToString(m.RequestValidatorId)].Name)
	}
	authorizerName := func(m *apigateway.GetMethodOutput) string {
		return aws.ToString(authorizers[aws.ToString(m.AuthorizerId)].Name)
	}
	lambda := func(name string, m *apigateway.GetMethodOutput) {
		t.Helper()
		in := m.MethodIntegration
		if in == nil || in.Type != types.IntegrationTypeAwsProxy || aws.ToString(in.HttpMethod) != "POST" || in.TimeoutInMillis != 29000 ||
			aws.ToString(in.PassthroughBehavior) != "WHEN_NO_MATCH" || !strings.HasSuffix(aws.ToString(in.Uri), "function:items-dev-"+name+"/invocations") {
			t.Errorf("%s integration: %+v", name, in)
		}
	}

	get := method("GET", "/items")
	lambda("list_items", get)
	if aws.ToString(get.OperationName) != "list_items" || validatorName(get) != "params" ||
		fmt.Sprint(get.RequestParameters) != "map[method.request.header.X-Trace:false method.request.querystring.limit:true]" ||
		get.MethodResponses["200"].ResponseModels["application/json"] != "ItemList" ||
		get.MethodResponses["502"].ResponseModels["application/json"] != "GatewayError" {
		t.Errorf("GET /items: %+v", get)
	}
	post := method("POST", "/items")
	lambda("create_item", post)
	if !aws.ToBool(post.ApiKeyRequired) || aws.ToString(post.AuthorizationType) != "NONE" || validatorName(post) != "body" ||
		post.RequestModels["application/json"] != "Item" ||
		fmt.Sprint(post.MethodResponses["201"].ResponseParameters) != "map[method.response.header.Location:false]" ||
		post.MethodResponses["400"].ResponseModels["application/json"] != "GatewayError" {
		t.Errorf("POST /items: %+v", post)
	}
	getID := method("GET", "/items/{id}")
	lambda("get_item", getID)
	if aws.ToString(getID.AuthorizationType) != "AWS_IAM" || fmt.Sprint(getID.RequestParameters) != "map[method.request.path.id:true]" {
		t.Errorf("GET /items/{id}: %+v", getID)
	}
	put := method("PUT", "/items/{id}")
	if aws.ToString(put.AuthorizationType) != "CUSTOM" || authorizerName(put) != "admin" || !aws.ToBool(put.ApiKeyRequired) || validatorName(put) != "bodyandparams" {
		t.Errorf("PUT /items/{id}: auth %s authorizer %q key %v validator %q", aws.ToString(put.AuthorizationType), authorizerName(put), aws.ToBool(put.ApiKeyRequired), validatorName(put))
	}
	del := method("DELETE", "/items/{id}")
	if aws.ToString(del.AuthorizationType) != "CUSTOM" || authorizerName(del) != "admin" || aws.ToBool(del.ApiKeyRequired) {
		t.Errorf("DELETE /items/{id}: auth %s authorizer %q", aws.ToString(del.AuthorizationType), authorizerName(del))
	}
	anyM := method("ANY", "/tenants/{tenant}/files/{proxy+}")
	lambda("tenant_files", anyM)
	if aws.ToString(anyM.AuthorizationType) != "CUSTOM" || authorizerName(anyM) != "tenant" ||
		fmt.Sprint(anyM.RequestParameters) != "map[method.request.path.proxy:true method.request.path.tenant:true]" {
		t.Errorf("ANY proxy: %+v", anyM)
	}
	me := method("GET", "/me")
	if aws.ToString(me.AuthorizationType) != "COGNITO_USER_POOLS" || authorizerName(me) != "users" || fmt.Sprint(me.AuthorizationScopes) != "[items/read items/write]" {
		t.Errorf("GET /me: auth %s authorizer %q scopes %v", aws.ToString(me.AuthorizationType), authorizerName(me), me.AuthorizationScopes)
	}
	opt := method("OPTIONS", "/items")
	in := opt.MethodIntegration
	if in == nil || in.Type != types.IntegrationTypeMock || in.RequestTemplates["application/json"] != `{"statusCode": 200}` {
		t.Fatalf("OPTIONS /items integration: %+v", in)
	}
	ir := in.IntegrationResponses["204"]
	if ir.ResponseParameters["method.response.header.Access-Control-Allow-Methods"] != "'GET,POST,OPTIONS'" ||
		!strings.Contains(ir.ResponseTemplates["application/json"], "responseOverride") || ir.SelectionPattern != nil {
		t.Errorf("OPTIONS /items integration response 204: %+v", ir)
	}
	if len(opt.MethodResponses["204"].ResponseParameters) != 3 {
		t.Errorf("OPTIONS /items method response 204: %+v", opt.MethodResponses["204"])
	}
	// GetIntegration answers the same as the method's embedded one.
	gi, err := c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: api, ResourceId: aws.String(ids["/items"]), HttpMethod: aws.String("OPTIONS")})
	if err != nil {
		t.Fatal(err)
	}
	if gi.Type != types.IntegrationTypeMock || gi.IntegrationResponses["204"].StatusCode == nil {
		t.Errorf("GetIntegration OPTIONS /items: %+v", gi)
	}
}
