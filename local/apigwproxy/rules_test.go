package apigwproxy_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/apibuilder/apibuilder/local/apigwproxy"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

// client is an API Gateway client of the stack's proxy that does not retry,
// so a refusal is seen as the first answer.
func client(st *stack.Stack) *apigateway.Client {
	return apigateway.NewFromConfig(st.AWSConfig(), func(o *apigateway.Options) {
		o.BaseEndpoint = aws.String(st.Endpoints.APIGateway)
		o.RetryMaxAttempts = 1
	})
}

// wantRefused fails unless err is AWS's answer code (HTTP status) whose
// message contains msg.
func wantRefused(t *testing.T, what string, err error, status int, code, msg string) {
	t.Helper()
	var re *smithyhttp.ResponseError
	var api interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &re) || !errors.As(err, &api) {
		t.Fatalf("%s: %v; want %d %s %q", what, err, status, code, msg)
	}
	if re.HTTPStatusCode() != status || api.ErrorCode() != code || !strings.Contains(api.ErrorMessage(), msg) {
		t.Errorf("%s: %d %s %q; want %d %s %q", what, re.HTTPStatusCode(), api.ErrorCode(), api.ErrorMessage(), status, code, msg)
	}
}

// restAPI is a REST API with GET / integrated (MOCK), ready to deploy.
func restAPI(t *testing.T, c *apigateway.Client, in *apigateway.CreateRestApiInput) (id, root string) {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	id, root = aws.ToString(api.Id), aws.ToString(res.Items[0].Id)
	putMethod(t, c, id, root, "GET")
	return id, root
}

func putMethod(t *testing.T, c *apigateway.Client, api, resource, verb string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &api, ResourceId: &resource, HttpMethod: &verb, AuthorizationType: aws.String("NONE")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &api, ResourceId: &resource, HttpMethod: &verb, Type: types.IntegrationTypeMock}); err != nil {
		t.Fatal(err)
	}
}

// TestModelNamesAreUnique: AWS answers 409 to a second model of the same
// name in one API; moto replaces the first.
func TestModelNamesAreUnique(t *testing.T) {
	ctx := context.Background()
	c := client(stacktest.Start(t, stack.Options{}))
	api, _ := restAPI(t, c, &apigateway.CreateRestApiInput{Name: aws.String("models")})
	in := &apigateway.CreateModelInput{RestApiId: &api, Name: aws.String("itemsdevgetitemResponse"), ContentType: aws.String("application/json"), Schema: aws.String(`{"type":"object"}`)}
	if _, err := c.CreateModel(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateModel(ctx, in)
	wantRefused(t, "a second model of the same name", err, http.StatusConflict, "ConflictException", "Another Model with the same name already exists")
	in.Name = aws.String("itemsdevgetitemRequest")
	if _, err := c.CreateModel(ctx, in); err != nil {
		t.Errorf("a model of another name: %v", err)
	}
}

// TestLoggingNeedsTheAccountRole: a stage's access logs, execution logs
// and data trace need the account's API Gateway CloudWatch role; once
// UpdateAccount set it, the same updates apply.
func TestLoggingNeedsTheAccountRole(t *testing.T) {
	ctx := context.Background()
	c := client(stacktest.Start(t, stack.Options{}))
	api, _ := restAPI(t, c, &apigateway.CreateRestApiInput{Name: aws.String("logging")})
	dep, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &api})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &api, StageName: aws.String("dev"), DeploymentId: dep.Id}); err != nil {
		t.Fatal(err)
	}
	replace := func(path, value string) types.PatchOperation {
		return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}
	logging := map[string][]types.PatchOperation{
		"access logs":    {replace("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:access"), replace("/accessLogSettings/format", `{"requestId":"$context.requestId"}`)},
		"execution logs": {replace("/*/*/logging/loglevel", "INFO")},
		"data trace":     {replace("/*/*/logging/dataTrace", "true")},
	}
	for what, ops := range logging {
		_, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &api, StageName: aws.String("dev"), PatchOperations: ops})
		wantRefused(t, what+" without the account's role", err, http.StatusBadRequest, "BadRequestException", "CloudWatch Logs role ARN must be set in account settings")
	}
	// Neither metrics nor logging off need the role.
	if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &api, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		replace("/*/*/metrics/enabled", "true"), replace("/*/*/logging/loglevel", "OFF")}}); err != nil {
		t.Errorf("metrics and logging OFF without the role: %v", err)
	}
	if _, err := c.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{
		replace("/cloudwatchRoleArn", "arn:aws:iam::000000000000:role/apigateway-cloudwatch")}}); err != nil {
		t.Fatal(err)
	}
	for what, ops := range logging {
		if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &api, StageName: aws.String("dev"), PatchOperations: ops}); err != nil {
			t.Errorf("%s with the account's role: %v", what, err)
		}
	}
}

