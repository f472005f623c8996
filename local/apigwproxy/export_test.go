package apigwproxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func export(t *testing.T, c *apigateway.Client, api *string, typ, extensions string) ([]byte, map[string]any) {
	t.Helper()
	in := &apigateway.GetExportInput{RestApiId: api, StageName: aws.String("dev"), ExportType: aws.String(typ), Accepts: aws.String("application/json")}
	if extensions != "" {
		in.Parameters = map[string]string{"extensions": extensions}
	}
	out, err := c.GetExport(context.Background(), in)
	if err != nil {
		t.Fatalf("GetExport %s %s: %v", typ, extensions, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Body, &doc); err != nil {
		t.Fatalf("GetExport: %v\n%s", err, out.Body)
	}
	return out.Body, doc
}

func deploy(t *testing.T, c *apigateway.Client, api *string) {
	t.Helper()
	ctx := context.Background()
	d, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetStage(ctx, &apigateway.GetStageInput{RestApiId: api, StageName: aws.String("dev")})
	var nf *types.NotFoundException
	switch {
	case errors.As(err, &nf):
		_, err = c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: api, StageName: aws.String("dev"), DeploymentId: d.Id})
	case err == nil:
		_, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: api, StageName: aws.String("dev"),
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/deploymentId", aws.ToString(d.Id))}})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestExport exports the stage of an API imported from full.json: from
// the stage's deployment (a later import is not in it until the next
// deployment), with every extension, stable, and importable again into
// the same configuration.
func TestExport(t *testing.T) {
	c := importClient(t)
	ctx := context.Background()
	api := newAPI(t, c)
	putDoc(t, c, api, types.PutModeOverwrite, fullDoc(t))
	deploy(t, c, api)

	// A change after the deployment is not in the stage's export.
	changed := fullDoc(t)
	delete(obj(changed, "paths"), "/me")
	delete(obj(changed, "paths", "/items/{id}"), "delete")
	putDoc(t, c, api, types.PutModeOverwrite, changed)

	raw, doc := export(t, c, api, "oas30", "apigateway")
	if again, _ := export(t, c, api, "oas30", "apigateway"); !bytes.Equal(raw, again) {
		t.Errorf("two exports differ:\n%s\n%s", raw, again)
	}
	if doc["openapi"] != "3.0.1" || obj(doc, "info")["title"] != "import" {
		t.Errorf("openapi %v info %v", doc["openapi"], doc["info"])
	}
	if obj(doc, "paths", "/me") == nil || obj(doc, "paths", "/items/{id}", "delete") == nil {
		t.Errorf("export lacks what the deployment has (GET /me, DELETE /items/{id}): paths %v", keys(obj(doc, "paths")))
	}
	post := obj(doc, "paths", "/items", "post")
	x := obj(post, "x-amazon-apigateway-integration")
	if x["type"] != "aws_proxy" || x["httpMethod"] != "POST" || x["passthroughBehavior"] != "when_no_match" || x["timeoutInMillis"] != 29000.0 ||
		x["uri"] != "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:items-dev-create_item/invocations" {
		t.Errorf("POST /items integration %v", x)
	}
	if post["x-amazon-apigateway-request-validator"] != "body" || post["operationId"] != "create_item" ||
		fmt.Sprint(post["security"]) != "[map[api_key:[]]]" ||
		obj(post, "requestBody", "content", "application/json", "schema")["$ref"] != "#/components/schemas/Item" {
		t.Errorf("POST /items: %v", post)
	}
	me := obj(doc, "paths", "/me", "get")
	if fmt.Sprint(me["security"]) != "[map[users:[items/read items/write]]]" {
		t.Errorf("GET /me security %v", me["security"])
	}
	opts := obj(doc, "paths", "/items", "options", "x-amazon-apigateway-integration", "responses", "default")
	if opts["statusCode"] != "204" || obj(opts, "responseParameters")["method.response.header.Access-Control-Allow-Origin"] != "'https://app.example.com'" {
		t.Errorf("OPTIONS /items integration responses %v", opts)
	}
	if ref := obj(doc, "components", "schemas", "ItemList", "properties", "items", "items")["$ref"]; ref != "#/components/schemas/Item" {
		t.Errorf("ItemList items $ref %v, want the document's form", ref)
	}
	admin := obj(doc, "components", "securitySchemes", "admin")
	if admin["x-amazon-apigateway-authtype"] != "custom" || obj(admin, "x-amazon-apigateway-authorizer")["type"] != "token" ||
		obj(admin, "x-amazon-apigateway-authorizer")["identityValidationExpression"] != "^Bearer .+$" {
		t.Errorf("securitySchemes.admin %v", admin)
	}
	if doc["x-amazon-apigateway-api-key-source"] != "HEADER" || fmt.Sprint(doc["x-amazon-apigateway-binary-media-types"]) != "[image/png application/octet-stream]" ||
		len(obj(doc, "x-amazon-apigateway-request-validators")) != 3 || obj(doc, "x-amazon-apigateway-gateway-responses", "DEFAULT_4XX") == nil {
		t.Errorf("top-level extensions: %v %v %v %v", doc["x-amazon-apigateway-api-key-source"], doc["x-amazon-apigateway-binary-media-types"],
			doc["x-amazon-apigateway-request-validators"], doc["x-amazon-apigateway-gateway-responses"])
	}

	// The export imports into the same configuration: import it as a new
	// API, deploy, export again.
	out, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: raw, FailOnWarnings: true})
	if err != nil {
		t.Fatalf("ImportRestApi of the export: %v", err)
	}
	deploy(t, c, out.Id)
	_, doc2 := export(t, c, out.Id, "oas30", "apigateway")
	for _, k := range []string{"paths", "components", "x-amazon-apigateway-request-validators", "x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-binary-media-types"} {
		if !reflect.DeepEqual(doc[k], doc2[k]) {
			a, _ := json.Marshal(doc[k])
			b, _ := json.Marshal(doc2[k])
			t.Errorf("%s differs after export → import → export:\n%s\n%s", k, a, b)
		}
	}

	// The next deployment serves (and exports) the change.
	deploy(t, c, api)
	_, doc = export(t, c, api, "oas30", "apigateway")
	if obj(doc, "paths", "/me") != nil || obj(doc, "paths", "/items/{id}", "delete") != nil || obj(doc, "paths", "/items/{id}", "get") == nil {
		t.Errorf("after the next deployment: paths %v, /items/{id} %v", keys(obj(doc, "paths")), keys(obj(doc, "paths", "/items/{id}")))
	}

	// extensions=integrations: integrations only.
	_, plain := export(t, c, api, "oas30", "integrations")
	if obj(plain, "paths", "/items", "post", "x-amazon-apigateway-integration") == nil || plain["x-amazon-apigateway-request-validators"] != nil ||
		obj(plain, "components", "securitySchemes", "admin", "x-amazon-apigateway-authorizer") != nil {
		t.Errorf("extensions=integrations: %v", plain)
	}

	// Swagger 2.0, which imports too.
	sw, swDoc := export(t, c, api, "swagger", "apigateway")
	if swDoc["swagger"] != "2.0" || swDoc["basePath"] != "/dev" ||
		obj(swDoc, "definitions", "ItemList", "properties", "items", "items")["$ref"] != "#/definitions/Item" {
		t.Errorf("swagger export: %s", sw)
	}
	swAPI, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: sw, FailOnWarnings: true})
	if err != nil {
		t.Fatalf("ImportRestApi of the swagger export: %v", err)
	}
	deploy(t, c, swAPI.Id)
	_, doc3 := export(t, c, swAPI.Id, "oas30", "apigateway")
	if !reflect.DeepEqual(doc["paths"], doc3["paths"]) || !reflect.DeepEqual(doc["components"], doc3["components"]) {
		a, _ := json.Marshal(doc["paths"])
		b, _ := json.Marshal(doc3["paths"])
		t.Errorf("oas30 export of the swagger round trip differs:\n%s\n%s", a, b)
	}

	// A stage that does not exist is moto's NotFoundException.
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: api, StageName: aws.String("nope"), ExportType: aws.String("oas30")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown stage: err = %v, want NotFoundException", err)
	}
}
