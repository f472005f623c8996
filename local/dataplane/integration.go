package dataplane

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
		d.fail(w, req, apiConfigurationError, "")
		return
	}
	payload, _ := json.Marshal(buildEvent(d, res, params, req))
	began := time.Now()
	out, err := s.cfg.Lambda.Invoke(req.Context(), &lambda.InvokeInput{FunctionName: &fn, Payload: payload})
	req.integLat = time.Since(began)
	if err != nil {
		s.cfg.Logger.Error("invoke", "function", fn, "error", err)
		req.integErr = err.Error()
		d.fail(w, req, invokeFailed, "")
		return
	}
	req.integState = int(out.StatusCode)
	if out.FunctionError != nil {
		s.cfg.Logger.Error("function error", "function", fn, "payload", string(out.Payload))
		req.integErr = "Lambda function error: " + aws.ToString(out.FunctionError)
		d.fail(w, req, functionFailed, "")
		return
	}
	answer, err := parseProxyAnswer(out.Payload)
	if err != nil {
		s.cfg.Logger.Error("malformed Lambda proxy response", "function", fn, "error", err, "payload", string(out.Payload))
		req.integErr = "Malformed Lambda proxy response"
		d.fail(w, req, functionFailed, "")
		return
	}
	body := []byte(answer.body)
	if answer.base64 && acceptsBinary(d.binaryTypes, req.Header.Get("Accept")) {
		// "If the conversion fails, it returns a 500 response indicating an
		// API configuration error" (Content Type Conversions in API Gateway).
		if body, err = base64.StdEncoding.DecodeString(answer.body); err != nil {
			s.cfg.Logger.Error("isBase64Encoded body is not base64", "function", fn, "error", err)
			req.integErr = "Unable to base64 decode the body"
			d.fail(w, req, apiConfigurationError, "")
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

// mock serves a MOCK integration (the CORS preflight) as API Gateway does:
// its default integration response (the one without a selection pattern)
// with the static header values it maps, then that response's mapping
// template (vtl.go), whose $context.responseOverride header and status
// values are final and whose output is the body. What the data plane
// cannot evaluate — a mapping from anything but a static value, a template
// outside the subset of vtl.go — is a 500, with the reason in the log.
func (s *Server) mock(w http.ResponseWriter, d *deployment, req *request, integ *types.Integration) {
	status, headers, body, err := mockAnswer(integ, req)
	if err != nil {
		s.cfg.Logger.Error("MOCK integration response not served locally", "path", req.res.path, "method", req.Method, "error", err)
		req.integErr = err.Error()
		d.fail(w, req, notServedLocally, "")
		return
	}
	for _, h := range headers {
		setHeader(w.Header(), h.name, h.value)
	}
	if strings.TrimSpace(body) != "" {
		setHeader(w.Header(), "Content-Type", "application/json")
	}
	if req.traceID != "" {
		setHeader(w.Header(), "X-Amzn-Trace-Id", req.traceID)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body) // nothing for a 204
}

// mockAnswer is the status, headers and body of a MOCK integration's
// default integration response for req.
func mockAnswer(integ *types.Integration, req *request) (int, []headerField, string, error) {
	codes := make([]string, 0, len(integ.IntegrationResponses))
	for code := range integ.IntegrationResponses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		ir := integ.IntegrationResponses[code]
		if aws.ToString(ir.SelectionPattern) != "" {
			continue
		}
		status, err := strconv.Atoi(code)
		if err != nil {
			return 0, nil, "", fmt.Errorf("integration response status %q is not a number", code)
		}
		names := make([]string, 0, len(ir.ResponseParameters))
		for k := range ir.ResponseParameters {
			names = append(names, k)
		}
		sort.Strings(names)
		var headers []headerField
		for _, k := range names {
			v := ir.ResponseParameters[k]
			name, ok := strings.CutPrefix(k, "method.response.header.")
			if !ok {
				return 0, nil, "", fmt.Errorf("response parameter %s: only method.response.header.<name> targets are served locally", k)
			}
			if len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
				return 0, nil, "", fmt.Errorf("response parameter %s = %s: only static values ('...') are served locally for a MOCK integration", k, v)
			}
			headers = append(headers, headerField{name, v[1 : len(v)-1]})
		}
		tmpl, ok := responseTemplate(ir.ResponseTemplates)
		if !ok {
			return status, headers, "", nil
		}
		t, err := parseVTL(tmpl)
		if err != nil {
			return 0, nil, "", err
		}
		hdr, _ := req.eventHeaders()
		query, _ := queryParameters(req)
		out, err := t.render(&vtlRequest{path: req.params, query: query, header: hdr})
		if err != nil {
			return 0, nil, "", err
		}
		if out.status != 0 {
			status = out.status
		}
		// Overrides are final: they replace a mapped header of the same name.
		for _, o := range out.headers {
			headers = slices.DeleteFunc(headers, func(h headerField) bool { return strings.EqualFold(h.name, o.name) })
			headers = append(headers, o)
		}
		return status, headers, out.body, nil
	}
	return http.StatusOK, nil, "", nil
}

