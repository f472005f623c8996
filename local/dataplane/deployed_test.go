package dataplane

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/apibuilder/apibuilder/local/runner"
	localstack "github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
	"github.com/apibuilder/apibuilder/testkit"
)

// The access-log format of modules/api_gateway/stage.tf, as Terraform's
// jsonencode writes it (sorted keys), plus variables it does not use.
const moduleAccessLogFormat = `{"apiKeyId":"$context.identity.apiKeyId","errorMessage":"$context.error.message","httpMethod":"$context.httpMethod","ip":"$context.identity.sourceIp","latencyMs":"$context.responseLatency","path":"$context.path","requestId":"$context.requestId","requestTime":"$context.requestTime","resourcePath":"$context.resourcePath","responseLength":"$context.responseLength","status":"$context.status",` +
	`"principalId":"$context.authorizer.principalId","tenant":"$context.authorizer.sawTenant","epoch":"$context.requestTimeEpoch","stage":"$context.stage","apiId":"$context.apiId","protocol":"$context.protocol","integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage","unknown":"$context.noSuchThing"}`

// stack is one deployed API on moto + kumo, served by the data plane.
type stack struct {
	t      *testing.T
	api    *apigateway.Client
	apiID  string
	base   string
	clock  *fakeClock
	logs   *testkit.SyncBuffer
	runner *runner.Runner
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// deploy starts the emulators and the test function, and creates and
// deploys through the API Gateway API (as Terraform would):
//
//	GET /items          CUSTOM TOKEN authorizer (TTL 300 s, token must match ^[a-z]+$)
//	GET /items/{id}     CUSTOM REQUEST authorizer (X-User header + tenant query, no cache)
//	GET /iam            AWS_IAM
//	GET /cognito        COGNITO_USER_POOLS
//	GET /limited        method throttling 1 rps, burst 2
//	GET /keyed          API key; usage plan 1 rps burst 1, quota 3/DAY with offset 1
//	GET /authkeyed      CUSTOM TOKEN authorizer and an API key (see apiKeyFromAuthorizer)
//	ANY /echo/{proxy+}  API key (its own unlimited plan): the function echoes its event
//	POST /answer        the function answers the request's body (any proxy answer)
//	gateway responses   DEFAULT_4XX and DEFAULT_5XX carry CORS headers
//	stage dev           */* throttling 100 rps burst 100, the module's access-log format,
//	                    stage variable stageVariableName; binary media type image/png
func deploy(t *testing.T) *stack {
	if testing.Short() {
		t.Skip("starts moto, kumo and a handler")
	}
	ctx := context.Background()
	emu := stacktest.Start(t, localstack.Options{})
	lc, api := emu.Lambda(), emu.APIGateway()

	_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("fn"), Role: aws.String("arn:aws:iam::000000000000:role/fn"),
		Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Timeout: aws.Int32(5),
		Code: &ltypes.FunctionCode{ZipFile: dummyZip(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := runner.Start(ctx, runner.Config{Lambda: lc, KumoURL: emu.Endpoints.Kumo, ModuleRoot: ".", ExtraEnv: emu.AWSEnv()},
		[]runner.Function{{Name: "fn", SourceDir: "testdata/handler"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(run.Stop)

	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	restAPI, err := api.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("dataplane-test")})
	if err != nil {
		t.Fatal(err)
	}
	id := restAPI.Id
	must(api.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: id, PatchOperations: []types.PatchOperation{
		{Op: types.OpAdd, Path: aws.String("/binaryMediaTypes/image~1png")}}}))
	resources, err := api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	root := resources.Items[0].Id
	fnURI := aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:fn/invocations")
	resource := func(parent *string, part string) *string {
		r, err := api.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: parent, PathPart: &part})
		if err != nil {
			t.Fatal(err)
		}
		return r.Id
	}
	method := func(res *string, in apigateway.PutMethodInput) {
		in.RestApiId, in.ResourceId, in.HttpMethod = id, res, aws.String("GET")
		must(api.PutMethod(ctx, &in))
		must(api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: res, HttpMethod: aws.String("GET"),
			Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: fnURI}))
	}
	token, err := api.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("token"),
		Type: types.AuthorizerTypeToken, AuthorizerUri: fnURI, IdentitySource: aws.String("method.request.header.Authorization"),
		IdentityValidationExpression: aws.String("^[a-z]+$"), AuthorizerResultTtlInSeconds: aws.Int32(300)})
	if err != nil {
		t.Fatal(err)
	}
	request, err := api.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("request"),
		Type: types.AuthorizerTypeRequest, AuthorizerUri: fnURI,
		IdentitySource: aws.String("method.request.header.X-User, method.request.querystring.tenant"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := api.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("pool"),
		Type: types.AuthorizerTypeCognitoUserPools, IdentitySource: aws.String("method.request.header.Authorization"),
		ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Pool1"}})
	if err != nil {
		t.Fatal(err)
	}
	items := resource(root, "items")
	method(items, apigateway.PutMethodInput{AuthorizationType: aws.String("CUSTOM"), AuthorizerId: token.Id})
	method(resource(items, "{id}"), apigateway.PutMethodInput{AuthorizationType: aws.String("CUSTOM"), AuthorizerId: request.Id})
	method(resource(root, "iam"), apigateway.PutMethodInput{AuthorizationType: aws.String("AWS_IAM")})
	method(resource(root, "cognito"), apigateway.PutMethodInput{AuthorizationType: aws.String("COGNITO_USER_POOLS"), AuthorizerId: pool.Id})
	method(resource(root, "limited"), apigateway.PutMethodInput{AuthorizationType: aws.String("NONE")})
	method(resource(root, "keyed"), apigateway.PutMethodInput{AuthorizationType: aws.String("NONE"), ApiKeyRequired: true})
	method(resource(root, "authkeyed"), apigateway.PutMethodInput{AuthorizationType: aws.String("CUSTOM"), AuthorizerId: token.Id, ApiKeyRequired: true})
	echo := resource(resource(root, "echo"), "{proxy+}")
	must(api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: echo, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE"), ApiKeyRequired: true}))
	must(api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: echo, HttpMethod: aws.String("ANY"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: fnURI}))
	method(resource(root, "gone"), apigateway.PutMethodInput{AuthorizationType: aws.String("NONE")}) // see snapshot
	answer := resource(root, "answer")
	must(api.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: answer, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE")}))
	must(api.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: answer, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), Uri: fnURI}))
	cors := map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'https://app.example.com'"}
	for _, rt := range []types.GatewayResponseType{types.GatewayResponseTypeDefault4xx, types.GatewayResponseTypeDefault5xx} {
		must(api.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: rt, ResponseParameters: cors}))
	}
	must(api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("dev")}))
	replace := func(path, value string) types.PatchOperation {
		return types.PatchOperation{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}
	// Access logging needs the account's CloudWatch role, as on AWS.
	must(api.UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []types.PatchOperation{
		replace("/cloudwatchRoleArn", "arn:aws:iam::000000000000:role/apigateway-cloudwatch")}}))
	must(api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
		replace("/*/*/throttling/rateLimit", "100"), replace("/*/*/throttling/burstLimit", "100"),
		replace("/~1limited/GET/throttling/rateLimit", "1"), replace("/~1limited/GET/throttling/burstLimit", "2"),
		replace("/accessLogSettings/destinationArn", "arn:aws:logs:us-east-1:000000000000:log-group:access"),
		replace("/accessLogSettings/format", moduleAccessLogFormat),
		replace("/variables/stageVariableName", "stageVariableValue"),
	}}))
	plan, err := api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("plan"),
		ApiStages: []types.ApiStage{{ApiId: id, Stage: aws.String("dev")}},
		Throttle:  &types.ThrottleSettings{RateLimit: 1, BurstLimit: 1},
		Quota:     &types.QuotaSettings{Limit: 3, Offset: 1, Period: types.QuotaPeriodTypeDay}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k"), Enabled: true, Value: aws.String("test-key-value-0123456789")})
	if err != nil {
		t.Fatal(err)
	}
	must(api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")}))
	echoPlan, err := api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("echo"), ApiStages: []types.ApiStage{{ApiId: id, Stage: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	echoKey, err := api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("echo"), Enabled: true, Value: aws.String(echoKeyValue)})
	if err != nil {
		t.Fatal(err)
	}
	must(api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: echoPlan.Id, KeyId: echoKey.Id, KeyType: aws.String("API_KEY")}))

	s := &stack{t: t, api: api, apiID: aws.ToString(id), clock: &fakeClock{now: time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)}, logs: &testkit.SyncBuffer{}, runner: run}
	plane := httptest.NewUnstartedServer(New(Config{APIGateway: api, Lambda: lc, AccessLog: s.logs, Now: s.clock.Now}))
	plane.Listener = Listener(plane.Listener) // the client's header casing, as `local up` serves
	plane.Start()
	t.Cleanup(plane.Close)
	s.base = InvokeURL(plane.URL, s.apiID, "dev")
	return s
}

func dummyZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bootstrap")
	_, _ = w.Write([]byte("not used: the runner builds the handler from source"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type reply struct {
	status  int
	header  http.Header
	body    string
	message any            // "message" of an API Gateway error body
	event   map[string]any // the proxy event the function echoed
}

func (s *stack) get(path string, headers map[string]string) reply {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	var m map[string]any
	if json.Unmarshal(b, &m) == nil {
		r.message = m["message"]
		if _, ok := m["requestContext"]; ok {
			r.event = m
		}
	}
	return r
}

// authorizer is requestContext.authorizer of the echoed event.
func (r reply) authorizer() map[string]any {
	rc, _ := r.event["requestContext"].(map[string]any)
	a, _ := rc["authorizer"].(map[string]any)
	return a
}

func (s *stack) expectError(r reply, status int, message any) {
	s.t.Helper()
	if r.status != status || r.message != message {
		s.t.Errorf("got %d %s, want %d with message %v", r.status, r.body, status, message)
	}
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		s.t.Errorf("%d %v: gateway error without the CORS header of the gateway responses (got %q)", status, message, got)
	}
}

// invocations runs f and returns how many invocations the function received.
func (s *stack) invocations(f func()) int {
	before := s.runner.Invocations("fn")
	f()
	return s.runner.Invocations("fn") - before
}

func TestDeployedAPI(t *testing.T) {
	s := deploy(t)
	t.Run("TokenAuthorizer", s.tokenAuthorizer)
	t.Run("RequestAuthorizer", s.requestAuthorizer)
	t.Run("IAM", s.iam)
	t.Run("Cognito", s.cognito)
	t.Run("StageThrottling", s.stageThrottling)
	t.Run("UsagePlan", s.usagePlan)
	t.Run("AccessLog", s.accessLog)
	t.Run("ProxyEvent", s.proxyEvent)
	t.Run("ProxyAnswer", s.proxyAnswer)
	t.Run("Snapshot", s.snapshot)
	t.Run("APIKeyFromAuthorizer", s.apiKeyFromAuthorizer) // last: it redeploys with apiKeySource AUTHORIZER
}

func (s *stack) tokenAuthorizer(t *testing.T) {
	s.t = t
	if n := s.invocations(func() { s.expectError(s.get("/items", nil), 401, "Unauthorized") }); n != 0 {
		t.Errorf("a missing token invoked the authorizer (%d invocations)", n)
	}
	if n := s.invocations(func() {
		s.expectError(s.get("/items", map[string]string{"Authorization": "Not-Valid"}), 401, "Unauthorized")
	}); n != 0 {
		t.Errorf("a token failing identityValidationExpression invoked the authorizer (%d invocations)", n)
	}
	var r reply
	if n := s.invocations(func() { r = s.get("/items", map[string]string{"Authorization": "allow"}) }); n != 2 || r.status != 200 {
		t.Fatalf("allow: %d %s after %d invocations, want 200 after the authorizer and the function", r.status, r.body, n)
	}
	want := map[string]any{
		"principalId": "user-allow", "level": "3", "admin": "true", "sawType": "TOKEN",
		"sawMethodArn": "arn:aws:execute-api:us-east-1:000000000000:" + s.apiID + "/dev/GET/items",
	}
	a := r.authorizer()
	for k, v := range want {
		if a[k] != v {
			t.Errorf("requestContext.authorizer[%s] = %v, want %v (all: %v)", k, a[k], v, a)
		}
	}
	if _, ok := a["usageIdentifierKey"]; ok {
		t.Error("usageIdentifierKey leaked into requestContext.authorizer")
	}
	// Within the TTL the cached policy answers; the authorizer is not called.
	if n := s.invocations(func() { r = s.get("/items", map[string]string{"Authorization": "allow"}) }); n != 1 || r.status != 200 {
		t.Errorf("cached allow: %d after %d invocations, want 200 after the function only", r.status, n)
	}
	s.clock.Advance(301 * time.Second)
	if n := s.invocations(func() { r = s.get("/items", map[string]string{"Authorization": "allow"}) }); n != 2 || r.status != 200 {
		t.Errorf("allow after the TTL: %d after %d invocations, want the authorizer called again", r.status, n)
	}
	if n := s.invocations(func() {
		s.expectError(s.get("/items", map[string]string{"Authorization": "deny"}), 403, msgExplicitDeny)
	}); n != 1 {
		t.Errorf("deny: %d invocations, want the authorizer only", n)
	}
	s.expectError(s.get("/items", map[string]string{"Authorization": "other"}), 403, msgImplicitDeny)
	s.expectError(s.get("/items", map[string]string{"Authorization": "unauthorized"}), 401, "Unauthorized")
	r = s.get("/items", map[string]string{"Authorization": "boom"})
	s.expectError(r, 500, nil)
	if r.header.Get("x-amzn-ErrorType") != "AuthorizerConfigurationException" || strings.TrimSpace(r.body) != `{"message":null}` {
		t.Errorf("failing authorizer: %s %q, want AuthorizerConfigurationException {\"message\":null}", r.header.Get("x-amzn-ErrorType"), r.body)
	}
}

func (s *stack) requestAuthorizer(t *testing.T) {
	s.t = t
	if n := s.invocations(func() {
		s.expectError(s.get("/items/42", map[string]string{"X-User": "wildcard"}), 401, "Unauthorized")
	}); n != 0 {
		t.Errorf("a missing identity source (tenant) invoked the authorizer (%d invocations)", n)
	}
	var r reply
	for range 2 { // TTL 0: no cache, the authorizer runs every time
		if n := s.invocations(func() { r = s.get("/items/42?tenant=acme", map[string]string{"X-User": "wildcard"}) }); n != 2 || r.status != 200 {
			t.Fatalf("wildcard: %d %s after %d invocations, want 200 after the authorizer and the function", r.status, r.body, n)
		}
	}
	a := r.authorizer()
	rc := r.event["requestContext"].(map[string]any)
	want := map[string]any{
		"principalId": "user-wildcard", "sawType": "REQUEST", "sawPath": "/items/42", "sawTenant": "acme", "sawId": "42",
		"sawRequestId": rc["requestId"],
		"sawMethodArn": "arn:aws:execute-api:us-east-1:000000000000:" + s.apiID + "/dev/GET/items/42",
	}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("requestContext.authorizer[%s] = %v, want %v", k, a[k], v)
		}
	}
	s.expectError(s.get("/items/42?tenant=acme", map[string]string{"X-User": "deny"}), 403, msgExplicitDeny)
}

