package dataplane

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// awsGatewayResponseTypes are API Gateway's gateway response types and
// their default status codes, from "Gateway response types for API
// Gateway" in the API Gateway developer guide (DEFAULT_4XX and DEFAULT_5XX
// have none: 0).
var awsGatewayResponseTypes = map[string]int{
	"ACCESS_DENIED": 403, "API_CONFIGURATION_ERROR": 500, "AUTHORIZER_CONFIGURATION_ERROR": 500,
	"AUTHORIZER_FAILURE": 500, "BAD_REQUEST_PARAMETERS": 400, "BAD_REQUEST_BODY": 400,
	"DEFAULT_4XX": 0, "DEFAULT_5XX": 0, "EXPIRED_TOKEN": 403, "INTEGRATION_FAILURE": 504,
	"INTEGRATION_TIMEOUT": 504, "INVALID_API_KEY": 403, "INVALID_SIGNATURE": 403,
	"MISSING_AUTHENTICATION_TOKEN": 403, "QUOTA_EXCEEDED": 429, "REQUEST_TOO_LARGE": 413,
	"RESOURCE_NOT_FOUND": 404, "THROTTLED": 429, "UNAUTHORIZED": 401,
	"UNSUPPORTED_MEDIA_TYPE": 415, "WAF_FILTERED": 403,
}

// Every row has the default status AWS gives its type (DEFAULT_5XX: a 5xx),
// and every type AWS has is either answered by a row or listed, with why,
// as not answered locally.
func TestGatewayErrorsFollowAWSTypes(t *testing.T) {
	for e, a := range gatewayErrors {
		switch want, known := awsGatewayResponseTypes[a.Type]; {
		case a.Type == "" || a.Type == "INCOMPLETE_SIGNATURE":
			// no gateway response of its own (documented in its row)
		case !known:
			t.Errorf("row %d: %s is not an API Gateway gateway response type", e, a.Type)
		case a.Type == "DEFAULT_5XX" && a.Status/100 != 5, a.Type == "DEFAULT_4XX" && a.Status/100 != 4:
			t.Errorf("row %d: %s with status %d", e, a.Type, a.Status)
		case want != 0 && a.Status != want:
			t.Errorf("row %d: %s answers %d; API Gateway's default is %d", e, a.Type, a.Status, want)
		}
		if a.Why == "" {
			t.Errorf("row %d (%s) does not say when it is answered", e, a.Type)
		}
	}
	for typ := range awsGatewayResponseTypes {
		answered := slices.ContainsFunc(gatewayErrors[:], func(a gatewayAnswer) bool { return a.Type == typ })
		_, listed := notAnswered[typ]
		if answered == listed {
			t.Errorf("%s: answered by a row %v, listed as not answered %v; want exactly one", typ, answered, listed)
		}
	}
	for typ := range notAnswered {
		if _, ok := awsGatewayResponseTypes[typ]; !ok {
			t.Errorf("notAnswered lists %s, which is not an API Gateway type", typ)
		}
	}
}