// TestPrivateAPINeedsAPolicy: AWS refuses to deploy a PRIVATE API that has
// no resource policy.
func TestPrivateAPINeedsAPolicy(t *testing.T) {
	ctx := context.Background()
	c := client(stacktest.Start(t, stack.Options{}))
	api, _ := restAPI(t, c, &apigateway.CreateRestApiInput{Name: aws.String("private"),
		EndpointConfiguration: &types.EndpointConfiguration{Types: []types.EndpointType{types.EndpointTypePrivate}}})
	_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &api})
	wantRefused(t, "deploying a PRIVATE API without a policy", err, http.StatusBadRequest, "BadRequestException", "Private REST API doesn't have a resource policy attached to it")

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:000000000000:` + api + `/*"}]}`
	if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &api, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(policy)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &api}); err != nil {
		t.Errorf("deploying a PRIVATE API with a policy: %v", err)
	}

	regional, _ := restAPI(t, c, &apigateway.CreateRestApiInput{Name: aws.String("regional")})
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &regional}); err != nil {
		t.Errorf("deploying a REGIONAL API without a policy: %v", err)
	}
}

// TestDeploymentSnapshots: a read naming a deployment (SnapshotHeader)
// answers the API as it was when that deployment was created, as AWS
// serves a stage; reads without it answer the API as it is now. A
// deployment a stage points at cannot be deleted.
func TestDeploymentSnapshots(t *testing.T) {
	ctx := context.Background()
	c := client(stacktest.Start(t, stack.Options{}))
	api, root := restAPI(t, c, &apigateway.CreateRestApiInput{Name: aws.String("snapshots")})
	gone, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &api, ParentId: &root, PathPart: aws.String("gone")})
	if err != nil {
		t.Fatal(err)
	}
	putMethod(t, c, api, aws.ToString(gone.Id), "GET")
	first, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &api})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigateway.CreateStageInput{RestApiId: &api, StageName: aws.String("dev"), DeploymentId: first.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: &api, ResourceId: gone.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: &api, Name: aws.String("Later"), ContentType: aws.String("application/json"), Schema: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}

	paths := func(deployment string) []string {
		t.Helper()
		var opts []func(*apigateway.Options)
		if deployment != "" {
			opts = append(opts, func(o *apigateway.Options) {
				o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(apigwproxy.SnapshotHeader, deployment))
			})
		}
		res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &api, Embed: []string{"methods"}}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range res.Items {
			for verb := range r.ResourceMethods {
				out = append(out, verb+" "+aws.ToString(r.Path))
			}
		}
		models, err := c.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: &api}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range models.Items {
			out = append(out, "model "+aws.ToString(m.Name))
		}
		return out
	}
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	if got := paths(aws.ToString(first.Id)); !has(got, "GET /gone") || has(got, "model Later") {
		t.Errorf("the first deployment's snapshot: %v; want GET /gone and no model Later (both came after it)", got)
	}
	if got := paths(""); has(got, "GET /gone") || !has(got, "model Later") {
		t.Errorf("the API now: %v; want no GET /gone and the model Later", got)
	}

	second, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &api})
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(aws.ToString(second.Id)); has(got, "GET /gone") || !has(got, "model Later") || !has(got, "GET /") {
		t.Errorf("the second deployment's snapshot: %v; want GET / and the model Later, no GET /gone", got)
	}

	_, err = c.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: &api, DeploymentId: first.Id})
	wantRefused(t, "deleting the stage's deployment", err, http.StatusBadRequest, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
	if _, err := c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: &api, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: second.Id}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDeployment(ctx, &apigateway.DeleteDeploymentInput{RestApiId: &api, DeploymentId: first.Id}); err != nil {
		t.Errorf("deleting a deployment no stage points at: %v", err)
	}
}
