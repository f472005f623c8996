package apigwproxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// PutRestApi (PUT /restapis/<id>?mode=overwrite|merge&failonwarnings=) and
// ImportRestApi (POST /restapis?mode=import) as AWS answers them: moto
// 5.2.1's own import is a toy (it reads a handful of fields), so the proxy
// reads the OpenAPI document itself, checks everything AWS checks before
// anything is changed, and expands it into the moto calls a per-resource
// set-up would have made (resources, methods and their responses,
// integrations and their responses, models, request validators,
// authorizers, gateway responses, the API's key source and binary media
// types). What the document says is then what GetResources, GetMethod,
// GetModels, ... answer, so the data plane and deployment snapshots serve
// it. docs: "Import a REST API into API Gateway" and "API Gateway
// extensions to OpenAPI".

// importMu serializes imports: an import is many moto calls that must not
// interleave with another import of the same API.
var importMu sync.Mutex

// importVerbs maps OpenAPI's operation keys to API Gateway's methods.
var importVerbs = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "options": "OPTIONS",
	"head": "HEAD", "patch": "PATCH", "x-amazon-apigateway-any-method": "ANY",
}

// modelNameRE is API Gateway's rule for model names.
var modelNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// pathPartRE is API Gateway's (and moto's) rule for a resource path part.
var pathPartRE = regexp.MustCompile(`^\{?[a-zA-Z0-9._\-:]+\+?\}?$`)

// awsIntegrationURI is the form AWS and AWS_PROXY integration URIs must have.
var awsIntegrationURI = regexp.MustCompile(`^arn:[a-z-]+:apigateway:[a-zA-Z0-9-]+:[a-zA-Z0-9-.]+:(path|action)/`)

// gatewayResponseTypes are the response types API Gateway has.
var gatewayResponseTypes = []string{
	"ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
	"BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
	"INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
	"MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND",
	"THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
}

// Extensions the import reads, by where they may appear; the others of
// knownIgnored are AWS extensions the local stack accepts and ignores
// (AWS does not warn about them either). Any other x-amazon-apigateway-*
// key is a warning, as on AWS.
var (
	topExtensions = []string{
		"x-amazon-apigateway-api-key-source", "x-amazon-apigateway-binary-media-types",
		"x-amazon-apigateway-request-validators", "x-amazon-apigateway-gateway-responses",
		"x-amazon-apigateway-policy", "x-amazon-apigateway-endpoint-configuration",
	}
	opExtensions          = []string{"x-amazon-apigateway-integration", "x-amazon-apigateway-request-validator", "x-amazon-apigateway-auth"}
	schemeExtensions      = []string{"x-amazon-apigateway-authtype", "x-amazon-apigateway-authorizer"}
	integrationFields     = []string{"type", "uri", "httpMethod", "credentials", "requestParameters", "requestTemplates", "passthroughBehavior", "timeoutInMillis", "contentHandling", "connectionType", "connectionId", "cacheNamespace", "cacheKeyParameters", "tlsConfig", "responses"}
	integrationTypes      = []string{"aws", "aws_proxy", "http", "http_proxy", "mock"}
	knownIgnoredExtension = []string{
		"x-amazon-apigateway-documentation", "x-amazon-apigateway-minimum-compression-size",
		"x-amazon-apigateway-importexport-version", "x-amazon-apigateway-tag-value",
	}
)

// importDoc is an OpenAPI document read for import.
type importDoc struct {
	title, description string
	apiKeySource       string // "" when the document does not say
	binary             []string
	hasBinary          bool
	policy             string // "" when the document does not say
	endpointTypes      []string
	validators         map[string]validatorDef
	gatewayResponses   map[string]map[string]any // type -> PutGatewayResponse body
	models             map[string]any            // name -> schema, refs still the document's
	authorizers        map[string]map[string]any // name -> CreateAuthorizer body
	methods            map[string]map[string]*importMethod
	refPrefix          string // "#/components/schemas/" or "#/definitions/"

	errs, warnings []string
}

type validatorDef struct{ body, params bool }

// importMethod is one method as the moto calls that create it.
type importMethod struct {
	put          map[string]any            // PutMethod, requestValidatorId/authorizerId still names
	validator    string                    // validator name
	authorizer   string                    // authorizer name
	responses    map[string]map[string]any // status code -> PutMethodResponse
	integration  map[string]any            // PutIntegration, nil without one
	intResponses map[string]map[string]any // status code -> PutIntegrationResponse
}

// importError is AWS's answer to a document it rejects.
type importError struct{ msgs []string }

func (e *importError) Error() string {
	return "Errors found during import:\n\t" + strings.Join(e.msgs, "\n\t")
}

