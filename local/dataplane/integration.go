package dataplane

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// proxy serves an AWS_PROXY integration: the event exactly as API Gateway
// builds it for REST APIs, a synchronous Invoke, and the proxy response
// mapped back. A function error or a malformed response is a 502.
func (s *Server) proxy(w http.ResponseWriter, d *deployment, res *resource, params map[string]string, req *request, uri string) {
	fn, ok := functionFromURI(uri)
	if !ok {
		s.cfg.Logger.Error("integration uri is not a Lambda invocation", "uri", uri)
		d.fail(w, req, http.StatusInternalServerError, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
		return
	}
	event := buildEvent(d, res, params, req)
	payload, _ := json.Marshal(event)
	began := time.Now()
	out, err := s.cfg.Lambda.Invoke(req.Context(), &lambda.InvokeInput{FunctionName: &fn, Payload: payload})
	req.integLat = time.Since(began)
	if err != nil {
		s.cfg.Logger.Error("invoke", "function", fn, "error", err)
		req.integErr = err.Error()
		d.fail(w, req, http.StatusInternalServerError, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
		return
	}
	req.integState = int(out.StatusCode)
	if out.FunctionError != nil {
		s.cfg.Logger.Error("function error", "function", fn, "payload", string(out.Payload))
		req.integErr = "Lambda function error: " + aws.ToString(out.FunctionError)
		d.fail(w, req, http.StatusBadGateway, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
		return
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out.Payload, &resp); err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		s.cfg.Logger.Error("malformed Lambda proxy response", "function", fn, "payload", string(out.Payload))
		req.integErr = "Malformed Lambda proxy response"
		d.fail(w, req, http.StatusBadGateway, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
		return
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			req.integErr = "Malformed Lambda proxy response"
			d.fail(w, req, http.StatusBadGateway, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
			return
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// functionFromURI extracts the function ARN from
// arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations.
func functionFromURI(uri string) (string, bool) {
	_, rest, ok := strings.Cut(uri, ":lambda:path/2015-03-31/functions/")
	if !ok {
		return "", false
	}
	fn, ok := strings.CutSuffix(rest, "/invocations")
	return fn, ok && fn != ""
}

func buildEvent(d *deployment, res *resource, params map[string]string, req *request) events.APIGatewayProxyRequest {
	headers, multiHeaders, query, multiQuery := headersAndQuery(req)
	body, b64 := string(req.body), false
	if isBinary(d.binaryTypes, req.Header.Get("Content-Type")) || !utf8.Valid(req.body) {
		body, b64 = base64.StdEncoding.EncodeToString(req.body), true
	}
	ev := events.APIGatewayProxyRequest{
		Resource: res.path, Path: req.path, HTTPMethod: req.Method,
		Headers: headers, MultiValueHeaders: multiHeaders,
		Body: body, IsBase64Encoded: b64,
		RequestContext: requestContext(d, res, req),
	}
	if len(query) > 0 {
		ev.QueryStringParameters, ev.MultiValueQueryStringParameters = query, multiQuery
	}
	if len(params) > 0 {
		ev.PathParameters = params
	}
	ev.StageVariables = stageVariables(d, req)
	return ev
}

func headersAndQuery(req *request) (map[string]string, map[string][]string, map[string]string, map[string][]string) {
	headers, multiHeaders := map[string]string{}, map[string][]string{}
	for k, vs := range req.Header {
		headers[k] = vs[len(vs)-1]
		multiHeaders[k] = vs
	}
	query, multiQuery := map[string]string{}, map[string][]string{}
	for k, vs := range req.URL.Query() {
		query[k] = vs[len(vs)-1]
		multiQuery[k] = vs
	}
	return headers, multiHeaders, query, multiQuery
}

// stageVariables are the stage's current variables (nil when none).
func stageVariables(d *deployment, req *request) map[string]string {
	vars := d.variables
	if req.st != nil {
		vars = req.st.Variables
	}
	if len(vars) == 0 {
		return nil
	}
	return vars
}

// requestContext is the requestContext of the proxy event (and of a
// REQUEST authorizer's event): what API Gateway knows about the call.
func requestContext(d *deployment, res *resource, req *request) events.APIGatewayProxyRequestContext {
	now := req.start.UTC()
	rc := events.APIGatewayProxyRequestContext{
		AccountID: accountID, APIID: d.apiID, ResourceID: res.id, ResourcePath: res.path,
		HTTPMethod: req.Method, RequestID: req.id, ExtendedRequestID: req.id[:16], Stage: d.stage,
		Path: "/" + d.stage + req.path, Protocol: req.Proto,
		RequestTime:      now.Format("02/Jan/2006:15:04:05 -0700"),
		RequestTimeEpoch: now.UnixMilli(),
		Identity: events.APIGatewayRequestIdentity{
			SourceIP: sourceIP(req), UserAgent: req.UserAgent(), APIKey: req.Header.Get("x-api-key"), APIKeyID: req.keyID,
		},
	}
	if req.accessKey != "" {
		rc.Identity.AccessKey, rc.Identity.AccountID = req.accessKey, accountID
	}
	if req.auth != nil {
		rc.Authorizer = req.auth.eventMap()
		if req.auth.usageKey != "" && d.apiKeySource == types.ApiKeySourceTypeAuthorizer {
			rc.Identity.APIKey = req.auth.usageKey
		}
	}
	return rc
}

func sourceIP(req *request) string {
	if h, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		return h
	}
	return req.RemoteAddr
}

func isBinary(types []string, contentType string) bool {
	ct := strings.TrimSpace(strings.Split(contentType, ";")[0])
	for _, t := range types {
		if t == "*/*" || t == ct || (strings.HasSuffix(t, "/*") && strings.HasPrefix(ct, strings.TrimSuffix(t, "*"))) {
			return true
		}
	}
	return false
}

// mock serves a MOCK integration (CORS preflight): the status of its
// default integration response and the static header values it maps.
func mock(w http.ResponseWriter, integ *types.Integration) {
	codes := make([]string, 0, len(integ.IntegrationResponses))
	for code := range integ.IntegrationResponses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	status := http.StatusOK
	for _, code := range codes {
		ir := integ.IntegrationResponses[code]
		if aws.ToString(ir.SelectionPattern) != "" {
			continue
		}
		if n, err := strconv.Atoi(code); err == nil {
			status = n
		}
		for k, v := range ir.ResponseParameters {
			if name, ok := strings.CutPrefix(k, "method.response.header."); ok {
				w.Header().Set(name, strings.Trim(v, "'"))
			}
		}
		break
	}
	w.WriteHeader(status)
}

// checkAPIKey accepts an enabled key that belongs to a usage plan of this
// API and stage, and returns its id and that plan (for throttle and quota).
func (s *Server) checkAPIKey(ctx context.Context, req *request, value string) (string, *types.UsagePlan, bool) {
	if value == "" {
		return "", nil, false
	}
	keys, err := s.cfg.APIGateway.GetApiKeys(ctx, &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true)})
	if err != nil {
		return "", nil, false
	}
	for _, k := range keys.Items {
		if aws.ToString(k.Value) != value || !k.Enabled {
			continue
		}
		plans, err := s.cfg.APIGateway.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{KeyId: k.Id})
		if err != nil {
			return "", nil, false
		}
		for _, p := range plans.Items {
			if slices.ContainsFunc(p.ApiStages, func(st types.ApiStage) bool {
				return aws.ToString(st.ApiId) == req.apiID && aws.ToString(st.Stage) == req.stage
			}) && s.usagePlanHasKey(ctx, aws.ToString(p.Id), aws.ToString(k.Id)) {
				return aws.ToString(k.Id), &p, true
			}
		}
	}
	return "", nil, false
}

func (s *Server) usagePlanHasKey(ctx context.Context, planID, keyID string) bool {
	_, err := s.cfg.APIGateway.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: &planID, KeyId: &keyID})
	return err == nil
}