// gwFake answers the control-plane calls the data plane makes: GetStage
// (stage dev, whose GET /throttled allows nothing), the API key key-1 of
// usage plan p1 (its daily quota of 1 already used by its offset), and
// Lambda Invoke of the functions named in the cases below.
func gwFake(w http.ResponseWriter, r *http.Request) {
	write := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch p := r.URL.Path; {
	case p == "/restapis/api1/stages/dev":
		write(map[string]any{"deploymentId": "dep1", "stageName": "dev",
			"methodSettings": map[string]any{"throttled/GET": map[string]any{"throttlingBurstLimit": 0, "throttlingRateLimit": 0}}})
	case p == "/apikeys":
		write(map[string]any{"item": []any{map[string]any{"id": "k1", "value": "key-1", "enabled": true}}})
	case p == "/usageplans":
		write(map[string]any{"item": []any{map[string]any{"id": "p1", "apiStages": []any{map[string]any{"apiId": "api1", "stage": "dev"}},
			"quota": map[string]any{"limit": 1, "offset": 1, "period": "DAY"}}}})
	case p == "/usageplans/p1/keys/k1":
		write(map[string]any{"id": "k1", "type": "API_KEY"})
	case strings.Contains(r.URL.EscapedPath(), "/functions/"):
		_, rest, _ := strings.Cut(r.URL.EscapedPath(), "/functions/")
		arn, _ := url.PathUnescape(strings.TrimSuffix(rest, "/invocations"))
		event, _ := io.ReadAll(r.Body)
		switch name := arn[strings.LastIndex(arn, ":")+1:]; name {
		case "auth": // a TOKEN authorizer: "deny" is denied, anything else allowed elsewhere only
			var ev struct{ AuthorizationToken string }
			_ = json.Unmarshal(event, &ev)
			effect, resource := "Allow", "arn:aws:execute-api:us-east-1:000000000000:api1/dev/GET/elsewhere"
			if ev.AuthorizationToken == "deny" {
				effect, resource = "Deny", "*"
			}
			write(map[string]any{"principalId": "u", "policyDocument": map[string]any{"Version": "2012-10-17",
				"Statement": []any{map[string]any{"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}}}})
		case "boom":
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			write(map[string]any{"errorMessage": "boom", "errorType": "Error"})
		case "malformed":
			_, _ = io.WriteString(w, `"not a proxy response"`)
		case "badbase64":
			write(map[string]any{"statusCode": 200, "isBase64Encoded": true, "body": "%%%"})
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"Type":"User","message":"Function not found"}`)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"not found"}`)
	}
}

// gwServer is a data plane serving api1/dev, whose resources reach every
// row, in front of gwFake. Every row's type has a gateway response adding
// the header X-Response-Type, so an answer shows which type it took.
func gwServer(t *testing.T) *Server {
	t.Helper()
	fake := httptest.NewServer(http.HandlerFunc(gwFake))
	t.Cleanup(fake.Close)
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	s := New(Config{
		APIGateway: apigateway.New(apigateway.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL), Credentials: creds, RetryMaxAttempts: 1}),
		Lambda:     lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(fake.URL), Credentials: creds, RetryMaxAttempts: 1}),
	})
	method := func(auth string, integ *types.Integration) types.Method {
		return types.Method{AuthorizationType: aws.String(auth), MethodIntegration: integ}
	}
	lambdaInteg := func(fn string) *types.Integration {
		return &types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: functionURI(fn)}
	}
	custom := method("CUSTOM", lambdaInteg("fn"))
	custom.AuthorizerId = aws.String("a1")
	unknownAuthorizer := method("CUSTOM", lambdaInteg("fn"))
	unknownAuthorizer.AuthorizerId = aws.String("nope")
	keyed := method("NONE", lambdaInteg("fn"))
	keyed.ApiKeyRequired = aws.Bool(true)
	validated := method("NONE", lambdaInteg("fn"))
	validated.RequestValidatorId = aws.String("all")
	validated.RequestParameters = map[string]bool{"method.request.querystring.limit": true}
	validated.RequestModels = map[string]string{"application/json": "Item"}
	brokenModel := method("NONE", lambdaInteg("fn"))
	brokenModel.RequestValidatorId = aws.String("all")
	brokenModel.RequestModels = map[string]string{"application/json": "Broken"}
	resources := map[string]types.Method{
		"/r":           method("NONE", lambdaInteg("fn")),
		"/iam":         method("AWS_IAM", lambdaInteg("fn")),
		"/token":       custom,
		"/badauth":     unknownAuthorizer,
		"/keyed":       keyed,
		"/throttled":   method("NONE", lambdaInteg("fn")),
		"/validated":   validated,
		"/brokenmodel": brokenModel,
		"/s3":          method("NONE", &types.Integration{Type: types.IntegrationTypeAws, Uri: aws.String("arn:aws:apigateway:us-east-1:s3:path/bucket/key")}),
		"/s3proxy":     method("NONE", &types.Integration{Type: types.IntegrationTypeAwsProxy, Uri: aws.String("arn:aws:apigateway:us-east-1:s3:path/bucket/key")}),
		"/badbase64":   method("NONE", lambdaInteg("badbase64")),
		"/missing":     method("NONE", lambdaInteg("missing")),
		"/boom":        method("NONE", lambdaInteg("boom")),
		"/malformed":   method("NONE", lambdaInteg("malformed")),
		"/nointeg":     method("NONE", nil),
	}
	d := &deployment{
		apiID: "api1", stage: "dev", deploymentID: "dep1", binaryTypes: []string{"*/*"},
		validators: map[string]types.RequestValidator{"all": {Id: aws.String("all"), ValidateRequestBody: true, ValidateRequestParameters: true}},
		models: map[string]string{
			"Item":   `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["id"]}`,
			"Broken": `{"type": 5}`,
		},
		compiled:         map[string]*jsonschema.Schema{},
		gatewayResponses: map[string]types.GatewayResponse{},
		authorizers: map[string]types.Authorizer{"a1": {Id: aws.String("a1"), Type: types.AuthorizerTypeToken, AuthorizerUri: functionURI("auth"),
			IdentitySource: aws.String("method.request.header.Authorization"), AuthorizerResultTtlInSeconds: aws.Int32(0)}},
		authCache: map[string]cachedAuth{},
	}
	i := 0
	for p, m := range resources {
		i++
		verb := "GET"
		if p == "/validated" || p == "/brokenmodel" {
			verb = "POST"
		}
		d.resources = append(d.resources, &resource{id: "res" + strconv.Itoa(i), path: p, segments: split(p), methods: map[string]types.Method{verb: m}})
	}
	for _, a := range gatewayErrors {
		if a.Type == "" {
			continue
		}
		d.gatewayResponses[a.Type] = types.GatewayResponse{ResponseParameters: map[string]string{"gatewayresponse.header.X-Response-Type": "'" + a.Type + "'"}}
	}
	s.cache["api1/dev"] = d
	return s
}