// serveImport answers PutRestApi and ImportRestApi and reports whether r
// was one of them.
func (g *motoGaps) serveImport(w http.ResponseWriter, r *http.Request, p []string, body []byte) bool {
	q := r.URL.Query()
	put := r.Method == http.MethodPut && len(p) == 2 && p[0] == "restapis"
	imp := r.Method == http.MethodPost && len(p) == 1 && p[0] == "restapis" && q.Get("mode") == "import"
	if !put && !imp {
		return false
	}
	importMu.Lock()
	defer importMu.Unlock()
	c := &gapCall{g: g, r: r, path: "/" + strings.Join(p, "/"), body: body}
	status, out, err := g.importAPI(c, p, put, q)
	var ie *importError
	switch {
	case errors.As(err, &ie):
		writeAPIGWError(w, http.StatusBadRequest, "BadRequestException", ie.Error())
	case writeMotoError(w, err):
	case err != nil:
		// moto refused a call after the document was checked: the API may
		// be half imported, which is the proxy's bug, not the client's.
		writeAPIGWError(w, http.StatusInternalServerError, "InternalFailure", "apigwproxy: import: "+err.Error())
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(out)
	}
	return true
}

func (g *motoGaps) importAPI(c *gapCall, p []string, put bool, q url.Values) (int, []byte, error) {
	mode := "overwrite"
	if put {
		mode = q.Get("mode")
		if mode == "" {
			mode = "merge" // AWS's default
		}
	}
	failOnWarnings := false
	if v := q.Get("failonwarnings"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return 0, nil, &importError{[]string{fmt.Sprintf("Invalid value %q for failonwarnings: use true or false", v)}}
		}
		failOnWarnings = b
	}
	if mode != "merge" && mode != "overwrite" {
		return 0, nil, &importError{[]string{fmt.Sprintf("Invalid mode %q: use merge or overwrite", mode)}}
	}
	if put {
		// The API must exist (moto's NotFoundException otherwise).
		if _, _, err := c.moto(http.MethodGet, "/restapis/"+p[1], nil); err != nil {
			return 0, nil, err
		}
	}
	doc := parseImport(c.body)
	if len(doc.errs) > 0 {
		return 0, nil, &importError{doc.errs}
	}
	if failOnWarnings && len(doc.warnings) > 0 {
		return 0, nil, &importError{doc.warnings}
	}
	status := http.StatusOK
	var api string
	if put {
		api = p[1]
	} else {
		in := map[string]any{"name": doc.title}
		if doc.description != "" {
			in["description"] = doc.description
		}
		if len(doc.endpointTypes) > 0 {
			in["endpointConfiguration"] = map[string]any{"types": doc.endpointTypes}
		}
		created, _, err := c.moto(http.MethodPost, "/restapis", in)
		if err != nil {
			return 0, nil, err
		}
		api, _ = created["id"].(string)
		status = http.StatusCreated
	}
	if err := g.applyImport(c, api, doc, mode == "overwrite"); err != nil {
		return 0, nil, err
	}
	_, raw, err := c.moto(http.MethodGet, "/restapis/"+api, nil)
	if err != nil {
		return 0, nil, err
	}
	out := escapePolicies(raw)
	if len(doc.warnings) > 0 {
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			return 0, nil, err
		}
		m["warnings"] = doc.warnings
		if out, err = json.Marshal(m); err != nil {
			return 0, nil, err
		}
	}
	return status, out, nil
}

// parseImport reads an OpenAPI 3 or Swagger 2 JSON document; every problem
// AWS rejects is in errs, every one it only warns about in warnings.
func parseImport(body []byte) *importDoc {
	d := &importDoc{validators: map[string]validatorDef{}, gatewayResponses: map[string]map[string]any{},
		models: map[string]any{}, authorizers: map[string]map[string]any{}, methods: map[string]map[string]*importMethod{}}
	var root map[string]any
	if err := json.Unmarshal(body, &root); err != nil {
		d.errs = append(d.errs, "Invalid OpenAPI input: the document is not JSON: "+err.Error())
		return d
	}
	v3 := strings.HasPrefix(str(root["openapi"]), "3.")
	if !v3 && str(root["swagger"]) != "2.0" {
		d.errs = append(d.errs, `Invalid OpenAPI input: the document has neither "openapi": "3.x" nor "swagger": "2.0"`)
		return d
	}
	paths, ok := root["paths"].(map[string]any)
	if !ok && root["paths"] != nil {
		d.errs = append(d.errs, `Invalid OpenAPI input: "paths" is not an object`)
		return d
	}
	info, _ := root["info"].(map[string]any)
	d.title, d.description = str(info["title"]), str(info["description"])
	d.refPrefix = "#/definitions/"
	schemas, _ := root["definitions"].(map[string]any)
	schemes, _ := root["securityDefinitions"].(map[string]any)
	if v3 {
		d.refPrefix = "#/components/schemas/"
		comp, _ := root["components"].(map[string]any)
		schemas, _ = comp["schemas"].(map[string]any)
		schemes, _ = comp["securitySchemes"].(map[string]any)
	}
	d.readTop(root)
	for _, name := range sortedKeys(schemas) {
		if !modelNameRE.MatchString(name) {
			d.errs = append(d.errs, fmt.Sprintf("Unable to create model for '%s': Model name must be alphanumeric: %s", name, name))
			continue
		}
		d.models[name] = schemas[name]
	}
	sec := d.readSchemes(schemes)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		d.readPath(root, v3, path, resolve(root, item), sec)
	}
	return d
}

