package dataplane

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// proxy serves an AWS_PROXY integration: the event exactly as API Gateway
// builds it for REST APIs (event.go), a synchronous Invoke, and the
// function's answer mapped back (answer.go). A function error or a
// malformed answer is a 502.
func (s *Server) proxy(w http.ResponseWriter, d *deployment, res *resource, params map[string]string, req *request, uri string) {
	fn, ok := functionFromURI(uri)
	if !ok {
		s.cfg.Logger.Error("integration uri is not a Lambda invocation", "uri", uri)
		d.fail(w, req, http.StatusInternalServerError, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
		return
	}
	payload, _ := json.Marshal(buildEvent(d, res, params, req))
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
	answer, err := parseProxyAnswer(out.Payload)
	if err != nil {
		s.cfg.Logger.Error("malformed Lambda proxy response", "function", fn, "error", err, "payload", string(out.Payload))
		req.integErr = "Malformed Lambda proxy response"
		d.fail(w, req, http.StatusBadGateway, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
		return
	}
	body := []byte(answer.body)
	if answer.base64 && acceptsBinary(d.binaryTypes, req.Header.Get("Accept")) {
		// "If the conversion fails, it returns a 500 response indicating an
		// API configuration error" (Content Type Conversions in API Gateway).
		if body, err = base64.StdEncoding.DecodeString(answer.body); err != nil {
			s.cfg.Logger.Error("isBase64Encoded body is not base64", "function", fn, "error", err)
			req.integErr = "Unable to base64 decode the body"
			d.fail(w, req, http.StatusInternalServerError, "DEFAULT_5XX", "InternalServerErrorException", "Internal server error")
			return
		}
	}
	writeAnswer(w, answer.status, answer.headers, body, req.traceID)
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

// mock serves a MOCK integration (CORS preflight): the status of its
// default integration response and the static header values it maps.
func mock(w http.ResponseWriter, integ *types.Integration, traceID string) {
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
				setHeader(w.Header(), name, strings.Trim(v, "'"))
			}
		}
		break
	}
	if traceID != "" {
		setHeader(w.Header(), "X-Amzn-Trace-Id", traceID)
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
		// AWS lists the missing ones headers first, then path parameters,
		// then query strings.
		var headers, path, query []string
		for p, required := range m.RequestParameters {
			if !required {
				continue
			}
			if name, ok := strings.CutPrefix(p, "method.request.header."); ok && req.Header.Get(name) == "" {
				headers = append(headers, name)
			} else if name, ok := strings.CutPrefix(p, "method.request.path."); ok && req.params[name] == "" {
				path = append(path, name)
			} else if name, ok := strings.CutPrefix(p, "method.request.querystring."); ok && !req.URL.Query().Has(name) {
				query = append(query, name)
			}
		}
		sort.Strings(headers)
		sort.Strings(path)
		sort.Strings(query)
		if missing := slices.Concat(headers, path, query); len(missing) > 0 {
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
