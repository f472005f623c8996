package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// api is what API Gateway enforces of one document, with the defaults
// it fills in made explicit and documentation left out.
type api struct {
	keySource        string
	binary           []string
	validators       map[string]validator
	gatewayResponses map[string]*gatewayResponse
	authorizers      map[string]*authorizer
	models           map[string]any // name -> the schema, normalised
	methods          map[string]*method
}

type validator struct{ body, params bool }

type gatewayResponse struct {
	status            string
	params, templates map[string]string
}

type authorizer struct {
	kind, uri, credentials, identitySource, validation, ttl, providers string
}

// method is one operation of a path.
type method struct {
	verb, path string
	// auth is the authorization as a user names it: "" (none), "IAM
	// authorization", "authorizer <name>" (a Lambda or Cognito
	// authorizer).
	auth          string
	scopes        []string
	apiKey        bool
	validator     string
	params        map[string]string // "querystring.q" -> "required" / "optional"
	requestModels map[string]string // content type -> model
	responses     map[string]*response
	integration   *integration
}

type response struct {
	models  map[string]string // content type -> model
	headers map[string]string // header -> "declared"
}

type integration struct {
	fields map[string]string
	// contentHandlingDefault: the document leaves contentHandling out;
	// the console sets CONVERT_TO_TEXT on the integrations it edits,
	// which passes a text payload as it is.
	contentHandlingDefault bool
	params, templates      map[string]string
	responses              map[string]*integrationResponse // by selection pattern
}

type integrationResponse struct {
	status, contentHandling string
	params, templates       map[string]string
}

// integrationFields are the scalar settings of an integration compared,
// with the value API Gateway gives one the document leaves out.
var integrationFields = []struct{ name, dflt string }{
	{"type", ""},
	{"httpMethod", ""},
	{"uri", ""},
	{"credentials", ""},
	{"connectionType", "INTERNET"},
	{"connectionId", ""},
	{"passthroughBehavior", "when_no_match"},
	{"timeoutInMillis", "29000"},
	{"contentHandling", ""},
	{"cacheKeyParameters", ""},
}

// methodOrder sorts a path's methods the way routes.yaml lists them most
// often.
var methodOrder = map[string]int{"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6, "ANY": 7}

func (m *method) name() string { return m.verb + " " + m.path }

func (m *method) sortKey() string { return fmt.Sprintf("%s\x00%d", m.path, methodOrder[m.verb]) }

// operationKeys are a path item's keys that are operations, and the
// method each is.
var operationKeys = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
}

// The template of API Gateway's own gateway responses: an export shows
// it on responses the document leaves to their defaults.
const defaultGatewayTemplate = `{"message":$context.error.messageString}`

// defaultModels are the models API Gateway gives every new REST API.
var defaultModels = []string{"Empty", "Error"}

type object = map[string]any

// parse reads a document (OpenAPI 3, or Swagger 2 as older exports are).
func parse(data []byte) (*api, error) {
	var root object
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if root["openapi"] == nil && root["swagger"] == nil {
		return nil, errors.New("not an OpenAPI document (no openapi or swagger field)")
	}
	p := &parser{root: root}
	a := &api{
		keySource:        strings.ToUpper(str(root["x-amazon-apigateway-api-key-source"])),
		validators:       map[string]validator{},
		gatewayResponses: map[string]*gatewayResponse{},
		authorizers:      map[string]*authorizer{},
		models:           map[string]any{},
		methods:          map[string]*method{},
	}
	if a.keySource == "" {
		a.keySource = "HEADER"
	}
	for _, t := range list(root["x-amazon-apigateway-binary-media-types"]) {
		a.binary = append(a.binary, str(t))
	}
	sort.Strings(a.binary)
	for name, v := range obj(root["x-amazon-apigateway-request-validators"]) {
		o := obj(v)
		a.validators[name] = validator{body: o["validateRequestBody"] == true, params: o["validateRequestParameters"] == true}
	}
	for name, v := range obj(root["x-amazon-apigateway-gateway-responses"]) {
		o := obj(v)
		g := &gatewayResponse{status: str(o["statusCode"]), params: stringMap(o["responseParameters"]), templates: stringMap(o["responseTemplates"])}
		for ct, t := range g.templates {
			if t == defaultGatewayTemplate {
				delete(g.templates, ct)
			}
		}
		a.gatewayResponses[name] = g
	}
	p.schemes(a)
	for name, s := range p.schemas() {
		a.models[name] = schema(s)
	}
	p.paths(a)
	return a, nil
}

// withoutDefaults drops from the stage what API Gateway makes on its own
// and the document does not name: the models Empty and Error, and
// gateway responses left at their defaults.
func withoutDefaults(stage, doc *api) {
	for _, m := range defaultModels {
		if _, ok := doc.models[m]; !ok {
			delete(stage.models, m)
		}
	}
	for name, g := range stage.gatewayResponses {
		if _, ok := doc.gatewayResponses[name]; !ok && g.status == "" && len(g.params) == 0 && len(g.templates) == 0 {
			delete(stage.gatewayResponses, name)
		}
	}
}