// validate applies the method's request validator before the function
// runs; it returns 0 when the request may pass.
func (d *deployment) validate(m types.Method, req *request) (int, string) {
	v, ok := d.validators[aws.ToString(m.RequestValidatorId)]
	if !ok {
		return 0, ""
	}
	if v.ValidateRequestParameters {
		var missing []string
		for p, required := range m.RequestParameters {
			if !required {
				continue
			}
			switch {
			case strings.HasPrefix(p, "method.request.querystring."):
				name := strings.TrimPrefix(p, "method.request.querystring.")
				if !req.URL.Query().Has(name) {
					missing = append(missing, name)
				}
			case strings.HasPrefix(p, "method.request.header."):
				name := strings.TrimPrefix(p, "method.request.header.")
				if req.Header.Get(name) == "" {
					missing = append(missing, name)
				}
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return http.StatusBadRequest, "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
		}
	}
	if v.ValidateRequestBody {
		ct := strings.TrimSpace(strings.Split(req.Header.Get("Content-Type"), ";")[0])
		if ct == "" {
			ct = "application/json"
		}
		model, ok := m.RequestModels[ct]
		if !ok {
			model, ok = m.RequestModels["$default"]
		}
		if ok && model != "" && model != "Empty" {
			schema, err := d.schema(model)
			if err != nil {
				return http.StatusInternalServerError, "Internal server error"
			}
			var doc any
			if err := json.Unmarshal(req.body, &doc); err != nil || schema.Validate(doc) != nil {
				return http.StatusBadRequest, "Invalid request body"
			}
		}
	}
	return 0, ""
}
