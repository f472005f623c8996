package dataplane

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// authResult is what an authorizer established about the caller.
type authResult struct {
	principalID string
	context     map[string]string // Lambda authorizer context, values as strings
	claims      map[string]string // Cognito: the token's claims
	usageKey    string            // Lambda authorizer usageIdentifierKey
	policy      *policyDocument   // Lambda authorizer policy, evaluated per request
	latency     time.Duration     // the authorizer function's invocation
}

// eventMap is requestContext.authorizer of the proxy event. REST APIs
// pass the authorizer's context values as strings, beside principalId.
func (a *authResult) eventMap() map[string]any {
	m := map[string]any{}
	if a.claims != nil {
		m["claims"] = a.claims
		return m
	}
	for k, v := range a.context {
		m[k] = v
	}
	m["principalId"] = a.principalID
	m["integrationLatency"] = a.latency.Milliseconds()
	return m
}

type cachedAuth struct {
	result  *authResult
	expires time.Time
}

const defaultAuthTTLSec = 300 // authorizerResultTtlInSeconds when unset

// authorize applies the method's authorizationType. On refusal it writes
// API Gateway's answer and returns false.
func (s *Server) authorize(w http.ResponseWriter, d *deployment, res *resource, m types.Method, params map[string]string, req *request) bool {
	switch t := aws.ToString(m.AuthorizationType); t {
	case "", "NONE":
		return true
	case "AWS_IAM":
		return s.authorizeIAM(w, d, req)
	case "COGNITO_USER_POOLS":
		a, ok := d.authorizers[aws.ToString(m.AuthorizerId)]
		if !ok {
			return s.authConfigError(w, d, req, "method refers to an unknown authorizer", aws.ToString(m.AuthorizerId))
		}
		return s.authorizeCognito(w, d, a, m, req)
	case "CUSTOM":
		a, ok := d.authorizers[aws.ToString(m.AuthorizerId)]
		if !ok {
			return s.authConfigError(w, d, req, "method refers to an unknown authorizer", aws.ToString(m.AuthorizerId))
		}
		return s.authorizeLambda(w, d, a, res, params, req)
	default:
		return s.authConfigError(w, d, req, "authorization type not served locally", t)
	}
}

// authConfigError is AUTHORIZER_CONFIGURATION_ERROR: 500 {"message": null}.
func (s *Server) authConfigError(w http.ResponseWriter, d *deployment, req *request, why, detail string) bool {
	s.cfg.Logger.Error("authorizer configuration error", "why", why, "detail", detail)
	d.fail(w, req, authorizerConfigurationError, "")
	return false
}

func (d *deployment) unauthorized(w http.ResponseWriter, req *request) bool {
	d.fail(w, req, unauthorized, "")
	return false
}

// ---- Lambda (TOKEN and REQUEST) authorizers ----