type parser struct {
	root object
	// schemes are the security schemes by name: what naming one in an
	// operation's security means.
	byName map[string]scheme
}

type scheme struct {
	apiKey bool   // the API key (no authorizer)
	auth   string // "IAM authorization", "authorizer <name>"
	scoped bool   // Cognito: the requirement's list is authorizationScopes
}

func (p *parser) schemas() object {
	if c := obj(p.root["components"]); c != nil {
		return obj(c["schemas"])
	}
	return obj(p.root["definitions"])
}

func (p *parser) schemes(a *api) {
	p.byName = map[string]scheme{}
	defs := obj(p.root["securityDefinitions"])
	if c := obj(p.root["components"]); c != nil {
		defs = obj(c["securitySchemes"])
	}
	for name, v := range defs {
		o := obj(v)
		authtype := strings.ToLower(str(o["x-amazon-apigateway-authtype"]))
		az := obj(o["x-amazon-apigateway-authorizer"])
		switch {
		case authtype == "awssigv4" || authtype == "aws_iam":
			p.byName[name] = scheme{auth: "IAM authorization"}
		case az != nil || authtype != "":
			kind := strings.ToLower(str(az["type"]))
			if kind == "" && authtype == "cognito_user_pools" {
				kind = "cognito_user_pools"
			}
			identity := str(az["identitySource"])
			if identity == "" && kind == "token" && str(o["in"]) == "header" && str(o["name"]) != "" {
				identity = "method.request.header." + str(o["name"])
			}
			ttl := number(az["authorizerResultTtlInSeconds"])
			if ttl == "" {
				ttl = "300"
			}
			var providers []string
			for _, arn := range list(az["providerARNs"]) {
				providers = append(providers, str(arn))
			}
			sort.Strings(providers)
			a.authorizers[name] = &authorizer{
				kind: kind, uri: str(az["authorizerUri"]), credentials: str(az["authorizerCredentials"]),
				identitySource: identitySource(identity), validation: str(az["identityValidationExpression"]),
				ttl: ttl, providers: strings.Join(providers, ", "),
			}
			p.byName[name] = scheme{auth: "authorizer " + name, scoped: kind == "cognito_user_pools"}
		case str(o["type"]) == "apiKey":
			p.byName[name] = scheme{apiKey: true}
		}
	}
}

// identitySource is a comma-separated identity source with the spaces
// after its commas made one.
func identitySource(s string) string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, ", ")
}

func (p *parser) paths(a *api) {
	defaultValidator := str(p.root["x-amazon-apigateway-request-validator"])
	defaultSecurity := p.root["security"]
	for path, v := range obj(p.root["paths"]) {
		item := obj(p.resolve(v))
		for key, verb := range operationKeys {
			op := obj(item[key])
			if op == nil {
				continue
			}
			m := &method{verb: verb, path: path, params: map[string]string{}, requestModels: map[string]string{}, responses: map[string]*response{}}
			m.validator = defaultValidator
			if v, ok := op["x-amazon-apigateway-request-validator"]; ok {
				m.validator = str(v)
			}
			security := defaultSecurity
			if s, ok := op["security"]; ok {
				security = s
			}
			p.security(m, security)
			for _, params := range []any{item["parameters"], op["parameters"]} {
				for _, pv := range list(params) {
					prm := obj(p.resolve(pv))
					in := str(prm["in"])
					if in == "path" || in == "body" {
						continue // path parameters are the path's; a body is its model
					}
					if in == "query" {
						in = "querystring"
					}
					req := "optional"
					if prm["required"] == true {
						req = "required"
					}
					m.params[in+"."+str(prm["name"])] = req
				}
			}
			if rb := obj(p.resolve(op["requestBody"])); rb != nil {
				m.requestModels = p.contentModels(rb["content"])
			}
			for code, rv := range obj(op["responses"]) {
				r := obj(p.resolve(rv))
				resp := &response{models: p.contentModels(r["content"]), headers: map[string]string{}}
				for h := range obj(r["headers"]) {
					resp.headers[h] = "declared"
				}
				m.responses[code] = resp
			}
			m.integration = p.integration(obj(op["x-amazon-apigateway-integration"]))
			a.methods[m.name()] = m
		}
	}
}

// security reads an operation's requirements: any scheme named in any of
// them (API Gateway applies all of them, and exports them either way).
func (p *parser) security(m *method, security any) {
	for _, req := range list(security) {
		for name, scopes := range obj(req) {
			s, ok := p.byName[name]
			switch {
			case !ok:
				// A scheme the document does not define: API Gateway
				// refuses such a document, so the stage cannot have one.
				m.auth = "authorizer " + name + " (undefined)"
			case s.apiKey:
				m.apiKey = true
			default:
				m.auth = s.auth
				if s.scoped {
					for _, sc := range list(scopes) {
						m.scopes = append(m.scopes, str(sc))
					}
				}
			}
		}
	}
	sort.Strings(m.scopes)
}

// inlineSchema stands for a model the document gives inline: API
// Gateway names the model it makes of it, so any model matches it.
const inlineSchema = "an inline schema"