func (s *stack) iam(t *testing.T) {
	s.t = t
	s.expectError(s.get("/iam", nil), 403, "Missing Authentication Token")
	r := s.get("/iam", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/us-east-1/execute-api/aws4_request"})
	s.expectError(r, 403, "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	r = s.get("/iam", map[string]string{
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123abcd",
		"X-Amz-Date":    "20260304T120000Z",
	})
	identity, _ := r.event["requestContext"].(map[string]any)["identity"].(map[string]any)
	if r.status != 200 || identity["accessKey"] != "AKIDEXAMPLE" {
		t.Errorf("signed request: %d, identity %v; want 200 with accessKey AKIDEXAMPLE", r.status, identity)
	}
}

func jwt(claims map[string]any) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	return enc(map[string]string{"alg": "RS256", "kid": "local"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func (s *stack) cognito(t *testing.T) {
	s.t = t
	now := s.clock.Now().Unix()
	iss := "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1"
	s.expectError(s.get("/cognito", nil), 401, "Unauthorized")
	s.expectError(s.get("/cognito", map[string]string{"Authorization": "not-a-jwt"}), 401, "Unauthorized")
	s.expectError(s.get("/cognito", map[string]string{"Authorization": jwt(map[string]any{"sub": "u1", "iss": iss, "exp": now - 1})}), 401, "Unauthorized")
	s.expectError(s.get("/cognito", map[string]string{"Authorization": jwt(map[string]any{"sub": "u1", "iss": iss + "x", "exp": now + 60})}), 401, "Unauthorized")
	r := s.get("/cognito", map[string]string{"Authorization": jwt(map[string]any{"sub": "u1", "iss": iss, "exp": now + 60, "email": "a@example.com"})})
	claims, _ := r.authorizer()["claims"].(map[string]any)
	if r.status != 200 || claims["sub"] != "u1" || claims["email"] != "a@example.com" {
		t.Errorf("valid token: %d, claims %v; want 200 with sub and email", r.status, claims)
	}
}

func (s *stack) stageThrottling(t *testing.T) {
	s.t = t
	for i := range 2 { // the burst
		if r := s.get("/limited", nil); r.status != 200 {
			t.Fatalf("request %d within the burst: %d %s", i+1, r.status, r.body)
		}
	}
	var r reply
	if n := s.invocations(func() { r = s.get("/limited", nil) }); n != 0 {
		t.Errorf("a throttled request reached the function")
	}
	s.expectError(r, 429, "Too Many Requests")
	if r.header.Get("x-amzn-ErrorType") != "TooManyRequestsException" {
		t.Errorf("x-amzn-ErrorType = %q", r.header.Get("x-amzn-ErrorType"))
	}
	s.clock.Advance(time.Second) // refills one token at 1 rps
	if r := s.get("/limited", nil); r.status != 200 {
		t.Errorf("after a second: %d, want 200", r.status)
	}
	s.expectError(s.get("/limited", nil), 429, "Too Many Requests")
	// Another method has its own bucket of the stage default (*/*).
	if r := s.get("/iam", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=A/20260304/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00", "Date": "x"}); r.status != 200 {
		t.Errorf("another method was throttled by /limited's bucket: %d", r.status)
	}
}

func (s *stack) usagePlan(t *testing.T) {
	s.t = t
	key := map[string]string{"x-api-key": "test-key-value-0123456789"}
	s.expectError(s.get("/keyed", nil), 403, "Forbidden")
	r := s.get("/keyed", key)
	if r.status != 200 {
		t.Fatalf("first keyed request: %d %s", r.status, r.body)
	}
	// Plan throttle: 1 rps, burst 1. A throttled request does not count against the quota.
	s.expectError(s.get("/keyed", key), 429, "Too Many Requests")
	s.clock.Advance(time.Second)
	if r := s.get("/keyed", key); r.status != 200 {
		t.Fatalf("second keyed request: %d %s", r.status, r.body)
	}
	// Quota 3 per day, 1 of which the offset used up: the third is refused.
	s.clock.Advance(time.Second)
	r = s.get("/keyed", key)
	s.expectError(r, 429, "Limit Exceeded")
	if r.header.Get("x-amzn-ErrorType") != "LimitExceededException" {
		t.Errorf("x-amzn-ErrorType = %q", r.header.Get("x-amzn-ErrorType"))
	}
	s.clock.Advance(24 * time.Hour) // a new day, a new quota (without the offset)
	for i := range 3 {
		if r := s.get("/keyed", key); r.status != 200 {
			t.Errorf("next day, request %d: %d %s", i+1, r.status, r.body)
		}
		s.clock.Advance(time.Second)
	}
	s.expectError(s.get("/keyed", key), 429, "Limit Exceeded")
}

func (s *stack) accessLog(t *testing.T) {
	s.t = t
	before := len(strings.Split(strings.TrimSpace(s.logs.String()), "\n"))
	at := s.clock.Now().UTC()
	ok := s.get("/items/7?tenant=acme", map[string]string{"X-User": "wildcard"})
	denied := s.get("/items/7?tenant=acme", map[string]string{"X-User": "deny"})
	lines := strings.Split(strings.TrimSpace(s.logs.String()), "\n")[before:]
	if len(lines) != 2 {
		t.Fatalf("want 2 new access-log lines, got %d:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	var got, gotDenied map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("the module's format did not render as JSON: %v\n%s", err, lines[0])
	}
	if err := json.Unmarshal([]byte(lines[1]), &gotDenied); err != nil {
		t.Fatalf("%v\n%s", err, lines[1])
	}
	want := map[string]string{
		"requestId": ok.header.Get("x-amzn-RequestId"), "httpMethod": "GET", "ip": "127.0.0.1",
		"resourcePath": "/items/{id}", "path": "/dev/items/7", "status": "200", "responseLength": strconv.Itoa(len(ok.body)),
		"principalId": "user-wildcard", "tenant": "acme", "stage": "dev", "apiId": s.apiID, "protocol": "HTTP/1.1",
		"requestTime": at.Format("02/Jan/2006:15:04:05 +0000"), "epoch": strconv.FormatInt(at.UnixMilli(), 10),
		"errorMessage": "-", "apiKeyId": "-", "integrationError": "-", "unknown": "-",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("access log %s = %q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"latencyMs", "integrationLatency"} {
		if got[k] == "-" || strings.Trim(got[k], "0123456789") != "" {
			t.Errorf("access log %s = %q, want milliseconds", k, got[k])
		}
	}
	if gotDenied["status"] != "403" || gotDenied["errorMessage"] != msgExplicitDeny || gotDenied["integrationLatency"] != "-" || denied.status != 403 {
		t.Errorf("denied request logged as %v", gotDenied)
	}
}

// With apiKeySource AUTHORIZER the key is the authorizer's
// usageIdentifierKey, not the x-api-key header.
func (s *stack) apiKeyFromAuthorizer(t *testing.T) {
	s.t = t
	ctx := context.Background()
	id := aws.String(s.apiID)
	key, err := s.api.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("from-authorizer"), Enabled: true, Value: aws.String("key-from-authorizer-allow")})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.api.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("unlimited"), ApiStages: []types.ApiStage{{ApiId: id, Stage: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")}); err != nil {
		t.Fatal(err)
	}
	allow := map[string]string{"Authorization": "allow"}
	if r := s.get("/authkeyed", allow); r.status != 403 {
		t.Errorf("apiKeySource HEADER without x-api-key: %d, want 403", r.status)
	}
	if _, err := s.api.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: id, PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/apiKeySource"), Value: aws.String("AUTHORIZER")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	r := s.get("/authkeyed", allow)
	identity, _ := r.event["requestContext"].(map[string]any)["identity"].(map[string]any)
	if r.status != 200 || identity["apiKey"] != "key-from-authorizer-allow" || identity["apiKeyId"] != aws.ToString(key.Id) {
		t.Errorf("the authorizer's usageIdentifierKey: %d, identity %v; want 200 with its key", r.status, identity)
	}
	// "wildcard"'s usageIdentifierKey is no key of a plan.
	s.expectError(s.get("/authkeyed", map[string]string{"Authorization": "wildcard", "x-api-key": "key-from-authorizer-allow"}), 403, "Forbidden")
}

// A stage serves its deployment, a snapshot of the API when it was
// created, whatever happens to the API afterwards. This is the order in
// which Terraform removes a route (the new deployment and the stage move
// first, the route's method and resource are deleted last): the removed
// route still answers until the next deployment, as on AWS.
func (s *stack) snapshot(t *testing.T) {
	s.t = t
	ctx := context.Background()
	id := aws.String(s.apiID)
	redeploy := func() {
		t.Helper()
		dep, err := s.api.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.api.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: id, StageName: aws.String("dev"), PatchOperations: []types.PatchOperation{
			{Op: types.OpReplace, Path: aws.String("/deploymentId"), Value: dep.Id}}}); err != nil {
			t.Fatal(err)
		}
	}
	redeploy()
	resources, err := s.api.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resources.Items {
		if aws.ToString(r.Path) == "/gone" {
			if _, err := s.api.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: id, ResourceId: r.Id}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The data plane reads the new deployment only now, after the deletion.
	if r := s.get("/gone", nil); r.status != 200 {
		t.Errorf("GET /gone, deleted after the stage's deployment was made: %d %s; want 200, the deployment still has it", r.status, r.body)
	}
	redeploy()
	s.expectError(s.get("/gone", nil), 403, "Missing Authentication Token")
}
