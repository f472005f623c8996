package apigwproxy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/apibuilder/apibuilder/local/instrument"
	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

const (
	fnURI  = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"
	fn2URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:g/invocations"
)

func op(o types.Op, path, value string) types.PatchOperation {
	p := types.PatchOperation{Op: o, Path: aws.String(path)}
	if value != "" {
		p.Value = aws.String(value)
	}
	return p
}

// gapAPI is what every gap starts from: a REST API of its own whose root
// has a GET method with a query parameter, a method response 200 with a
// model, an AWS_PROXY integration (timeout gapTimeout, a request template)
// and an integration response 200 with a template.
type gapAPI struct {
	st      *stack.Stack
	c       *apigateway.Client
	a, r, h *string
}

// gapTimeout is the fixture integration's timeoutInMillis.
const gapTimeout = 29000

func newGapAPI(t *testing.T, st *stack.Stack, c *apigateway.Client) *gapAPI {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("gaps")})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	a, r, h := api.Id, res.Items[0].Id, aws.String("GET")
	if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h,
		AuthorizationType: aws.String("NONE"),
		RequestParameters: map[string]bool{"method.request.querystring.q": false},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: a, ResourceId: r, HttpMethod: h,
		StatusCode: aws.String("200"), ResponseModels: map[string]string{"application/json": "Empty"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: h,
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(fnURI),
		TimeoutInMillis:  aws.Int32(gapTimeout),
		RequestTemplates: map[string]string{"application/json": "{}"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: a, ResourceId: r, HttpMethod: h,
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": "$input.body"},
	}); err != nil {
		t.Fatal(err)
	}
	return &gapAPI{st: st, c: c, a: a, r: r, h: h}
}

// requireKept checks what moto's PUTs drop is still there.
func (g *gapAPI) requireKept(t *testing.T) {
	t.Helper()
	got, err := g.c.GetMethod(context.Background(), &apigateway.GetMethodInput{RestApiId: g.a, ResourceId: g.r, HttpMethod: g.h})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.MethodResponses["200"]; !ok {
		t.Errorf("method response 200 lost: %v", got.MethodResponses)
	}
	if got.MethodIntegration == nil || got.MethodIntegration.IntegrationResponses["200"].ResponseTemplates["application/json"] == "" {
		t.Errorf("integration or its response 200 lost: %+v", got.MethodIntegration)
	}
}

