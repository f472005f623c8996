package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/model"
)

// answer is one answer API Gateway gives on its own for a route: its
// status, the example's key and summary, when it happens (a clause, ""
// when the answer before says it), the message of its {"message": ...}
// body (nil for a failed Lambda authorizer), and a tag naming what it is
// specific to (an authorizer, a plan, a route, or a kind: Body, ApiKey,
// Iam, Waf, Stage), which names the response component.
type answer struct {
	status       int
	key, summary string
	when         string
	message      any
	tag          string
}

// integrationTimeoutS is API Gateway's default (and, for REST APIs in most
// accounts, largest) wait for a Lambda proxy integration.
const integrationTimeoutS = 29

// answers lists what API Gateway answers itself for route r (called with
// method), in this order: validation, authorization, WAF, throttling, size,
// then the integration.
func (d *docBuilder) answers(r model.Route, method string) []answer {
	var out []answer
	add := func(status int, key, summary, when string, message any, tag string) {
		out = append(out, answer{status: status, key: key, summary: summary, when: when, message: message, tag: tag})
	}
	if r.RequestSchema != "" {
		add(400, "invalid_body", "The body does not match the request schema",
			"the body does not match the request schema", "Invalid request body", "Body")
	}
	if names := requiredParams(r); len(names) > 0 {
		add(400, "missing_parameters", "A required parameter is missing",
			"a required query string or header ("+strings.Join(names, ", ")+") is missing",
			"Missing required request parameters: ["+strings.Join(names, ", ")+"]", r.Name)
	}
	switch {
	case r.APIKeyRequired:
		add(403, "invalid_api_key", "No valid API key",
			"the x-api-key header is missing or holds no key of the usage plan", "Forbidden", "ApiKey")
	case r.Authorization == "CUSTOM":
		a := d.authorizer(r.Authorizer)
		add(401, "unauthorized", "No valid identity", d.customUnauthorized(a), "Unauthorized", a.Name)
		add(403, "denied", "The authorizer's policy does not allow this call",
			"Lambda authorizer "+a.Name+" returns a policy that does not allow this method, or that denies it",
			"User is not authorized to access this resource", a.Name)
		add(403, "explicit_deny", "The authorizer's policy denies this call", "",
			"User is not authorized to access this resource with an explicit deny", a.Name)
		add(500, "authorizer_failed", "The authorizer failed",
			"Lambda authorizer "+a.Name+" fails or returns a malformed answer", nil, a.Name)
	case r.Authorization == "COGNITO_USER_POOLS":
		a := d.authorizer(r.Authorizer)
		when := "the " + headerOf(a) + " header is missing, or holds no valid, unexpired token of the authorizer's user pools"
		tag := a.Name
		if len(r.Scopes) > 0 {
			when += ", or the token has none of the scopes " + strings.Join(r.Scopes, ", ")
			tag += "_" + r.Name
		}
		add(401, "unauthorized", "No valid Cognito token", when, "Unauthorized", tag)
	case r.Authorization == "AWS_IAM":
		add(403, "missing_signature", "The request is not signed",
			"the request is not signed with AWS Signature Version 4, its signature is incomplete or does not match, or the caller's IAM policy does not allow execute-api:Invoke on this method",
			"Missing Authentication Token", "Iam")
		add(403, "incomplete_signature", "The Authorization header is not a complete SigV4 signature", "",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.", "Iam")
		add(403, "invalid_signature", "The signature does not match", "",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", "Iam")
		add(403, "not_allowed", "The caller's IAM policy does not allow this call", "",
			"User: arn:aws:iam::111122223333:user/caller is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:"+d.env.Region+":111122223333:rest-api-id/"+d.env.Stage+"/GET/", "Iam")
	}
	if d.env.WAFWebACLArn != "" {
		add(403, "waf_blocked", "AWS WAF blocked the request",
			"the stage's AWS WAF web ACL blocks the request", "Forbidden", "Waf")
	}
	if p := d.usagePlan(r); p != nil {
		if t := p.Throttle; t != nil {
			add(429, "plan_throttled", "The API key's rate limit",
				fmt.Sprintf("more than %d requests per second (bursts of %d) come with one API key of usage plan %s", t.Rate, t.Burst, p.Name), "Too Many Requests", p.Name)
		}
		if p.QuotaLimit > 0 {
			add(429, "quota_exceeded", "The API key's quota is used up",
				fmt.Sprintf("the API key's quota of %d requests per %s (usage plan %s) is used up", p.QuotaLimit, strings.ToLower(p.QuotaPer), p.Name), "Limit Exceeded", p.Name)
		}
	}
	if t := d.env.Throttle; t != nil {
		add(429, "stage_throttled", "The stage's rate limit",
			fmt.Sprintf("more than %d requests per second (bursts of %d) come to stage %s, all callers together", t.Rate, t.Burst, d.env.Stage), "Too Many Requests", "Stage")
	}
	if takesBody(r, method) {
		add(413, "too_large", "The request is too large",
			"the request is larger than API Gateway's 10 MB payload limit (a Lambda invocation takes at most 6 MB, body and headers together)", "Request Too Long", "")
	}
	add(502, "function_failed", "The function failed",
		"the function fails (an error, or it runs out of its timeout), or returns an answer that is not a Lambda proxy response", "Internal server error", "")
	add(504, "timeout", "The function did not answer in time",
		fmt.Sprintf("the function does not answer within API Gateway's %d s integration timeout", integrationTimeoutS), "Endpoint request timed out", "")
	return out
}

// requiredParams are the required query strings and headers, sorted.
func requiredParams(r model.Route) []string {
	var out []string
	for key, req := range r.RequestParameters {
		if !req || strings.HasPrefix(key, "method.request.path.") {
			continue
		}
		out = append(out, key[strings.LastIndex(key, ".")+1:])
	}
	slices.Sort(out)
	return out
}

// takesBody: routes with a request schema, and methods that carry a body.
func takesBody(r model.Route, method string) bool {
	return r.RequestSchema != "" || method == "POST" || method == "PUT" || method == "PATCH"
}

func (d *docBuilder) usagePlan(r model.Route) *model.UsagePlan {
	if !r.APIKeyRequired {
		return nil
	}
	for i := range d.env.UsagePlans {
		if d.env.UsagePlans[i].Name == r.Auth {
			return &d.env.UsagePlans[i]
		}
	}
	return nil
}

func (d *docBuilder) authorizer(name string) model.Authorizer {
	for _, a := range d.m.Authorizers {
		if a.Name == name {
			return a
		}
	}
	return model.Authorizer{Name: name}
}

func (d *docBuilder) customUnauthorized(a model.Authorizer) string {
	if a.Type == "token" {
		s := "the " + headerOf(a) + " header is missing"
		if a.IdentityValidation != "" {
			s += " or does not match " + a.IdentityValidation
		}
		return s + ", or Lambda authorizer " + a.Name + " answers Unauthorized"
	}
	return "an identity source of Lambda authorizer " + a.Name + " (" + strings.Join(describeSources(a.IdentitySource), ", ") +
		") is missing, or the authorizer answers Unauthorized"
}

// headerOf is the header a token or Cognito authorizer reads.
func headerOf(a model.Authorizer) string {
	for _, s := range a.IdentitySource {
		if h, ok := strings.CutPrefix(s, "method.request.header."); ok {
			return h
		}
	}
	return "Authorization"
}

// describeSources says where each identity source comes from.
func describeSources(sources []string) []string {
	var out []string
	for _, s := range sources {
		out = append(out, describeSource(s))
	}
	return out
}

func describeSource(s string) string {
	for _, k := range []struct{ prefix, what string }{
		{"method.request.header.", "header "},
		{"method.request.querystring.", "query string "},
		{"method.request.multivalueheader.", "header "},
		{"method.request.multivaluequerystring.", "query string "},
		{"stageVariables.", "stage variable "},
		{"context.", "context variable "},
	} {
		if v, ok := strings.CutPrefix(s, k.prefix); ok {
			return k.what + v
		}
	}
	return s
}

// security returns the route's security requirements (nil for none) and
// adds the schemes they name.
func (d *docBuilder) security(r model.Route) []any {
	switch {
	case r.APIKeyRequired:
		d.scheme(r.Auth, d.apiKeyScheme(r))
		return []any{object{{r.Auth, []any{}}}}
	case r.Authorization == "AWS_IAM":
		d.scheme(r.Auth, object{
			{"type", "apiKey"},
			{"in", "header"},
			{"name", "Authorization"},
			{"description", fmt.Sprintf("AWS Signature Version 4 (service execute-api, region %s): sign the request with credentials whose IAM policy allows execute-api:Invoke on the method (the signature may also travel in X-Amz-* query strings).", d.env.Region)},
			{"x-amazon-apigateway-authtype", "awsSigv4"},
		})
		return []any{object{{r.Auth, []any{}}}}
	case r.Authorization == "CUSTOM":
		return d.customSecurity(d.authorizer(r.Authorizer))
	case r.Authorization == "COGNITO_USER_POOLS":
		return d.cognitoSecurity(d.authorizer(r.Authorizer), r.Scopes)
	}
	return nil
}

func (d *docBuilder) scheme(name string, s object) {
	if !d.schemes.has(name) {
		d.schemes = append(d.schemes, member{name, s})
	}
}

func (d *docBuilder) apiKeyScheme(r model.Route) object {
	desc := "An API key of usage plan " + r.Auth + "."
	if p := d.usagePlan(r); p != nil {
		var limits []string
		if t := p.Throttle; t != nil {
			limits = append(limits, fmt.Sprintf("%d requests per second, bursts of %d", t.Rate, t.Burst))
		}
		if p.QuotaLimit > 0 {
			limits = append(limits, fmt.Sprintf("%d requests per %s", p.QuotaLimit, strings.ToLower(p.QuotaPer)))
		}
		if len(limits) > 0 {
			desc += " Each key may make " + strings.Join(limits, " and ") + "."
		}
	}
	return object{{"type", "apiKey"}, {"in", "header"}, {"name", "x-api-key"}, {"description", desc}}
}

// customSecurity: one scheme per Lambda authorizer, carrying the
// authorizer API Gateway creates from it. A TOKEN authorizer reads one
// header; a REQUEST authorizer reads its identity sources (API Gateway's
// scheme names a header it does not read; the description lists them).
func (d *docBuilder) customSecurity(a model.Authorizer) []any {
	var desc string
	in, name := "header", headerOf(a)
	if a.Type == "token" {
		desc = "Lambda TOKEN authorizer " + a.Name + ": send the token in the " + name + " header"
		if a.IdentityValidation != "" {
			desc += " (it must match " + a.IdentityValidation + ")"
		}
		desc += "."
	} else {
		desc = "Lambda REQUEST authorizer " + a.Name + ". Identity sources: " + strings.Join(describeSources(a.IdentitySource), ", ") +
			"; a request missing one is answered 401."
		in, name = firstClientSource(a)
	}
	if a.ResultTTLSeconds > 0 {
		desc += fmt.Sprintf(" Its decisions are cached for %d s per identity.", a.ResultTTLSeconds)
	}
	d.scheme(a.Name, object{
		{"type", "apiKey"}, {"in", in}, {"name", name}, {"description", desc},
		{"x-amazon-apigateway-authtype", "custom"},
		{"x-amazon-apigateway-authorizer", d.lambdaAuthorizer(a)},
	})
	return []any{object{{a.Name, []any{}}}}
}

// firstClientSource is the first identity source a client sends (header or
// query string), for the scheme of a REQUEST authorizer; "Unused" header
// when every source is a stage or context variable.
func firstClientSource(a model.Authorizer) (in, name string) {
	for _, s := range a.IdentitySource {
		for _, k := range []struct{ prefix, in string }{
			{"method.request.header.", "header"}, {"method.request.multivalueheader.", "header"},
			{"method.request.querystring.", "query"}, {"method.request.multivaluequerystring.", "query"},
		} {
			if v, ok := strings.CutPrefix(s, k.prefix); ok {
				return k.in, v
			}
		}
	}
	return "header", "Unused"
}

// cognitoSecurity: one scheme per Cognito authorizer (a token of any of
// its user pools is accepted), required with the route's scopes (any one
// suffices).
func (d *docBuilder) cognitoSecurity(a model.Authorizer, scopes []string) []any {
	var pools []string
	for _, arn := range a.UserPoolArns {
		_, pool, _ := userPool(arn)
		pools = append(pools, pool)
	}
	d.scheme(a.Name, object{
		{"type", "apiKey"}, {"in", "header"}, {"name", headerOf(a)},
		{"description", "Amazon Cognito user pools " + strings.Join(pools, ", ") + " (authorizer " + a.Name + "): send an ID or access token of a pool in the " + headerOf(a) + " header."},
		{"x-amazon-apigateway-authtype", "cognito_user_pools"},
		{"x-amazon-apigateway-authorizer", cognitoAuthorizer(a)},
	})
	req := []any{}
	for _, sc := range scopes {
		req = append(req, sc)
	}
	return []any{object{{a.Name, req}}}
}

// userPool reads region and pool id from a user pool ARN
// (arn:aws:cognito-idp:<region>:<account>:userpool/<id>).
func userPool(arn string) (region, pool string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "cognito-idp" {
		return "", arn, false
	}
	pool, ok = strings.CutPrefix(parts[5], "userpool/")
	return parts[3], pool, ok && parts[3] != "" && pool != ""
}