// Each row, answered through the data plane's handler: status,
// x-amzn-ErrorType, {"message": ...} and the gateway response type.
func TestEveryGatewayErrorThroughTheHandler(t *testing.T) {
	s := gwServer(t)
	const base = "http://x/restapis/api1/dev/_user_request_"
	// What each answer must be, written out (not read from the table):
	// status, x-amzn-ErrorType, message (nil: null) and gateway response type.
	type answer struct {
		status    int
		errorType string
		message   any
		typ       string
	}
	var (
		missingToken = answer{403, "MissingAuthenticationTokenException", "Missing Authentication Token", "MISSING_AUTHENTICATION_TOKEN"}
		forbiddenKey = answer{403, "ForbiddenException", "Forbidden", "INVALID_API_KEY"}
		badBody      = answer{400, "BadRequestException", "Invalid request body", "BAD_REQUEST_BODY"}
		configError  = answer{500, "InternalServerErrorException", "Internal server error", "API_CONFIGURATION_ERROR"}
		internal500  = answer{500, "InternalServerErrorException", "Internal server error", "DEFAULT_5XX"}
		internal502  = answer{502, "InternalServerErrorException", "Internal server error", "DEFAULT_5XX"}
	)
	cases := []struct {
		name    string
		row     gatewayError
		method  string
		url     string
		headers map[string]string
		body    string
		want    answer
	}{
		{"no resource matches", missingAuthenticationToken, "GET", base + "/nowhere", nil, "", missingToken},
		{"no method matches", missingAuthenticationToken, "DELETE", base + "/r", nil, "", missingToken},
		{"AWS_IAM without a signature", missingAuthenticationToken, "GET", base + "/iam", nil, "", missingToken},
		{"AWS_IAM with a partial signature", incompleteSignature, "GET", base + "/iam",
			map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api/aws4_request"}, "",
			answer{403, "IncompleteSignatureException", "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", "INCOMPLETE_SIGNATURE"}},
		{"no token for the authorizer", unauthorized, "GET", base + "/token", nil, "", answer{401, "UnauthorizedException", "Unauthorized", "UNAUTHORIZED"}},
		{"authorizer denies", accessDeniedExplicit, "GET", base + "/token", map[string]string{"Authorization": "deny"}, "",
			answer{403, "AccessDeniedException", "User is not authorized to access this resource with an explicit deny", "ACCESS_DENIED"}},
		{"authorizer allows elsewhere only", accessDeniedImplicit, "GET", base + "/token", map[string]string{"Authorization": "other"}, "",
			answer{403, "AccessDeniedException", "User is not authorized to access this resource", "ACCESS_DENIED"}},
		{"unknown authorizer", authorizerConfigurationError, "GET", base + "/badauth", nil, "",
			answer{500, "AuthorizerConfigurationException", nil, "AUTHORIZER_CONFIGURATION_ERROR"}},
		{"no API key", invalidAPIKey, "GET", base + "/keyed", nil, "", forbiddenKey},
		{"unknown API key", invalidAPIKey, "GET", base + "/keyed", map[string]string{"x-api-key": "nope"}, "", forbiddenKey},
		{"quota used up", quotaExceeded, "GET", base + "/keyed", map[string]string{"x-api-key": "key-1"}, "",
			answer{429, "LimitExceededException", "Limit Exceeded", "QUOTA_EXCEEDED"}},
		{"stage throttle", throttled, "GET", base + "/throttled", nil, "", answer{429, "TooManyRequestsException", "Too Many Requests", "THROTTLED"}},
		{"missing parameter", badRequestParameters, "POST", base + "/validated", map[string]string{"Content-Type": "application/json"}, `{"id":"a"}`,
			answer{400, "BadRequestException", "Missing required request parameters: [limit]", "BAD_REQUEST_PARAMETERS"}},
		{"body not JSON", badRequestBody, "POST", base + "/validated?limit=1", map[string]string{"Content-Type": "application/json"}, `{`, badBody},
		{"body against the model", badRequestBody, "POST", base + "/validated?limit=1", map[string]string{"Content-Type": "application/json"}, `{"name":"x"}`, badBody},
		{"model is no schema", apiConfigurationError, "POST", base + "/brokenmodel", map[string]string{"Content-Type": "application/json"}, `{}`, configError},
		{"AWS_PROXY to no function", apiConfigurationError, "GET", base + "/s3proxy", nil, "", configError},
		{"isBase64Encoded body is not base64", apiConfigurationError, "GET", base + "/badbase64", nil, "", configError},
		{"no such function", invokeFailed, "GET", base + "/missing", nil, "", internal500},
		{"function error", functionFailed, "GET", base + "/boom", nil, "", internal502},
		{"not a proxy response", functionFailed, "GET", base + "/malformed", nil, "", internal502},
		{"AWS integration", notServedLocally, "GET", base + "/s3", nil, "", internal500},
		{"no integration", notServedLocally, "GET", base + "/nointeg", nil, "", internal500},
		// Answered before the API is known: no x-amzn-ErrorType, no gateway response.
		{"body over 10 MB", requestTooLarge, "POST", base + "/r", nil, strings.Repeat("x", 10<<20+1), answer{413, "", "Request Too Long", ""}},
		{"no such stage", unknownStage, "GET", "http://x/restapis/api1/nostage/_user_request_/r", nil, "", answer{403, "", "Forbidden", ""}},
	}
	covered := map[gatewayError]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			covered[c.row] = true
			req := httptest.NewRequest(c.method, c.url, strings.NewReader(c.body))
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			header := func(name string) string {
				for k, v := range rec.Header() {
					if strings.EqualFold(k, name) {
						return v[0]
					}
				}
				return ""
			}
			want, _ := json.Marshal(map[string]any{"message": c.want.message})
			if rec.Code != c.want.status || header("x-amzn-ErrorType") != c.want.errorType ||
				strings.TrimSpace(rec.Body.String()) != string(want) || header("X-Response-Type") != c.want.typ {
				t.Errorf("answer %d, x-amzn-ErrorType %q, body %s, gateway response type %q\nwant   %d, x-amzn-ErrorType %q, body %s, gateway response type %q",
					rec.Code, header("x-amzn-ErrorType"), strings.TrimSpace(rec.Body.String()), header("X-Response-Type"),
					c.want.status, c.want.errorType, want, c.want.typ)
			}
			// The row the case names is the one answered.
			if a := gatewayErrors[c.row]; a.Status != c.want.status || a.Type != c.want.typ && c.want.typ != "" {
				t.Errorf("row %d is %s %d, the case expects %s %d", c.row, a.Type, a.Status, c.want.typ, c.want.status)
			}
		})
	}
	for e := range gatewayErrors {
		if !covered[gatewayError(e)] {
			t.Errorf("row %d (%s %d) has no case", e, gatewayErrors[e].Type, gatewayErrors[e].Status)
		}
	}
}

// validate is validation as the validator tests read it: the answer's
// status and message, 0 when the request may pass.
func (d *deployment) validate(m types.Method, req *request) (int, string) {
	e, msg, ok := d.validation(m, req)
	if ok {
		return 0, ""
	}
	if a := gatewayErrors[e]; a.Message != "" {
		msg = a.Message
	}
	return gatewayErrors[e].Status, msg
}