// readTop reads the document-level extensions.
func (d *importDoc) readTop(root map[string]any) {
	d.warnUnknown(root, topExtensions, "the document")
	if v, ok := root["x-amazon-apigateway-api-key-source"]; ok {
		s := str(v)
		if s != "HEADER" && s != "AUTHORIZER" {
			d.errs = append(d.errs, fmt.Sprintf("Invalid x-amazon-apigateway-api-key-source '%v': use HEADER or AUTHORIZER", v))
		}
		d.apiKeySource = s
	}
	if v, ok := root["x-amazon-apigateway-binary-media-types"]; ok {
		d.hasBinary = true
		list, _ := v.([]any)
		for _, t := range list {
			d.binary = append(d.binary, str(t))
		}
	}
	if v, ok := root["x-amazon-apigateway-policy"]; ok {
		b, _ := json.Marshal(v)
		d.policy = string(b)
	}
	if ec, ok := root["x-amazon-apigateway-endpoint-configuration"].(map[string]any); ok {
		if types, ok := ec["types"].([]any); ok {
			for _, t := range types {
				d.endpointTypes = append(d.endpointTypes, str(t))
			}
		}
	}
	validators, _ := root["x-amazon-apigateway-request-validators"].(map[string]any)
	for _, name := range sortedKeys(validators) {
		v, _ := validators[name].(map[string]any)
		b, _ := v["validateRequestBody"].(bool)
		p, _ := v["validateRequestParameters"].(bool)
		d.validators[name] = validatorDef{body: b, params: p}
	}
	responses, _ := root["x-amazon-apigateway-gateway-responses"].(map[string]any)
	for _, typ := range sortedKeys(responses) {
		if !slices.Contains(gatewayResponseTypes, typ) {
			d.errs = append(d.errs, fmt.Sprintf("Unable to put gateway response '%s': Invalid response type; use one of %s", typ, strings.Join(gatewayResponseTypes, ", ")))
			continue
		}
		v, _ := responses[typ].(map[string]any)
		in := map[string]any{}
		if s := str(v["statusCode"]); s != "" {
			in["statusCode"] = s
		}
		for _, k := range []string{"responseParameters", "responseTemplates"} {
			if m, ok := v[k].(map[string]any); ok && len(m) > 0 {
				in[k] = m
			}
		}
		d.gatewayResponses[typ] = in
	}
}

// secScheme is what a security scheme does to a method.
type secScheme struct {
	kind string // "apikey", "custom", "cognito", "iam", "other"
}

// readSchemes reads components.securitySchemes (securityDefinitions):
// the authorizers, the API key, IAM.
func (d *importDoc) readSchemes(schemes map[string]any) map[string]secScheme {
	out := map[string]secScheme{}
	for _, name := range sortedKeys(schemes) {
		s, _ := schemes[name].(map[string]any)
		d.warnUnknown(s, schemeExtensions, "security scheme '"+name+"'")
		authType := str(s["x-amazon-apigateway-authtype"])
		a, hasAuthorizer := s["x-amazon-apigateway-authorizer"].(map[string]any)
		switch {
		case hasAuthorizer:
			in, kind, err := authorizerInput(name, s, authType, a)
			if err != "" {
				d.errs = append(d.errs, fmt.Sprintf("Unable to create authorizer '%s': %s", name, err))
				continue
			}
			d.authorizers[name] = in
			out[name] = secScheme{kind: kind}
		case strings.EqualFold(authType, "awsSigv4"):
			out[name] = secScheme{kind: "iam"}
		case str(s["type"]) == "apiKey" && authType == "":
			out[name] = secScheme{kind: "apikey"}
		default:
			d.warnings = append(d.warnings, fmt.Sprintf("Ignoring security scheme '%s': only API keys, Lambda and Cognito authorizers and IAM are supported", name))
			out[name] = secScheme{kind: "other"}
		}
	}
	return out
}

func authorizerInput(name string, s map[string]any, authType string, a map[string]any) (map[string]any, string, string) {
	typ := strings.ToUpper(str(a["type"]))
	in := map[string]any{"name": name, "type": typ}
	if authType != "" {
		in["authType"] = authType
	}
	for _, k := range []string{"authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression"} {
		if v := str(a[k]); v != "" {
			in[k] = v
		}
	}
	ttl := 300.0
	if v, ok := a["authorizerResultTtlInSeconds"].(float64); ok {
		ttl = v
	}
	in["authorizerResultTtlInSeconds"] = int(ttl)
	switch typ {
	case "TOKEN", "REQUEST":
		if in["authorizerUri"] == nil {
			return nil, "", "authorizerUri is required for " + strings.ToLower(typ) + " authorizers"
		}
		if typ == "TOKEN" && in["identitySource"] == nil {
			header := str(s["name"])
			if header == "" {
				return nil, "", "a token authorizer needs the security scheme's name (the header) or identitySource"
			}
			in["identitySource"] = "method.request.header." + header
		}
		if typ == "REQUEST" && in["identitySource"] == nil && int(ttl) > 0 {
			return nil, "", "identitySource is required for request authorizers that cache (authorizerResultTtlInSeconds > 0)"
		}
		return in, "custom", ""
	case "COGNITO_USER_POOLS":
		arns, _ := a["providerARNs"].([]any)
		if len(arns) == 0 {
			return nil, "", "providerARNs is required for cognito_user_pools authorizers"
		}
		in["providerARNs"] = arns
		if in["identitySource"] == nil {
			in["identitySource"] = "method.request.header." + cmpOr(str(s["name"]), "Authorization")
		}
		return in, "cognito", ""
	}
	return nil, "", fmt.Sprintf("Invalid authorizer type '%v': use token, request or cognito_user_pools", a["type"])
}