// contentModels are the models of a content map: content type -> model
// name. API Gateway's Empty model is no model.
func (p *parser) contentModels(content any) map[string]string {
	out := map[string]string{}
	for ct, v := range obj(content) {
		s := obj(obj(v)["schema"])
		if s == nil {
			continue
		}
		name := inlineSchema
		if ref, ok := s["$ref"].(string); ok {
			name = refName(ref)
		}
		if name != "Empty" {
			out[ct] = name
		}
	}
	return out
}

func (p *parser) integration(o object) *integration {
	if o == nil {
		return nil
	}
	in := &integration{fields: map[string]string{}, params: stringMap(o["requestParameters"]), templates: stringMap(o["requestTemplates"]), responses: map[string]*integrationResponse{}}
	for _, f := range integrationFields {
		var v string
		switch f.name {
		case "cacheKeyParameters":
			var keys []string
			for _, k := range list(o[f.name]) {
				keys = append(keys, str(k))
			}
			sort.Strings(keys)
			v = strings.Join(keys, ", ")
		case "timeoutInMillis":
			v = number(o[f.name])
		default:
			v = str(o[f.name])
		}
		switch f.name {
		case "type", "passthroughBehavior":
			v = strings.ToLower(v)
		case "httpMethod", "connectionType", "contentHandling":
			v = strings.ToUpper(v)
		}
		if v == "" {
			v = f.dflt
		}
		in.fields[f.name] = v
	}
	in.contentHandlingDefault = in.fields["contentHandling"] == ""
	// A proxy integration passes the function's answer through: API
	// Gateway ignores integration responses there (an export may show
	// one the console added).
	if t := in.fields["type"]; t != "aws_proxy" && t != "http_proxy" {
		for pattern, rv := range obj(o["responses"]) {
			r := obj(rv)
			in.responses[pattern] = &integrationResponse{
				status: str(r["statusCode"]), contentHandling: strings.ToUpper(str(r["contentHandling"])),
				params: stringMap(r["responseParameters"]), templates: stringMap(r["responseTemplates"]),
			}
		}
	}
	return in
}

// resolve follows a local $ref ("#/components/responses/BadGateway") to
// what it names; a schema reference is left as it is (it names a model).
func (p *parser) resolve(v any) any {
	for range 10 {
		o := obj(v)
		ref, ok := o["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") || strings.HasPrefix(ref, "#/components/schemas/") || strings.HasPrefix(ref, "#/definitions/") {
			return v
		}
		var cur any = p.root
		for _, part := range strings.Split(ref[2:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cur = obj(cur)[part]
		}
		if cur == nil {
			return v
		}
		v = cur
	}
	return v
}

// modelURL is how API Gateway stores a reference to a model inside
// another model.
var modelURL = regexp.MustCompile(`^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/([^/]+)$`)

// refName is the model a schema reference names, in any of its forms.
func refName(ref string) string {
	if m := modelURL.FindStringSubmatch(ref); m != nil {
		return m[1]
	}
	for _, prefix := range []string{"#/components/schemas/", "#/definitions/"} {
		if strings.HasPrefix(ref, prefix) {
			return ref[len(prefix):]
		}
	}
	return ref
}

// docOnly are schema keywords that document and validate nothing, and
// OpenAPI's own keywords, which API Gateway's draft-4 validation does
// not apply (an import may keep or drop them).
var docOnly = map[string]bool{
	"description": true, "title": true, "example": true, "examples": true, "$schema": true, "externalDocs": true, "deprecated": true,
	"nullable": true, "readOnly": true, "writeOnly": true, "xml": true, "discriminator": true,
}

// schema is a JSON schema without its documentation, its references in
// one form ("#/components/schemas/<name>").
func schema(v any) any {
	o, ok := v.(object)
	if !ok {
		return v
	}
	out := object{}
	for k, sv := range o {
		switch {
		case docOnly[k] || strings.HasPrefix(k, "x-"):
		case k == "$ref":
			out[k] = "#/components/schemas/" + refName(str(sv))
		case k == "properties" || k == "patternProperties" || k == "definitions":
			named := object{}
			for name, s := range obj(sv) {
				named[name] = schema(s)
			}
			out[k] = named
		case k == "items" || k == "allOf" || k == "anyOf" || k == "oneOf":
			if l, ok := sv.([]any); ok {
				var items []any
				for _, s := range l {
					items = append(items, schema(s))
				}
				out[k] = items
			} else {
				out[k] = schema(sv)
			}
		case k == "additionalProperties" || k == "not":
			out[k] = schema(sv)
		default:
			out[k] = sv
		}
	}
	return out
}

func obj(v any) object {
	o, _ := v.(object)
	return o
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case nil:
		return ""
	case float64:
		return number(s)
	default:
		return fmt.Sprint(s)
	}
}

// number is a JSON number as API Gateway writes it ("29000"); an export
// may give it as a string.
func number(v any) string {
	switch n := v.(type) {
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	case string:
		return n
	}
	return ""
}

// stringMap is a map of strings (request parameters, templates).
func stringMap(v any) map[string]string {
	out := map[string]string{}
	for k, s := range obj(v) {
		out[k] = str(s)
	}
	return out
}