// responseTemplate picks the template of an integration response: the
// application/json one (a MOCK integration answers JSON), or else the
// first by content type.
func responseTemplate(templates map[string]string) (string, bool) {
	if t, ok := templates["application/json"]; ok {
		return t, true
	}
	types := make([]string, 0, len(templates))
	for k := range templates {
		types = append(types, k)
	}
	if len(types) == 0 {
		return "", false
	}
	sort.Strings(types)
	return templates[types[0]], true
}

// checkAPIKey accepts an enabled key that belongs to a usage plan of this
// API and stage, and returns its id and that plan (for throttle and quota).
func (s *Server) checkAPIKey(ctx context.Context, req *request, value string) (string, *types.UsagePlan, bool) {
	if value == "" {
		return "", nil, false
	}
	if s.changes != nil {
		return s.cachedAPIKey(ctx, req, value)
	}
	id, plan, ok, _ := s.readAPIKey(ctx, req, value)
	return id, plan, ok
}

// readAPIKey is checkAPIKey read from the API Gateway; err says a read
// failed on the way, so the answer is not to be kept. (A plan whose
// GetUsagePlanKey fails otherwise than NotFound counts as not having the
// key, as it always has; the next plan is tried.)
func (s *Server) readAPIKey(ctx context.Context, req *request, value string) (string, *types.UsagePlan, bool, error) {
	var failed error
	keys, err := s.cfg.APIGateway.GetApiKeys(ctx, &apigateway.GetApiKeysInput{IncludeValues: aws.Bool(true)})
	if err != nil {
		return "", nil, false, err
	}
	for _, k := range keys.Items {
		if aws.ToString(k.Value) != value || !k.Enabled {
			continue
		}
		plans, err := s.cfg.APIGateway.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{KeyId: k.Id})
		if err != nil {
			return "", nil, false, err
		}
		for _, p := range plans.Items {
			if !slices.ContainsFunc(p.ApiStages, func(st types.ApiStage) bool {
				return aws.ToString(st.ApiId) == req.apiID && aws.ToString(st.Stage) == req.stage
			}) {
				continue
			}
			has, err := s.usagePlanHasKey(ctx, aws.ToString(p.Id), aws.ToString(k.Id))
			if err != nil {
				failed = err
			}
			if has {
				return aws.ToString(k.Id), &p, true, nil
			}
		}
	}
	return "", nil, false, failed
}

// usagePlanHasKey says whether the plan has the key; err is a failed read
// (a plan without the key answers NotFoundException).
func (s *Server) usagePlanHasKey(ctx context.Context, planID, keyID string) (bool, error) {
	_, err := s.cfg.APIGateway.GetUsagePlanKey(ctx, &apigateway.GetUsagePlanKeyInput{UsagePlanId: &planID, KeyId: &keyID})
	var notFound *types.NotFoundException
	if errors.As(err, &notFound) {
		return false, nil
	}
	return err == nil, err
}

// validation applies the method's request validator before the function
// runs: it returns the gateway's answer and its message when the request
// fails, ok when it may pass.
func (d *deployment) validation(m types.Method, req *request) (e gatewayError, msg string, ok bool) {
	v, found := d.validators[aws.ToString(m.RequestValidatorId)]
	if !found {
		return 0, "", true
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
			return badRequestParameters, "Missing required request parameters: [" + strings.Join(missing, ", ") + "]", false
		}
	}
	if v.ValidateRequestBody {
		ct := strings.TrimSpace(strings.Split(req.Header.Get("Content-Type"), ";")[0])
		if ct == "" {
			ct = "application/json"
		}
		model, found := m.RequestModels[ct]
		if !found {
			model, found = m.RequestModels["$default"]
		}
		if found && model != "" && model != "Empty" {
			schema, err := d.schema(model)
			if err != nil {
				return apiConfigurationError, "", false
			}
			var doc any
			if err := json.Unmarshal(req.body, &doc); err != nil || schema.Validate(doc) != nil {
				return badRequestBody, "", false
			}
		}
	}
	return 0, "", true
}