// readPath reads the operations of one path.
func (d *importDoc) readPath(root map[string]any, v3 bool, path string, item map[string]any, sec map[string]secScheme) {
	if !strings.HasPrefix(path, "/") {
		d.errs = append(d.errs, fmt.Sprintf("Unable to create resource at path '%s': a path starts with /", path))
		return
	}
	for _, part := range splitPath(path) {
		if !pathPartRE.MatchString(part) {
			d.errs = append(d.errs, fmt.Sprintf("Unable to create resource at path '%s': Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.", path))
			return
		}
	}
	d.warnUnknown(item, []string{"x-amazon-apigateway-any-method"}, "path '"+path+"'")
	if d.methods[path] == nil {
		d.methods[path] = map[string]*importMethod{}
	}
	common, _ := item["parameters"].([]any)
	for _, key := range sortedKeys(item) {
		verb, ok := importVerbs[key]
		if !ok {
			continue
		}
		op, _ := item[key].(map[string]any)
		if m := d.readOperation(root, v3, path, verb, op, common, sec); m != nil {
			d.methods[path][verb] = m
		}
	}
}

// readOperation turns one operation into the method calls.
func (d *importDoc) readOperation(root map[string]any, v3 bool, path, verb string, op map[string]any, common []any, sec map[string]secScheme) *importMethod {
	where := fmt.Sprintf("Unable to put method '%s' on resource at path '%s': ", verb, path)
	d.warnUnknown(op, opExtensions, fmt.Sprintf("method '%s %s'", verb, path))
	m := &importMethod{put: map[string]any{"authorizationType": "NONE"}, responses: map[string]map[string]any{}, intResponses: map[string]map[string]any{}}
	if id := str(op["operationId"]); id != "" {
		m.put["operationName"] = id
	}
	// Parameters: the path's, then the operation's (which win).
	params := map[string]bool{}
	requestModels := map[string]any{}
	ops, _ := op["parameters"].([]any)
	for _, p := range append(append([]any{}, common...), ops...) {
		pm := resolve(root, asMap(p))
		name := str(pm["name"])
		req, _ := pm["required"].(bool)
		switch str(pm["in"]) {
		case "path":
			params["method.request.path."+name] = true
		case "query":
			params["method.request.querystring."+name] = req
		case "header":
			params["method.request.header."+name] = req
		case "body":
			if model := d.modelOf(pm["schema"], where); model != "" {
				for _, ct := range consumes(root, op) {
					requestModels[ct] = model
				}
			}
		}
	}
	if len(params) > 0 {
		m.put["requestParameters"] = params
	}
	if rb := resolve(root, asMap(op["requestBody"])); rb != nil {
		content, _ := rb["content"].(map[string]any)
		for _, ct := range sortedKeys(content) {
			if model := d.modelOf(asMap(content[ct])["schema"], where); model != "" {
				requestModels[ct] = model
			}
		}
	}
	if len(requestModels) > 0 {
		m.put["requestModels"] = requestModels
	}
	// Responses.
	responses, _ := op["responses"].(map[string]any)
	for _, code := range sortedKeys(responses) {
		if code == "default" {
			continue // a method response needs a status code
		}
		resp := resolve(root, asMap(responses[code]))
		in := map[string]any{}
		headers, _ := resp["headers"].(map[string]any)
		if len(headers) > 0 {
			rp := map[string]any{}
			for h := range headers {
				rp["method.response.header."+h] = false
			}
			in["responseParameters"] = rp
		}
		models := map[string]any{}
		if v3 {
			content, _ := resp["content"].(map[string]any)
			for _, ct := range sortedKeys(content) {
				if model := d.modelOf(asMap(content[ct])["schema"], where); model != "" {
					models[ct] = model
				}
			}
		} else if model := d.modelOf(resp["schema"], where); model != "" {
			for _, ct := range produces(root, op) {
				models[ct] = model
			}
		}
		if len(models) > 0 {
			in["responseModels"] = models
		}
		m.responses[code] = in
	}
	// Authorization.
	security, hasSecurity := op["security"].([]any)
	if !hasSecurity {
		security, _ = root["security"].([]any)
	}
	if len(security) > 1 {
		d.warnings = append(d.warnings, fmt.Sprintf("Method '%s %s': only the first security requirement is used", verb, path))
	}
	if len(security) > 0 {
		req, _ := security[0].(map[string]any)
		for _, name := range sortedKeys(req) {
			s, ok := sec[name]
			if !ok {
				d.errs = append(d.errs, where+fmt.Sprintf("Invalid security definition: security scheme '%s' is not defined in the document's security schemes", name))
				continue
			}
			switch s.kind {
			case "apikey":
				m.put["apiKeyRequired"] = true
			case "iam":
				m.put["authorizationType"] = "AWS_IAM"
			case "custom":
				m.put["authorizationType"] = "CUSTOM"
				m.authorizer = name
			case "cognito":
				m.put["authorizationType"] = "COGNITO_USER_POOLS"
				m.authorizer = name
				if scopes, _ := req[name].([]any); len(scopes) > 0 {
					m.put["authorizationScopes"] = scopes
				}
			}
		}
	}
	if auth, ok := op["x-amazon-apigateway-auth"].(map[string]any); ok {
		switch t := strings.ToUpper(str(auth["type"])); t {
		case "AWS_IAM", "NONE":
			m.put["authorizationType"] = t
		default:
			d.errs = append(d.errs, where+fmt.Sprintf("Invalid x-amazon-apigateway-auth type '%v': use AWS_IAM or NONE", auth["type"]))
		}
	}
	if v, ok := op["x-amazon-apigateway-request-validator"]; ok {
		name := str(v)
		if _, ok := d.validators[name]; !ok {
			d.errs = append(d.errs, where+fmt.Sprintf("Invalid request validator '%s': not defined in x-amazon-apigateway-request-validators", name))
		}
		m.validator = name
	}
	if v, ok := op["x-amazon-apigateway-integration"]; ok {
		d.readIntegration(m, verb, path, asMap(v))
	}
	return m
}

