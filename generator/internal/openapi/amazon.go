package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/render"
)

// The document is also the REST API's definition (aws_api_gateway_rest_api
// body): API Gateway imports it with the x-amazon-apigateway-* extensions
// written here, so one apply replaces the whole API at once and a removed
// route is gone from the next deployment. What only the deploying account
// knows is written as CloudFormation's pseudo parameters, which
// modules/api_gateway substitutes, and the functions' name prefix as
// ${NamePrefix}, which the environment's main.tf substitutes (the prefix
// carries the API's name and environment from terraform.tfvars).
const (
	partition  = "${AWS::Partition}"
	region     = "${AWS::Region}"
	accountID  = "${AWS::AccountId}"
	namePrefix = render.NamePrefixPlaceholder
)

// validators are the request validators' names in API Gateway, by the
// value of a route's validator (the names the per-resource modules used).
var validators = map[string]struct {
	Name         string
	Body, Params bool
}{
	"body":   {"body", true, false},
	"params": {"params", false, true},
	"all":    {"body-and-params", true, true},
}

// functionURI is the Lambda invocation URI of the function with the given
// name suffix ("<prefix>-<suffix>"), for integrations and authorizers.
func functionURI(suffix string) string {
	return "arn:" + partition + ":apigateway:" + region + ":lambda:path/2015-03-31/functions/arn:" +
		partition + ":lambda:" + region + ":" + accountID + ":function:" + namePrefix + "-" + suffix + "/invocations"
}

// lambdaIntegration is a route's Lambda proxy integration.
func (d *docBuilder) lambdaIntegration(r model.Route) object {
	return object{
		{"type", "aws_proxy"},
		{"httpMethod", "POST"},
		{"uri", functionURI(d.env.FunctionNames[model.RouteModule(r.Name)])},
		{"passthroughBehavior", "when_no_match"},
		{"timeoutInMillis", integrationTimeoutS * 1000},
	}
}

// amazonOperation adds what API Gateway needs of one route's method: its
// validator and its integration.
func (d *docBuilder) amazonOperation(op *object, r model.Route) {
	if r.Validator != "" {
		op.set("x-amazon-apigateway-request-validator", validators[r.Validator].Name)
	}
	op.set("x-amazon-apigateway-integration", d.lambdaIntegration(r))
}

// amazonTopLevel adds the API-wide extensions to doc: the API key source,
// the request validators the routes use and, with CORS, the headers of
// API Gateway's own error answers.
func (d *docBuilder) amazonTopLevel(doc *object) {
	for _, r := range d.m.Routes {
		if r.APIKeyRequired {
			doc.set("x-amazon-apigateway-api-key-source", "HEADER")
			break
		}
	}
	if len(d.m.Validators) > 0 {
		vs := object{}
		for _, v := range slices.Sorted(slices.Values(d.m.Validators)) {
			s := validators[v]
			vs = append(vs, member{s.Name, object{{"validateRequestBody", s.Body}, {"validateRequestParameters", s.Params}}})
		}
		slices.SortFunc(vs, func(a, b member) int { return strings.Compare(a.key, b.key) })
		doc.set("x-amazon-apigateway-request-validators", vs)
	}
	if c := d.m.API.CORS; c != nil {
		headers := object{}
		for _, h := range corsErrorHeaders(c) {
			headers = append(headers, member{"gatewayresponse.header." + h.key, h.val})
		}
		doc.set("x-amazon-apigateway-gateway-responses", object{
			{"DEFAULT_4XX", object{{"responseParameters", headers}}},
			{"DEFAULT_5XX", object{{"responseParameters", headers}}},
		})
	}
}

// corsValues fills in what routes.yaml may leave out, as the module did.
func corsValues(c *model.CORS) (methods, headers []string, maxAge int) {
	methods, headers, maxAge = c.AllowMethods, c.AllowHeaders, c.MaxAgeSeconds
	if len(methods) == 0 {
		methods = []string{"OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE"}
	}
	if len(headers) == 0 {
		headers = []string{"Content-Type", "Authorization", "X-Api-Key"}
	}
	return methods, headers, maxAge
}

// quoted is a static header value of a mapping: a string in single quotes.
func quoted(s string) string { return "'" + s + "'" }

// corsPreflightHeaders are the preflight's headers. A browser accepts
// exactly one origin (or "*"): one is a static value; several are answered
// by echoing the request's Origin when it is one of them (the template of
// corsOriginTemplate), so every answer varies by Origin.
func corsPreflightHeaders(c *model.CORS) object {
	methods, headers, maxAge := corsValues(c)
	out := object{
		{"Access-Control-Allow-Methods", quoted(strings.Join(methods, ","))},
		{"Access-Control-Allow-Headers", quoted(strings.Join(headers, ","))},
		{"Access-Control-Max-Age", quoted(fmt.Sprint(maxAge))},
	}
	if len(c.AllowOrigins) == 1 {
		out = append(out, member{"Access-Control-Allow-Origin", quoted(c.AllowOrigins[0])})
	} else {
		out = append(out, member{"Vary", quoted("Origin")})
	}
	if c.AllowCredentials {
		out = append(out, member{"Access-Control-Allow-Credentials", quoted("true")})
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(a.key, b.key) })
	return out
}