// authorizeLambda runs a TOKEN or REQUEST authorizer (or takes its cached
// policy) and evaluates the policy against this request's method ARN.
func (s *Server) authorizeLambda(w http.ResponseWriter, d *deployment, a types.Authorizer, res *resource, params map[string]string, req *request) bool {
	ttl := time.Duration(defaultAuthTTLSec) * time.Second
	if a.AuthorizerResultTtlInSeconds != nil {
		ttl = time.Duration(*a.AuthorizerResultTtlInSeconds) * time.Second
	}
	values, ok := s.identity(d, a, req, ttl > 0)
	if !ok {
		return d.unauthorized(w, req) // the function is not called
	}
	identity := strings.Join(values, ",")
	if a.Type == types.AuthorizerTypeToken {
		if expr := aws.ToString(a.IdentityValidationExpression); expr != "" {
			re, err := regexp.Compile(`^(?:` + expr + `)$`)
			if err != nil {
				return s.authConfigError(w, d, req, "identityValidationExpression does not compile", err.Error())
			}
			if !re.MatchString(identity) {
				return d.unauthorized(w, req)
			}
		}
	}
	methodARN := s.methodARN(d, req)
	key := authCacheKey(aws.ToString(a.Id), values)
	now := s.cfg.Now()
	var result *authResult
	if ttl > 0 {
		d.mu.Lock()
		if c, ok := d.authCache[key]; ok && now.Before(c.expires) {
			result = c.result
		}
		d.mu.Unlock()
	}
	if result == nil {
		fn, ok := functionFromURI(aws.ToString(a.AuthorizerUri))
		if !ok {
			return s.authConfigError(w, d, req, "authorizerUri is not a Lambda invocation", aws.ToString(a.AuthorizerUri))
		}
		var event any
		if a.Type == types.AuthorizerTypeToken {
			event = tokenEvent{Type: "TOKEN", AuthorizationToken: identity, MethodArn: methodARN}
		} else {
			event = requestAuthEvent(d, res, params, req, methodARN)
		}
		payload, _ := json.Marshal(event)
		began := time.Now()
		out, err := s.cfg.Lambda.Invoke(req.Context(), &lambda.InvokeInput{FunctionName: &fn, Payload: payload})
		if err != nil {
			return s.authConfigError(w, d, req, "invoke authorizer "+fn, err.Error())
		}
		if out.FunctionError != nil {
			var e struct {
				ErrorMessage string `json:"errorMessage"`
			}
			_ = json.Unmarshal(out.Payload, &e)
			if e.ErrorMessage == msgUnauthorized {
				return d.unauthorized(w, req)
			}
			return s.authConfigError(w, d, req, "authorizer "+fn+" failed", string(out.Payload))
		}
		result, err = parseAuthorizerOutput(out.Payload)
		if err != nil {
			return s.authConfigError(w, d, req, "authorizer "+fn+" returned a malformed response", err.Error())
		}
		result.latency = time.Since(began)
		if ttl > 0 {
			d.mu.Lock()
			d.authCache[key] = cachedAuth{result: result, expires: now.Add(ttl)}
			d.mu.Unlock()
		}
	}
	req.auth = result
	switch result.policy.evaluate("execute-api:Invoke", methodARN) {
	case deny:
		d.fail(w, req, accessDeniedExplicit, "")
		return false
	case allow:
		return true
	default:
		d.fail(w, req, accessDeniedImplicit, "")
		return false
	}
}

// identity is the authorizer's identity values: the token (TOKEN), or
// each identity source's value (REQUEST), which also key the cache. A
// missing source is a refusal; a REQUEST authorizer without caching needs
// no identity sources.
func (s *Server) identity(d *deployment, a types.Authorizer, req *request, caching bool) ([]string, bool) {
	src := aws.ToString(a.IdentitySource)
	if a.Type == types.AuthorizerTypeToken && src == "" {
		src = "method.request.header.Authorization"
	}
	if a.Type == types.AuthorizerTypeRequest && strings.TrimSpace(src) == "" {
		return nil, !caching
	}
	var values []string
	for _, part := range strings.Split(src, ",") {
		v := s.identitySource(d, strings.TrimSpace(part), req)
		if v == "" {
			return nil, false
		}
		values = append(values, v)
	}
	return values, true
}

// authCacheKey keys a cached policy by the authorizer and each identity
// value, length-prefixed: values that merely join to the same text
// (X-A=a, X-B=b,c and X-A=a,b, X-B=c) are different identities.
func authCacheKey(authorizerID string, values []string) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(authorizerID)) + ":" + authorizerID)
	for _, v := range values {
		b.WriteString(strconv.Itoa(len(v)) + ":" + v)
	}
	return b.String()
}