// motoGaps are the in-place updates the AWS provider makes that moto 5.2.1
// lacks or gets wrong (see motogaps.go): each gap is driven through the
// stack's proxy on an API of its own and every result is read back.
var motoGaps = []struct {
	name, gap string
	run       func(t *testing.T, g *gapAPI)
}{
	{"UpdateIntegration", "moto has no UpdateIntegration; the proxy patches the integration it reads and re-puts it, and counts only the client's call", func(t *testing.T, g *gapAPI) {
		ctx, st, c, a, r, h, requireKept := context.Background(), g.st, g.c, g.a, g.r, g.h, g.requireKept
		before := st.APIGatewayCalls()
		out, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			PatchOperations: []types.PatchOperation{
				op(types.OpReplace, "/timeoutInMillis", "5000"),
				op(types.OpReplace, "/uri", fn2URI),
				op(types.OpAdd, "/requestParameters/integration.request.header.X-Q", "method.request.querystring.q"),
				op(types.OpRemove, "/requestTemplates/application~1json", ""),
			}})
		if err != nil {
			t.Fatal(err)
		}
		if out.TimeoutInMillis != 5000 || aws.ToString(out.Uri) != fn2URI {
			t.Errorf("answer: timeout %d uri %s, want 5000 %s", out.TimeoutInMillis, aws.ToString(out.Uri), fn2URI)
		}
		got, err := c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: h})
		if err != nil {
			t.Fatal(err)
		}
		if got.TimeoutInMillis != 5000 || aws.ToString(got.Uri) != fn2URI ||
			got.Type != types.IntegrationTypeAwsProxy || aws.ToString(got.HttpMethod) != "POST" {
			t.Errorf("read back: %+v", got)
		}
		if got.RequestParameters["integration.request.header.X-Q"] != "method.request.querystring.q" {
			t.Errorf("requestParameters = %v", got.RequestParameters)
		}
		if _, ok := got.RequestTemplates["application/json"]; ok {
			t.Errorf("requestTemplates = %v, want application/json removed", got.RequestTemplates)
		}
		requireKept(t)
		// The client's one call is counted, the proxy's GET/PUTs are not.
		after := st.APIGatewayCalls()
		const opName = "PATCH /restapis/{id}/resources/{id}/methods/{id}/integration"
		if after[opName]-before[opName] != 1 || instrument.TotalCalls(after)-instrument.TotalCalls(before) != 3 {
			t.Errorf("calls %v -> %v: want the test's UpdateIntegration, GetIntegration and GetMethod only", before, after)
		}
	}},
	{"UpdateMethod", "moto has no UpdateMethod; re-putting the method must keep its integration and responses", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r, h, requireKept := context.Background(), g.c, g.a, g.r, g.h, g.requireKept
		out, err := c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			PatchOperations: []types.PatchOperation{
				op(types.OpReplace, "/apiKeyRequired", "true"),
				op(types.OpAdd, "/requestParameters/method.request.header.X-Id", "true"),
				op(types.OpRemove, "/requestParameters/method.request.querystring.q", ""),
			}})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(out.ApiKeyRequired) {
			t.Errorf("answer: apiKeyRequired false")
		}
		got, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]bool{"method.request.header.X-Id": true}; !aws.ToBool(got.ApiKeyRequired) || len(got.RequestParameters) != 1 || !got.RequestParameters["method.request.header.X-Id"] {
			t.Errorf("read back: apiKeyRequired %v params %v, want true %v", aws.ToBool(got.ApiKeyRequired), got.RequestParameters, want)
		}
		if got.MethodIntegration.TimeoutInMillis != gapTimeout {
			t.Errorf("integration changed by UpdateMethod: %+v", got.MethodIntegration)
		}
		requireKept(t)
	}},
	{"UpdateMethodClearsValidatorThenEmptyUpdateIntegration", "the provider clears a validator with a valueless replace, then sends an empty UpdateIntegration", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r, h, requireKept := context.Background(), g.c, g.a, g.r, g.h, g.requireKept
		v, err := c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: a, Name: aws.String("body"), ValidateRequestBody: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/requestValidatorId", aws.ToString(v.Id))}}); err != nil {
			t.Fatal(err)
		}
		// The provider clears a validator with a valueless replace, and
		// after every UpdateMethod sends an UpdateIntegration, often empty.
		if _, err := c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/requestValidatorId")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			PatchOperations: []types.PatchOperation{}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h})
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestValidatorId != nil || got.MethodIntegration.TimeoutInMillis != gapTimeout {
			t.Errorf("read back: validator %q timeout %d, want none and %d", aws.ToString(got.RequestValidatorId), got.MethodIntegration.TimeoutInMillis, gapTimeout)
		}
		requireKept(t)
	}},
	{"UpdateRestApiBinaryMediaTypes", "moto ignores binaryMediaTypes patches", func(t *testing.T, g *gapAPI) {
		ctx, c, a := context.Background(), g.c, g.a
		for _, ops := range [][]types.PatchOperation{
			{op(types.OpAdd, "/binaryMediaTypes/image~1png", ""), op(types.OpAdd, "/binaryMediaTypes/application~1pdf", "")},
			{op(types.OpRemove, "/binaryMediaTypes/image~1png", "")},
		} {
			if _, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: a, PatchOperations: ops}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: a})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.BinaryMediaTypes) != 1 || got.BinaryMediaTypes[0] != "application/pdf" {
			t.Errorf("binaryMediaTypes = %q, want [application/pdf]", got.BinaryMediaTypes)
		}
	}},
	{"UpdateMethodResponse", "moto has no UpdateMethodResponse", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r, h, requireKept := context.Background(), g.c, g.a, g.r, g.h, g.requireKept
		if _, err := c.UpdateMethodResponse(ctx, &apigateway.UpdateMethodResponseInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			StatusCode: aws.String("200"),
			PatchOperations: []types.PatchOperation{
				op(types.OpReplace, "/responseModels/application~1json", "Error"),
				op(types.OpAdd, "/responseParameters/method.response.header.X-Id", "false"),
			}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetMethodResponse(ctx, &apigateway.GetMethodResponseInput{RestApiId: a, ResourceId: r, HttpMethod: h, StatusCode: aws.String("200")})
		if err != nil {
			t.Fatal(err)
		}
		v, ok := got.ResponseParameters["method.response.header.X-Id"]
		if got.ResponseModels["application/json"] != "Error" || !ok || v {
			t.Errorf("read back: models %v params %v", got.ResponseModels, got.ResponseParameters)
		}
		requireKept(t)
	}},
	{"UpdateIntegrationResponse", "moto has no UpdateIntegrationResponse", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r, h := context.Background(), g.c, g.a, g.r, g.h
		if _, err := c.UpdateIntegrationResponse(ctx, &apigateway.UpdateIntegrationResponseInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			StatusCode:      aws.String("200"),
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/responseParameters/method.response.header.X-Id", "'v'")},
		}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetIntegrationResponse(ctx, &apigateway.GetIntegrationResponseInput{RestApiId: a, ResourceId: r, HttpMethod: h, StatusCode: aws.String("200")})
		if err != nil {
			t.Fatal(err)
		}
		if got.ResponseParameters["method.response.header.X-Id"] != "'v'" || got.ResponseTemplates["application/json"] != "$input.body" {
			t.Errorf("read back: params %v templates %v", got.ResponseParameters, got.ResponseTemplates)
		}
	}},
	{"CreateAuthorizerKeepsIdentityValidationExpression", "moto drops identityValidationExpression", func(t *testing.T, g *gapAPI) {
		ctx, c, a := context.Background(), g.c, g.a
		out, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: a, Name: aws.String("token"),
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(fnURI),
			IdentitySource:               aws.String("method.request.header.Authorization"),
			IdentityValidationExpression: aws.String("^Bearer .+$"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.IdentityValidationExpression) != "^Bearer .+$" || aws.ToString(out.Name) != "token" {
			t.Errorf("answer: %+v", out)
		}
		got, err := c.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: a, AuthorizerId: out.Id})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.IdentityValidationExpression) != "^Bearer .+$" || got.Type != types.AuthorizerTypeToken {
			t.Errorf("read back: %+v", got)
		}
	}},
	{"UpdateModel", "moto has no UpdateModel", func(t *testing.T, g *gapAPI) {
		ctx, c, a := context.Background(), g.c, g.a
		if _, err := c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: a, Name: aws.String("Item"),
			ContentType: aws.String("application/json"), Schema: aws.String(`{"type":"object"}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateModel(ctx, &apigateway.UpdateModelInput{RestApiId: a, ModelName: aws.String("Item"),
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/schema", `{"type":"string"}`), op(types.OpReplace, "/description", "d")},
		}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetModel(ctx, &apigateway.GetModelInput{RestApiId: a, ModelName: aws.String("Item")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.Schema) != `{"type":"string"}` || aws.ToString(got.Description) != "d" || aws.ToString(got.ContentType) != "application/json" {
			t.Errorf("read back: %+v", got)
		}
	}},
	{"UpdateGatewayResponse", "moto has no UpdateGatewayResponse", func(t *testing.T, g *gapAPI) {
		ctx, c, a := context.Background(), g.c, g.a
		if _, err := c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: a,
			ResponseType: types.GatewayResponseTypeDefault4xx, StatusCode: aws.String("400")}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateGatewayResponse(ctx, &apigateway.UpdateGatewayResponseInput{RestApiId: a,
			ResponseType: types.GatewayResponseTypeDefault4xx,
			PatchOperations: []types.PatchOperation{
				op(types.OpReplace, "/statusCode", "401"),
				op(types.OpAdd, "/responseParameters/gatewayresponse.header.X-Why", "'no'"),
			}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: a, ResponseType: types.GatewayResponseTypeDefault4xx})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(got.StatusCode) != "401" || got.ResponseParameters["gatewayresponse.header.X-Why"] != "'no'" {
			t.Errorf("read back: %+v", got)
		}
	}},
	{"UpdateUsagePlanQuotaStaysReadable", "moto's UpdateUsagePlan breaks the quota it answers later", func(t *testing.T, g *gapAPI) {
		ctx, c := context.Background(), g.c
		up, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("plan"),
			Quota:    &types.QuotaSettings{Limit: 100, Period: types.QuotaPeriodTypeDay},
			Throttle: &types.ThrottleSettings{RateLimit: 10, BurstLimit: 5}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateUsagePlan(ctx, &apigateway.UpdateUsagePlanInput{UsagePlanId: up.Id,
			PatchOperations: []types.PatchOperation{
				op(types.OpReplace, "/quota/limit", "200"),
				op(types.OpReplace, "/throttle/burstLimit", "7"),
				op(types.OpReplace, "/description", "d"),
			}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetUsagePlan(ctx, &apigateway.GetUsagePlanInput{UsagePlanId: up.Id})
		if err != nil {
			t.Fatal(err)
		}
		if got.Quota.Limit != 200 || got.Throttle.BurstLimit != 7 || aws.ToString(got.Description) != "d" {
			t.Errorf("read back: quota %+v throttle %+v description %q", got.Quota, got.Throttle, aws.ToString(got.Description))
		}
	}},
	{"ConcurrentWritesToOneMethod", "the provider applies in parallel; a fill's read-modify-write must not lose a concurrent write", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r, h, requireKept := context.Background(), g.c, g.a, g.r, g.h, g.requireKept
		// UpdateMethod re-puts the integration it read; a concurrent
		// UpdateIntegration (the provider applies in parallel) must not be
		// lost to it.
		for i := 1; i <= 10; i++ {
			timeout := fmt.Sprint(1000 * i)
			errs := make(chan error, 2)
			go func() {
				_, err := c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h,
					PatchOperations: []types.PatchOperation{op(types.OpReplace, "/apiKeyRequired", fmt.Sprint(i%2 == 0))}})
				errs <- err
			}()
			go func() {
				_, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: h,
					PatchOperations: []types.PatchOperation{op(types.OpReplace, "/timeoutInMillis", timeout)}})
				errs <- err
			}()
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			got, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: a, ResourceId: r, HttpMethod: h})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.MethodIntegration.TimeoutInMillis) != timeout || aws.ToBool(got.ApiKeyRequired) != (i%2 == 0) {
				t.Fatalf("round %d: timeout %d apiKeyRequired %v, want %s %v", i, got.MethodIntegration.TimeoutInMillis, aws.ToBool(got.ApiKeyRequired), timeout, i%2 == 0)
			}
		}
		requireKept(t)
	}},
	{"CacheKeyParameters", "moto drops cacheKeyParameters", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r := context.Background(), g.c, g.a, g.r
		post := aws.String("POST")
		if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: a, ResourceId: r, HttpMethod: post,
			AuthorizationType: aws.String("NONE"),
			RequestParameters: map[string]bool{"method.request.querystring.a": false, "method.request.querystring.b": false},
		}); err != nil {
			t.Fatal(err)
		}
		put := func(keys []string) {
			t.Helper()
			out, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: post,
				Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(fnURI),
				CacheKeyParameters: keys})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(out.CacheKeyParameters) != fmt.Sprint(keys) {
				t.Errorf("PutIntegration answer: cacheKeyParameters %v, want %v", out.CacheKeyParameters, keys)
			}
		}
		readBack := func(want string) {
			t.Helper()
			got, err := c.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: post})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: a, ResourceId: r, HttpMethod: post})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.CacheKeyParameters) != want || fmt.Sprint(m.MethodIntegration.CacheKeyParameters) != want {
				t.Errorf("cacheKeyParameters: GetIntegration %v, GetMethod %v, want %s", got.CacheKeyParameters, m.MethodIntegration.CacheKeyParameters, want)
			}
		}
		put([]string{"method.request.querystring.a"})
		readBack("[method.request.querystring.a]")
		if _, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: post,
			PatchOperations: []types.PatchOperation{
				op(types.OpAdd, "/cacheKeyParameters/method.request.querystring.b", ""),
				op(types.OpRemove, "/cacheKeyParameters/method.request.querystring.a", ""),
			}}); err != nil {
			t.Fatal(err)
		}
		readBack("[method.request.querystring.b]")
		// UpdateMethod re-puts the integration; the keys stay.
		if _, err := c.UpdateMethod(ctx, &apigateway.UpdateMethodInput{RestApiId: a, ResourceId: r, HttpMethod: post,
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/apiKeyRequired", "true")}}); err != nil {
			t.Fatal(err)
		}
		readBack("[method.request.querystring.b]")
		// A deleted integration takes its keys along.
		if _, err := c.DeleteIntegration(ctx, &apigateway.DeleteIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: post}); err != nil {
			t.Fatal(err)
		}
		put(nil)
		readBack("[]")
	}},
	{"Errors", "what the proxy cannot patch is refused, and moto's own errors pass through", func(t *testing.T, g *gapAPI) {
		ctx, c, a, r, h := context.Background(), g.c, g.a, g.r, g.h
		// A path AWS does not document is refused, not silently ignored.
		_, err := c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: h,
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/nope", "x")}})
		var bad *types.BadRequestException
		if !errors.As(err, &bad) {
			t.Errorf("unknown patch path: err = %v, want BadRequestException", err)
		}
		// moto's own errors pass through: no such method.
		_, err = c.UpdateIntegration(ctx, &apigateway.UpdateIntegrationInput{RestApiId: a, ResourceId: r, HttpMethod: aws.String("PUT"),
			PatchOperations: []types.PatchOperation{op(types.OpReplace, "/timeoutInMillis", "1000")}})
		var nf *types.NotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("missing method: err = %v, want NotFoundException", err)
		}
	}},
}

// TestMotoGaps runs each gap as its own subtest (go test -run
// 'TestMotoGaps/UpdateModel' runs one), on one stack.
func TestMotoGaps(t *testing.T) {
	st := stacktest.Start(t, stack.Options{Instrument: true})
	// No retries: a 500 must fail the test at once, and counts stay exact.
	c := apigateway.NewFromConfig(st.AWSConfig(), func(o *apigateway.Options) {
		o.BaseEndpoint = aws.String(st.Endpoints.APIGateway)
		o.RetryMaxAttempts = 1
	})
	for _, gap := range motoGaps {
		t.Run(gap.name, func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("the gap: %s", gap.gap)
				}
			}()
			gap.run(t, newGapAPI(t, st, c))
		})
	}
}