// corsOriginTemplate is the preflight's response template with several
// origins (Velocity, run by API Gateway for every OPTIONS request): it sets
// Access-Control-Allow-Origin to the request's Origin header only when that
// is one of the allowed origins, literally (routes.yaml's checks keep
// quotes and other syntax out of them). The lowercase header name HTTP/2
// clients send is checked too. Only Velocity the local data plane also
// evaluates is used.
func corsOriginTemplate(c *model.CORS) string {
	var lines []string
	for i, name := range []string{"Origin", "origin"} {
		var conds []string
		for _, o := range c.AllowOrigins {
			conds = append(conds, "$input.params().header.get('"+name+"') == '"+o+"'")
		}
		kw := "#if"
		if i > 0 {
			kw = "#elseif"
		}
		lines = append(lines, kw+"("+strings.Join(conds, " || ")+")",
			"#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('"+name+"'))")
	}
	return strings.Join(append(lines, "#end"), "\n")
}

// corsErrorHeaders are the CORS headers of the errors API Gateway answers
// itself (4XX/5XX gateway responses). They have no templates that could
// choose among origins, and echoing any Origin would let every site read
// them with credentials. So one origin is sent as it is (with credentials
// when configured); several get "*" without credentials.
func corsErrorHeaders(c *model.CORS) object {
	_, headers, _ := corsValues(c)
	one := len(c.AllowOrigins) == 1
	origin := "*"
	if one {
		origin = c.AllowOrigins[0]
	}
	out := object{
		{"Access-Control-Allow-Origin", quoted(origin)},
		{"Access-Control-Allow-Headers", quoted(strings.Join(headers, ","))},
	}
	if one && c.AllowCredentials {
		out = append(out, member{"Access-Control-Allow-Credentials", quoted("true")})
	}
	if len(c.ExposeHeaders) > 0 {
		out = append(out, member{"Access-Control-Expose-Headers", quoted(strings.Join(c.ExposeHeaders, ","))})
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(a.key, b.key) })
	return out
}

// preflight is the OPTIONS operation API Gateway answers on every route
// path with CORS: a MOCK integration that answers 204 with the headers.
func (d *docBuilder) preflight(path string) object {
	c := d.m.API.CORS
	headers := corsPreflightHeaders(c)
	names := make([]string, 0, len(headers)+1)
	for _, h := range headers {
		names = append(names, h.key)
	}
	if !slices.Contains(names, "Access-Control-Allow-Origin") {
		names = append(names, "Access-Control-Allow-Origin") // set by the template
	}
	slices.Sort(names)
	declared := object{}
	for _, n := range names {
		declared = append(declared, member{n, object{{"schema", object{{"type", "string"}}}}})
	}
	params := object{}
	for _, h := range headers {
		params = append(params, member{"method.response.header." + h.key, h.val})
	}
	answer := object{{"statusCode", "204"}, {"responseParameters", params}}
	if len(c.AllowOrigins) > 1 {
		answer.set("responseTemplates", object{{"application/json", corsOriginTemplate(c)}})
	}
	op := object{
		{"operationId", "cors_preflight_" + pathID(path)},
		{"summary", "CORS preflight, answered by API Gateway"},
	}
	if params := d.parameters(model.Route{Path: path}); len(params) > 0 {
		op.set("parameters", params)
	}
	return append(op, object{
		{"responses", object{{"204", object{
			{"description", "No Content. The CORS headers for the browser's preflight."},
			{"headers", declared},
		}}}},
		{"x-amazon-apigateway-integration", object{
			{"type", "mock"},
			{"requestTemplates", object{{"application/json", `{"statusCode": 200}`}}},
			{"passthroughBehavior", "when_no_match"},
			{"responses", object{{"default", answer}}},
		}},
	}...)
}

// pathID is a path as an identifier: /items/{id} -> items_id.
func pathID(p string) string {
	var parts []string
	for _, s := range strings.Split(p, "/") {
		if s = strings.Trim(s, "{}+"); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "root"
	}
	return sanitize(strings.Join(parts, "_"), false)
}

// lambdaAuthorizer is the x-amazon-apigateway-authorizer of a TOKEN or
// REQUEST authorizer.
func (d *docBuilder) lambdaAuthorizer(a model.Authorizer) object {
	out := object{{"type", a.Type}, {"authorizerUri", functionURI(d.env.FunctionNames[model.AuthorizerModule(a.Name)])}}
	if a.Type == "request" || len(a.IdentitySource) > 0 {
		out.set("identitySource", strings.Join(a.IdentitySource, ", "))
	}
	if a.IdentityValidation != "" {
		out.set("identityValidationExpression", a.IdentityValidation)
	}
	out.set("authorizerResultTtlInSeconds", a.ResultTTLSeconds)
	return out
}

// cognitoAuthorizer is the x-amazon-apigateway-authorizer of a Cognito
// user pools authorizer.
func cognitoAuthorizer(a model.Authorizer) object {
	arns := make([]any, len(a.UserPoolArns))
	for i, arn := range a.UserPoolArns {
		arns[i] = arn
	}
	out := object{{"type", "cognito_user_pools"}, {"providerARNs", arns}}
	if len(a.IdentitySource) > 0 {
		out.set("identitySource", strings.Join(a.IdentitySource, ", "))
	}
	return out
}