func (s *Server) identitySource(d *deployment, src string, req *request) string {
	switch {
	case strings.HasPrefix(src, "method.request.header."):
		return req.Header.Get(strings.TrimPrefix(src, "method.request.header."))
	case strings.HasPrefix(src, "method.request.querystring."):
		return req.URL.Query().Get(strings.TrimPrefix(src, "method.request.querystring."))
	case strings.HasPrefix(src, "stageVariables."):
		return stageVariables(d, req)[strings.TrimPrefix(src, "stageVariables.")]
	case strings.HasPrefix(src, "context."):
		if v := s.contextVar(req, nil, strings.TrimPrefix(src, "context.")); v != "-" {
			return v
		}
	}
	return ""
}

// methodARN is arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>,
// with the request's real path (the root is ".../GET/").
func (s *Server) methodARN(d *deployment, req *request) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/%s", s.region, accountID, d.apiID, d.stage, req.Method, strings.TrimPrefix(req.path, "/"))
}

type tokenEvent struct {
	Type               string `json:"type"`
	AuthorizationToken string `json:"authorizationToken"`
	MethodArn          string `json:"methodArn"`
}

// requestEvent is what a REQUEST authorizer receives: the proxy event's
// request data (no body) with the method ARN. It mirrors
// events.APIGatewayCustomAuthorizerRequestTypeRequest, with the
// headers and requestContext the proxy event has (event.go).
type requestEvent struct {
	Type                            string              `json:"type"`
	MethodArn                       string              `json:"methodArn"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  eventContext        `json:"requestContext"`
}

func requestAuthEvent(d *deployment, res *resource, params map[string]string, req *request, methodARN string) requestEvent {
	headers, multiHeaders := req.eventHeaders()
	query, multiQuery := queryParameters(req)
	return requestEvent{
		Type: "REQUEST", MethodArn: methodARN, Resource: res.path, Path: req.path, HTTPMethod: req.Method,
		Headers: headers, MultiValueHeaders: multiHeaders,
		QueryStringParameters: query, MultiValueQueryStringParameters: multiQuery,
		PathParameters: params, StageVariables: stageVariables(d, req),
		RequestContext: requestContext(d, res, req),
	}
}

// authorizerOutput is a Lambda authorizer's answer.
type authorizerOutput struct {
	PrincipalID        string          `json:"principalId"`
	PolicyDocument     *policyDocument `json:"policyDocument"`
	Context            map[string]any  `json:"context"`
	UsageIdentifierKey string          `json:"usageIdentifierKey"`
}

// parseAuthorizerOutput checks what AWS checks: a policy document is
// required, and context values must be strings, numbers or booleans.
func parseAuthorizerOutput(payload []byte) (*authResult, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var out authorizerOutput
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	if out.PolicyDocument == nil {
		return nil, fmt.Errorf("no policyDocument")
	}
	r := &authResult{principalID: out.PrincipalID, usageKey: out.UsageIdentifierKey, policy: out.PolicyDocument, context: map[string]string{}}
	for k, v := range out.Context {
		switch v := v.(type) {
		case string:
			r.context[k] = v
		case json.Number:
			r.context[k] = v.String()
		case bool:
			r.context[k] = fmt.Sprint(v)
		case nil:
		default:
			return nil, fmt.Errorf("context value %q is not a string, number or boolean", k)
		}
	}
	return r, nil
}

// ---- Cognito user pools ----

// authorizeCognito checks what can be checked without the pool's keys:
// the identity-source header holds a JWT whose payload decodes, which has
// not expired, whose issuer is one of the authorizer's pools, and which
// carries one of the method's OAuth scopes when it names any. The
// signature is NOT verified locally.
func (s *Server) authorizeCognito(w http.ResponseWriter, d *deployment, a types.Authorizer, m types.Method, req *request) bool {
	src := aws.ToString(a.IdentitySource)
	if src == "" {
		src = "method.request.header.Authorization"
	}
	token := s.identitySource(d, src, req)
	if token == "" {
		return d.unauthorized(w, req)
	}
	claims, err := jwtClaims(token)
	if err != nil {
		s.cfg.Logger.Info("cognito token refused", "error", err)
		return d.unauthorized(w, req)
	}
	if exp, ok := claims["exp"]; ok {
		var sec int64
		if _, err := fmt.Sscan(exp, &sec); err != nil || !s.cfg.Now().Before(time.Unix(sec, 0)) {
			return d.unauthorized(w, req)
		}
	}
	if iss, ok := claims["iss"]; ok && len(a.ProviderARNs) > 0 {
		if !slices.ContainsFunc(a.ProviderARNs, func(arn string) bool {
			_, pool, _ := strings.Cut(arn, ":userpool/")
			return pool != "" && strings.HasSuffix(iss, "/"+pool)
		}) {
			return d.unauthorized(w, req)
		}
	}
	if len(m.AuthorizationScopes) > 0 {
		scopes := strings.Fields(claims["scope"])
		if !slices.ContainsFunc(m.AuthorizationScopes, func(s string) bool { return slices.Contains(scopes, s) }) {
			return d.unauthorized(w, req)
		}
	}
	req.auth = &authResult{claims: claims, principalID: claims["sub"]}
	return true
}

// jwtClaims decodes a JWT's payload (no signature check), each claim as a
// string: strings as they are, anything else as its JSON text.
func jwtClaims(token string) (map[string]string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("JWT payload: %w", err)
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(raw, &payload); err != nil {
		return nil, fmt.Errorf("JWT payload: %w", err)
	}
	claims := map[string]string{}
	for k, v := range payload {
		var s string
		if json.Unmarshal(v, &s) == nil {
			claims[k] = s
		} else {
			claims[k] = string(v)
		}
	}
	return claims, nil
}

// ---- AWS_IAM ----

// authorizeIAM requires what a SigV4-signed request carries: an
// Authorization header "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/
// execute-api/aws4_request, SignedHeaders=..., Signature=..." and an
// X-Amz-Date (or Date) header, or the same as X-Amz-* query parameters.
// The signature itself is NOT verified locally, and no IAM policy is
// evaluated: any well-formed signature is allowed.
func (s *Server) authorizeIAM(w http.ResponseWriter, d *deployment, req *request) bool {
	q := req.URL.Query()
	if q.Get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" && q.Get("X-Amz-Credential") != "" && q.Get("X-Amz-Signature") != "" {
		req.accessKey, _, _ = strings.Cut(q.Get("X-Amz-Credential"), "/")
		return true
	}
	h := req.Header.Get("Authorization")
	if h == "" {
		d.fail(w, req, missingAuthenticationToken, "")
		return false
	}
	if problem := sigV4Problem(h, req.Header); problem != "" {
		d.fail(w, req, incompleteSignature, problem)
		return false
	}
	_, cred, _ := strings.Cut(h, "Credential=")
	req.accessKey, _, _ = strings.Cut(cred, "/")
	return true
}

// sigV4Problem says what a SigV4 Authorization header lacks, in AWS's
// words for INCOMPLETE_SIGNATURE; "" when the shape is complete.
func sigV4Problem(h string, headers http.Header) string {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if alg != "AWS4-HMAC-SHA256" {
		return "Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm."
	}
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && v != "" {
			params[k] = v
		}
	}
	var problems []string
	if cred := params["Credential"]; cred == "" {
		problems = append(problems, "Authorization header requires 'Credential' parameter.")
	} else if parts := strings.Split(cred, "/"); len(parts) != 5 || parts[4] != "aws4_request" {
		problems = append(problems, "Credential should be scoped to a valid region, not a malformed scope: "+cred+".")
	}
	if params["Signature"] == "" {
		problems = append(problems, "Authorization header requires 'Signature' parameter.")
	}
	if params["SignedHeaders"] == "" {
		problems = append(problems, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if headers.Get("X-Amz-Date") == "" && headers.Get("Date") == "" {
		problems = append(problems, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	return strings.Join(problems, " ")
}