// readIntegration reads x-amazon-apigateway-integration.
func (d *importDoc) readIntegration(m *importMethod, verb, path string, x map[string]any) {
	where := fmt.Sprintf("Unable to put integration on '%s' for resource at path '%s': ", verb, path)
	for _, k := range sortedKeys(x) {
		if !slices.Contains(integrationFields, k) {
			d.warnings = append(d.warnings, fmt.Sprintf("Ignoring unknown field '%s' of x-amazon-apigateway-integration on method '%s %s'", k, verb, path))
		}
	}
	typ := strings.ToLower(str(x["type"]))
	if !slices.Contains(integrationTypes, typ) {
		d.errs = append(d.errs, where+fmt.Sprintf("Invalid integration type '%v': use aws, aws_proxy, http, http_proxy or mock", x["type"]))
		return
	}
	uri, httpMethod := str(x["uri"]), strings.ToUpper(str(x["httpMethod"]))
	if typ != "mock" {
		if uri == "" {
			d.errs = append(d.errs, where+"Invalid integration URI specified: uri is required for "+typ+" integrations")
		}
		if httpMethod == "" {
			d.errs = append(d.errs, where+"Enumeration value for HttpMethod must be non-empty: httpMethod is required for "+typ+" integrations")
		}
	}
	switch {
	case uri == "":
	case (typ == "aws" || typ == "aws_proxy") && !awsIntegrationURI.MatchString(uri):
		d.errs = append(d.errs, where+"Invalid ARN specified in the request: "+uri)
	case (typ == "http" || typ == "http_proxy") && !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://"):
		d.errs = append(d.errs, where+"Invalid HTTP endpoint specified for URI: "+uri)
	}
	in := map[string]any{"type": strings.ToUpper(typ)}
	if uri != "" {
		in["uri"] = uri
	}
	if httpMethod != "" {
		in["httpMethod"] = httpMethod
	}
	for _, k := range []string{"credentials", "contentHandling", "connectionType", "connectionId", "cacheNamespace"} {
		if v := str(x[k]); v != "" {
			in[k] = v
		}
	}
	if v := str(x["passthroughBehavior"]); v != "" {
		in["passthroughBehavior"] = strings.ToUpper(v)
	}
	if v, ok := x["timeoutInMillis"].(float64); ok {
		in["timeoutInMillis"] = int(v)
	}
	for _, k := range []string{"requestParameters", "requestTemplates", "tlsConfig"} {
		if v, ok := x[k].(map[string]any); ok && len(v) > 0 {
			in[k] = v
		}
	}
	if v, ok := x["cacheKeyParameters"].([]any); ok && len(v) > 0 {
		in["cacheKeyParameters"] = v
	}
	m.integration = in
	responses, _ := x["responses"].(map[string]any)
	for _, pattern := range sortedKeys(responses) {
		r := asMap(responses[pattern])
		code := str(r["statusCode"])
		if code == "" {
			d.errs = append(d.errs, where+fmt.Sprintf("integration response '%s' has no statusCode", pattern))
			continue
		}
		ir := map[string]any{}
		if pattern != "default" {
			ir["selectionPattern"] = pattern
		}
		for _, k := range []string{"responseParameters", "responseTemplates"} {
			if v, ok := r[k].(map[string]any); ok && len(v) > 0 {
				ir[k] = v
			}
		}
		if v := str(r["contentHandling"]); v != "" {
			ir["contentHandling"] = v
		}
		m.intResponses[code] = ir
	}
}

// modelOf names the model a schema refers to, or "" for none: an inline
// schema is ignored (the local stack makes models of the document's
// schemas only; the generator refers to them).
func (d *importDoc) modelOf(schema any, where string) string {
	s, ok := schema.(map[string]any)
	if !ok {
		return ""
	}
	ref := str(s["$ref"])
	if ref == "" {
		return ""
	}
	name, ok := strings.CutPrefix(ref, d.refPrefix)
	if !ok {
		d.errs = append(d.errs, where+fmt.Sprintf("Invalid model reference '%s': refer to %s<name>", ref, d.refPrefix))
		return ""
	}
	if _, ok := d.models[name]; !ok && modelNameRE.MatchString(name) {
		d.errs = append(d.errs, where+fmt.Sprintf("Invalid model reference '%s': no such model", ref))
		return ""
	}
	return name
}

// warnUnknown warns about each x-amazon-apigateway-* key of m that is not
// in known (nor one the local stack accepts and ignores).
func (d *importDoc) warnUnknown(m map[string]any, known []string, where string) {
	for _, k := range sortedKeys(m) {
		if strings.HasPrefix(k, "x-amazon-apigateway-") && !slices.Contains(known, k) && !slices.Contains(knownIgnoredExtension, k) {
			d.warnings = append(d.warnings, fmt.Sprintf("Ignoring unsupported extension '%s' on %s", k, where))
		}
	}
}

// applyImport makes moto hold what doc says; with overwrite, what the
// document does not have is deleted.
func (g *motoGaps) applyImport(c *gapCall, api string, doc *importDoc, overwrite bool) error {
	base := "/restapis/" + api
	// Models. A model whose schema is unchanged is kept.
	curModels, err := listItems(c, base+"/models")
	if err != nil {
		return err
	}
	modelByName := map[string]map[string]any{}
	for _, m := range curModels {
		modelByName[str(m["name"])] = m
	}
	for _, name := range sortedKeys(doc.models) {
		b, err := json.Marshal(awsRefs(doc.models[name], doc.refPrefix, "https://apigateway.amazonaws.com/restapis/"+api+"/models/"))
		if err != nil {
			return err
		}
		if cur, ok := modelByName[name]; ok {
			if str(cur["schema"]) == string(b) && str(cur["contentType"]) == "application/json" {
				continue
			}
			if _, _, err := c.moto(http.MethodDelete, base+"/models/"+name, nil); err != nil {
				return err
			}
		}
		if _, _, err := c.moto(http.MethodPost, base+"/models", map[string]any{"name": name, "contentType": "application/json", "schema": string(b)}); err != nil {
			return err
		}
	}
	// Request validators, kept by name.
	curValidators, err := listItems(c, base+"/requestvalidators")
	if err != nil {
		return err
	}
	validatorID := map[string]string{}
	for _, v := range curValidators {
		name := str(v["name"])
		want, ok := doc.validators[name]
		if !ok {
			continue
		}
		validatorID[name] = str(v["id"])
		if v["validateRequestBody"] != want.body || v["validateRequestParameters"] != want.params {
			ops := []map[string]any{
				{"op": "replace", "path": "/validateRequestBody", "value": strconv.FormatBool(want.body)},
				{"op": "replace", "path": "/validateRequestParameters", "value": strconv.FormatBool(want.params)},
			}
			if _, _, err := c.moto(http.MethodPatch, base+"/requestvalidators/"+str(v["id"]), map[string]any{"patchOperations": ops}); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(doc.validators) {
		if validatorID[name] != "" {
			continue
		}
		want := doc.validators[name]
		v, _, err := c.moto(http.MethodPost, base+"/requestvalidators", map[string]any{"name": name, "validateRequestBody": want.body, "validateRequestParameters": want.params})
		if err != nil {
			return err
		}
		validatorID[name] = str(v["id"])
	}
	// Authorizers, kept by name (their ids stay, as invoke permissions and
	// methods refer to them).
	curAuthorizers, err := listItems(c, base+"/authorizers")
	if err != nil {
		return err
	}
	authorizerID := map[string]string{}
	for _, a := range curAuthorizers {
		name := str(a["name"])
		want, ok := doc.authorizers[name]
		if !ok {
			continue
		}
		if fmt.Sprint(a["providerARNs"]) != fmt.Sprint(want["providerARNs"]) || str(a["type"]) != str(want["type"]) {
			// moto cannot patch providerARNs: re-create it.
			if _, _, err := c.moto(http.MethodDelete, base+"/authorizers/"+str(a["id"]), nil); err != nil {
				return err
			}
			continue
		}
		var ops []map[string]any
		for _, k := range []string{"authType", "authorizerUri", "authorizerCredentials", "identitySource", "identityValidationExpression", "authorizerResultTtlInSeconds"} {
			if fmt.Sprint(a[k]) != fmt.Sprint(want[k]) && want[k] != nil {
				ops = append(ops, map[string]any{"op": "replace", "path": "/" + k, "value": fmt.Sprint(want[k])})
			}
		}
		if len(ops) > 0 {
			if _, _, err := c.moto(http.MethodPatch, base+"/authorizers/"+str(a["id"]), map[string]any{"patchOperations": ops}); err != nil {
				return err
			}
		}
		authorizerID[name] = str(a["id"])
	}
	for _, name := range sortedKeys(doc.authorizers) {
		if authorizerID[name] != "" {
			continue
		}
		want := doc.authorizers[name]
		a, _, err := c.moto(http.MethodPost, base+"/authorizers", want)
		if err != nil {
			return err
		}
		id := str(a["id"])
		authorizerID[name] = id
		// moto's CreateAuthorizer drops the expression (see createAuthorizer).
		if expr := str(want["identityValidationExpression"]); expr != "" && str(a["identityValidationExpression"]) != expr {
			ops := []map[string]any{{"op": "replace", "path": "/identityValidationExpression", "value": expr}}
			if _, _, err := c.moto(http.MethodPatch, base+"/authorizers/"+id, map[string]any{"patchOperations": ops}); err != nil {
				return err
			}
		}
	}
	// Resources: kept by path, created parents first.
	curResources, err := listItems(c, base+"/resources")
	if err != nil {
		return err
	}
	idByPath := map[string]string{}
	verbsByPath := map[string][]string{}
	for _, r := range curResources {
		idByPath[str(r["path"])] = str(r["id"])
		verbsByPath[str(r["path"])] = sortedKeys(asMap(r["resourceMethods"]))
	}
	wanted := map[string]bool{"/": true}
	for path := range doc.methods {
		parts := splitPath(path)
		for i := 1; i <= len(parts); i++ {
			wanted["/"+strings.Join(parts[:i], "/")] = true
		}
	}
	for _, path := range sortedKeys(wanted) { // a parent sorts before its children
		if idByPath[path] != "" {
			continue
		}
		parent, part := parentPath(path)
		r, _, err := c.moto(http.MethodPost, base+"/resources/"+idByPath[parent], map[string]any{"pathPart": part})
		if err != nil {
			return err
		}
		idByPath[path] = str(r["id"])
	}
	// Methods: the document's are put whole (a PutMethod replaces the
	// method, its responses and its integration).
	for _, path := range sortedKeys(doc.methods) {
		for _, verb := range sortedKeys(doc.methods[path]) {
			if err := g.putImportedMethod(c, base+"/resources/"+idByPath[path]+"/methods/"+verb, doc.methods[path][verb], validatorID, authorizerID); err != nil {
				return err
			}
		}
	}
	if overwrite {
		// Methods and resources the document no longer has; children first.
		paths := sortedKeys(verbsByPath)
		sort.SliceStable(paths, func(i, j int) bool { return len(splitPath(paths[i])) > len(splitPath(paths[j])) })
		for _, path := range paths {
			for _, verb := range verbsByPath[path] {
				if _, ok := doc.methods[path][verb]; ok {
					continue
				}
				mpath := base + "/resources/" + idByPath[path] + "/methods/" + verb
				if _, _, err := c.moto(http.MethodDelete, mpath, nil); err != nil {
					return err
				}
				g.setCacheKeys(methodKey(mpath), nil)
			}
			if !wanted[path] {
				if _, _, err := c.moto(http.MethodDelete, base+"/resources/"+idByPath[path], nil); err != nil {
					return err
				}
			}
		}
		for _, v := range curValidators {
			if _, ok := doc.validators[str(v["name"])]; !ok {
				if _, _, err := c.moto(http.MethodDelete, base+"/requestvalidators/"+str(v["id"]), nil); err != nil {
					return err
				}
			}
		}
		for _, a := range curAuthorizers {
			if _, ok := doc.authorizers[str(a["name"])]; !ok {
				if _, _, err := c.moto(http.MethodDelete, base+"/authorizers/"+str(a["id"]), nil); err != nil {
					return err
				}
			}
		}
		for _, m := range curModels {
			if _, ok := doc.models[str(m["name"])]; !ok {
				if _, _, err := c.moto(http.MethodDelete, base+"/models/"+str(m["name"]), nil); err != nil {
					return err
				}
			}
		}
	}
	// Gateway responses.
	curResponses, err := listItems(c, base+"/gatewayresponses")
	if err != nil {
		return err
	}
	for _, typ := range sortedKeys(doc.gatewayResponses) {
		if _, _, err := c.moto(http.MethodPut, base+"/gatewayresponses/"+typ, doc.gatewayResponses[typ]); err != nil {
			return err
		}
	}
	if overwrite {
		for _, r := range curResponses {
			typ := str(r["responseType"])
			if _, ok := doc.gatewayResponses[typ]; !ok && typ != "" && r["defaultResponse"] != true {
				if _, _, err := c.moto(http.MethodDelete, base+"/gatewayresponses/"+typ, nil); err != nil {
					return err
				}
			}
		}
	}
	return g.patchImportedAPI(c, base, doc)
}

// putImportedMethod puts one method, its responses, its integration and
// the integration's responses.
func (g *motoGaps) putImportedMethod(c *gapCall, mpath string, m *importMethod, validatorID, authorizerID map[string]string) error {
	in := map[string]any{}
	for k, v := range m.put {
		in[k] = v
	}
	if m.validator != "" {
		in["requestValidatorId"] = validatorID[m.validator]
	}
	if m.authorizer != "" {
		in["authorizerId"] = authorizerID[m.authorizer]
	}
	if _, _, err := c.moto(http.MethodPut, mpath, in); err != nil {
		return err
	}
	g.setCacheKeys(methodKey(mpath), nil)
	for _, code := range sortedKeys(m.responses) {
		if _, _, err := c.moto(http.MethodPut, mpath+"/responses/"+code, m.responses[code]); err != nil {
			return err
		}
	}
	if m.integration == nil {
		return nil
	}
	if _, _, err := c.moto(http.MethodPut, mpath+"/integration", m.integration); err != nil {
		return err
	}
	g.setCacheKeys(methodKey(mpath), m.integration["cacheKeyParameters"])
	for _, code := range sortedKeys(m.intResponses) {
		if _, _, err := c.moto(http.MethodPut, mpath+"/integration/responses/"+code, m.intResponses[code]); err != nil {
			return err
		}
	}
	return nil
}

// patchImportedAPI sets what the document says about the API itself; what
// it does not say is left as it is.
func (g *motoGaps) patchImportedAPI(c *gapCall, base string, doc *importDoc) error {
	cur, _, err := c.moto(http.MethodGet, base, nil)
	if err != nil {
		return err
	}
	var ops []map[string]any
	if doc.apiKeySource != "" && str(cur["apiKeySource"]) != doc.apiKeySource {
		ops = append(ops, map[string]any{"op": "replace", "path": "/apiKeySource", "value": doc.apiKeySource})
	}
	if doc.hasBinary {
		var have []string
		for _, t := range asList(cur["binaryMediaTypes"]) {
			have = append(have, str(t))
		}
		// moto's form (restAPIOp): the type is the value.
		for _, t := range have {
			if !slices.Contains(doc.binary, t) {
				ops = append(ops, map[string]any{"op": "remove", "path": "/binaryMediaTypes", "value": t})
			}
		}
		for _, t := range doc.binary {
			if !slices.Contains(have, t) {
				ops = append(ops, map[string]any{"op": "add", "path": "/binaryMediaTypes", "value": t})
			}
		}
	}
	if doc.policy != "" && str(cur["policy"]) != doc.policy {
		ops = append(ops, map[string]any{"op": "replace", "path": "/policy", "value": doc.policy})
	}
	if len(doc.endpointTypes) == 1 {
		ec := asMap(cur["endpointConfiguration"])
		if fmt.Sprint(ec["types"]) != fmt.Sprint(doc.endpointTypes) {
			ops = append(ops, map[string]any{"op": "replace", "path": "/endpointConfiguration/types/0", "value": doc.endpointTypes[0]})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	_, _, err = c.moto(http.MethodPatch, base, map[string]any{"patchOperations": ops})
	return err
}

// listItems reads a list of moto (its "item"), up to 500.
func listItems(c *gapCall, path string) ([]map[string]any, error) {
	doc, _, err := c.moto(http.MethodGet, path+"?limit=500", nil)
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, it := range asList(doc["item"]) {
		out = append(out, asMap(it))
	}
	return out, nil
}

// awsRefs copies a schema with each $ref from the document's prefix
// (#/components/schemas/) rewritten to another one (AWS's model URLs), or
// back.
func awsRefs(v any, from, to string) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, from) {
				out[k] = to + strings.TrimPrefix(s, from)
				continue
			}
			out[k] = awsRefs(e, from, to)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = awsRefs(e, from, to)
		}
		return out
	}
	return v
}

// resolve follows a local $ref ("#/components/responses/X") of m.
func resolve(root, m map[string]any) map[string]any {
	for i := 0; i < 10 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return m
		}
		var cur any = root
		for _, seg := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
			cur = asMap(cur)[seg]
		}
		m = asMap(cur)
	}
	return m
}

func consumes(root, op map[string]any) []string { return mediaTypes(root, op, "consumes") }
func produces(root, op map[string]any) []string { return mediaTypes(root, op, "produces") }

func mediaTypes(root, op map[string]any, key string) []string {
	list := asList(op[key])
	if list == nil {
		list = asList(root[key])
	}
	var out []string
	for _, t := range list {
		out = append(out, str(t))
	}
	if len(out) == 0 {
		return []string{"application/json"}
	}
	return out
}

func splitPath(path string) []string {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	return strings.Split(path, "/")
}

func parentPath(path string) (parent, part string) {
	i := strings.LastIndex(path, "/")
	parent = path[:i]
	if parent == "" {
		parent = "/"
	}
	return parent, path[i+1:]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
