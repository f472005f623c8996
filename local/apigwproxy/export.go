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
	"strings"
	"time"
)

// GetExport (GET /restapis/<id>/stages/<stage>/exports/oas30|swagger
// ?extensions=integrations,authorizers,apigateway), which moto 5.2.1
// answers with a bare list of paths: the proxy builds the export from the
// snapshot of the stage's deployment (snapshot.go), as AWS exports what a
// stage serves, not the API's current configuration. The output is
// deterministic (keys sorted, lists in a fixed order) so that `apibuilder
// drift` can compare it with the generated document.

// exportVerbs maps API Gateway's methods to OpenAPI's operation keys.
var exportVerbs = map[string]string{
	"GET": "get", "PUT": "put", "POST": "post", "DELETE": "delete", "OPTIONS": "options",
	"HEAD": "head", "PATCH": "patch", "ANY": "x-amazon-apigateway-any-method",
}

// credentialRegion finds the region in a SigV4 Authorization header.
var credentialRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([a-z0-9-]+)/`)

// exportOptions are GetExport's parameters.
type exportOptions struct {
	swagger                  bool
	integrations, authorizer bool // x-amazon-apigateway-integration, -authorizer
	apigateway               bool // every extension
	stage, region            string
}

// serveExport answers GetExport and reports whether r was one.
func (g *motoGaps) serveExport(w http.ResponseWriter, r *http.Request, p []string) bool {
	if r.Method != http.MethodGet || len(p) != 6 || p[0] != "restapis" || p[2] != "stages" || p[4] != "exports" {
		return false
	}
	opt := exportOptions{stage: p[3], region: "us-east-1"}
	switch p[5] {
	case "oas30":
	case "swagger":
		opt.swagger = true
	default:
		writeAPIGWError(w, http.StatusBadRequest, "BadRequestException", "Invalid export type "+p[5]+": use oas30 or swagger")
		return true
	}
	if a := r.Header.Get("Accept"); a != "" && !strings.Contains(a, "json") && !strings.Contains(a, "*/*") {
		writeAPIGWError(w, http.StatusBadRequest, "BadRequestException", "the local stack exports JSON only (Accept: application/json), not "+a)
		return true
	}
	for _, e := range strings.Split(r.URL.Query().Get("extensions"), ",") {
		switch strings.TrimSpace(e) {
		case "integrations":
			opt.integrations = true
		case "authorizers":
			opt.authorizer = true
		case "apigateway":
			opt.apigateway, opt.integrations, opt.authorizer = true, true, true
		}
	}
	if m := credentialRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		opt.region = m[1]
	}
	c := &gapCall{g: g, r: r, path: "/" + strings.Join(p, "/")}
	out, err := g.export(c, p[1], opt)
	var me *motoError
	var ue *url.Error
	switch {
	case errors.As(err, &me):
		w.Header().Set("Content-Type", "application/json")
		if v := me.header.Get("X-Amzn-Errortype"); v != "" {
			w.Header().Set("X-Amzn-Errortype", v)
		}
		w.WriteHeader(me.status)
		_, _ = w.Write(me.body)
	case errors.As(err, &ue):
		writeAPIGWError(w, http.StatusServiceUnavailable, "ServiceUnavailableException", err.Error())
	case err != nil:
		writeAPIGWError(w, http.StatusNotFound, "NotFoundException", err.Error())
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"%s_%s_%s.json\"", p[1], opt.stage, p[5]))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
	}
	return true
}

// export builds the document of the stage's deployment.
func (g *motoGaps) export(c *gapCall, api string, opt exportOptions) ([]byte, error) {
	stage, _, err := c.moto(http.MethodGet, "/restapis/"+api+"/stages/"+opt.stage, nil)
	if err != nil {
		return nil, err
	}
	dep := str(stage["deploymentId"])
	dpl, _, err := c.moto(http.MethodGet, "/restapis/"+api+"/deployments/"+dep, nil)
	if err != nil {
		return nil, err
	}
	read := func(what string) (map[string]any, error) {
		raw, ok := g.snaps.get(api, dep, what)
		if !ok {
			return nil, fmt.Errorf("apigwproxy: no snapshot of deployment %s of stage %s (it was created before this proxy started)", dep, opt.stage)
		}
		var m map[string]any
		return m, json.Unmarshal(raw, &m)
	}
	snap := map[string]map[string]any{}
	for _, what := range snapshotReads {
		if snap[what], err = read(what); err != nil {
			return nil, err
		}
	}
	e := &exporter{opt: opt, api: api, refPrefix: "#/components/schemas/",
		validators: map[string]string{}, authorizers: map[string]map[string]any{}, schemes: map[string]any{}}
	if opt.swagger {
		e.refPrefix = "#/definitions/"
	}
	for _, v := range asList(snap["/requestvalidators"]["item"]) {
		e.validators[str(asMap(v)["id"])] = str(asMap(v)["name"])
	}
	for _, a := range asList(snap["/authorizers"]["item"]) {
		e.authorizers[str(asMap(a)["id"])] = asMap(a)
	}
	doc := e.document(snap[""], snap["/resources"], dpl)
	e.models(doc, snap["/models"])
	e.topExtensions(doc, snap[""], snap["/requestvalidators"], snap["/gatewayresponses"])
	return json.MarshalIndent(doc, "", "  ")
}

type exporter struct {
	opt         exportOptions
	api         string
	refPrefix   string
	validators  map[string]string         // id -> name
	authorizers map[string]map[string]any // id -> authorizer
	schemes     map[string]any            // security schemes used
}

func (e *exporter) document(restAPI, resources, deployment map[string]any) map[string]any {
	info := map[string]any{"title": str(restAPI["name"])}
	if d := str(restAPI["description"]); d != "" {
		info["description"] = d
	}
	// AWS's info.version is the deployment's creation time.
	if t, ok := deployment["createdDate"].(float64); ok {
		info["version"] = time.Unix(int64(t), 0).UTC().Format(time.RFC3339)
	} else {
		info["version"] = str(deployment["id"])
	}
	host := e.api + ".execute-api." + e.opt.region + ".amazonaws.com"
	doc := map[string]any{"info": info}
	if e.opt.swagger {
		doc["swagger"] = "2.0"
		doc["host"] = host
		doc["basePath"] = "/" + e.opt.stage
		doc["schemes"] = []any{"https"}
	} else {
		doc["openapi"] = "3.0.1"
		doc["servers"] = []any{map[string]any{
			"url":       "https://" + host + "/{basePath}",
			"variables": map[string]any{"basePath": map[string]any{"default": e.opt.stage}},
		}}
	}
	paths := map[string]any{}
	for _, it := range asList(resources["item"]) {
		res := asMap(it)
		methods := asMap(res["resourceMethods"])
		if len(methods) == 0 {
			continue
		}
		item := map[string]any{}
		for _, verb := range sortedKeys(methods) {
			key, ok := exportVerbs[verb]
			if !ok {
				continue
			}
			item[key] = e.operation(asMap(methods[verb]), str(res["id"]))
		}
		paths[str(res["path"])] = item
	}
	doc["paths"] = paths
	return doc
}

// operation exports one method.
func (e *exporter) operation(m map[string]any, resourceID string) map[string]any {
	op := map[string]any{}
	if n := str(m["operationName"]); n != "" {
		op["operationId"] = n
	}
	// Parameters, in the order path, query, header, then by name.
	var params []any
	order := map[string]int{"path": 0, "query": 1, "header": 2}
	reqParams := asMap(m["requestParameters"])
	for _, k := range sortedKeys(reqParams) {
		var in, name string
		switch {
		case strings.HasPrefix(k, "method.request.path."):
			in, name = "path", strings.TrimPrefix(k, "method.request.path.")
		case strings.HasPrefix(k, "method.request.querystring."):
			in, name = "query", strings.TrimPrefix(k, "method.request.querystring.")
		case strings.HasPrefix(k, "method.request.header."):
			in, name = "header", strings.TrimPrefix(k, "method.request.header.")
		default:
			continue
		}
		p := map[string]any{"name": name, "in": in, "required": reqParams[k] == true || in == "path"}
		if e.opt.swagger {
			p["type"] = "string"
		} else {
			p["schema"] = map[string]any{"type": "string"}
		}
		params = append(params, p)
	}
	sort.SliceStable(params, func(i, j int) bool {
		a, b := asMap(params[i]), asMap(params[j])
		if order[str(a["in"])] != order[str(b["in"])] {
			return order[str(a["in"])] < order[str(b["in"])]
		}
		return str(a["name"]) < str(b["name"])
	})
	models := asMap(m["requestModels"])
	if len(models) > 0 {
		if e.opt.swagger {
			cts := sortedKeys(models)
			op["consumes"] = toAny(cts)
			name := str(models[cts[0]])
			params = append(params, map[string]any{"in": "body", "name": name, "required": true,
				"schema": map[string]any{"$ref": e.refPrefix + name}})
		} else {
			content := map[string]any{}
			for _, ct := range sortedKeys(models) {
				content[ct] = map[string]any{"schema": map[string]any{"$ref": e.refPrefix + str(models[ct])}}
			}
			op["requestBody"] = map[string]any{"content": content, "required": true}
		}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	responses := map[string]any{}
	var produces []string
	for code, mr := range asMap(m["methodResponses"]) {
		r := map[string]any{"description": code + " response"}
		headers := map[string]any{}
		for k := range asMap(asMap(mr)["responseParameters"]) {
			if h, ok := strings.CutPrefix(k, "method.response.header."); ok {
				if e.opt.swagger {
					headers[h] = map[string]any{"type": "string"}
				} else {
					headers[h] = map[string]any{"schema": map[string]any{"type": "string"}}
				}
			}
		}
		if len(headers) > 0 {
			r["headers"] = headers
		}
		rm := asMap(asMap(mr)["responseModels"])
		if len(rm) > 0 {
			if e.opt.swagger {
				cts := sortedKeys(rm)
				for _, ct := range cts {
					if !slices.Contains(produces, ct) {
						produces = append(produces, ct)
					}
				}
				r["schema"] = map[string]any{"$ref": e.refPrefix + str(rm[cts[0]])}
			} else {
				content := map[string]any{}
				for _, ct := range sortedKeys(rm) {
					content[ct] = map[string]any{"schema": map[string]any{"$ref": e.refPrefix + str(rm[ct])}}
				}
				r["content"] = content
			}
		}
		responses[code] = r
	}
	if len(produces) > 0 {
		sort.Strings(produces)
		op["produces"] = toAny(produces)
	}
	op["responses"] = responses
	// Security: one requirement naming every scheme the method uses.
	req := map[string]any{}
	if m["apiKeyRequired"] == true {
		req["api_key"] = []any{}
		e.schemes["api_key"] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
	}
	switch str(m["authorizationType"]) {
	case "AWS_IAM":
		req["sigv4"] = []any{}
		e.schemes["sigv4"] = map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
	case "CUSTOM", "COGNITO_USER_POOLS":
		if a := e.authorizers[str(m["authorizerId"])]; a != nil {
			name := str(a["name"])
			scopes := []any{}
			for _, s := range asList(m["authorizationScopes"]) {
				scopes = append(scopes, s)
			}
			req[name] = scopes
			e.schemes[name] = e.authorizerScheme(a)
		}
	}
	if len(req) > 0 {
		op["security"] = []any{req}
	}
	if id := str(m["requestValidatorId"]); id != "" && e.opt.apigateway {
		if name, ok := e.validators[id]; ok {
			op["x-amazon-apigateway-request-validator"] = name
		}
	}
	if in := asMap(m["methodIntegration"]); in != nil && e.opt.integrations {
		op["x-amazon-apigateway-integration"] = exportIntegration(in, resourceID)
	}
	return op
}

// authorizerScheme is the security scheme of an authorizer.
func (e *exporter) authorizerScheme(a map[string]any) map[string]any {
	typ := str(a["type"])
	name := "Authorization"
	if typ == "REQUEST" {
		name = "Unused"
	} else if h, ok := strings.CutPrefix(str(a["identitySource"]), "method.request.header."); ok {
		name = h
	}
	s := map[string]any{"type": "apiKey", "name": name, "in": "header"}
	if !e.opt.authorizer {
		return s
	}
	s["x-amazon-apigateway-authtype"] = cmpOr(str(a["authType"]), map[bool]string{true: "cognito_user_pools", false: "custom"}[typ == "COGNITO_USER_POOLS"])
	x := map[string]any{"type": strings.ToLower(typ)}
	for _, k := range []string{"authorizerUri", "authorizerCredentials", "identityValidationExpression"} {
		if v := str(a[k]); v != "" {
			x[k] = v
		}
	}
	if v := str(a["identitySource"]); v != "" {
		x["identitySource"] = v
	}
	if typ == "COGNITO_USER_POOLS" {
		x["providerARNs"] = asList(a["providerARNs"])
	} else if ttl, ok := a["authorizerResultTtlInSeconds"].(float64); ok {
		x["authorizerResultTtlInSeconds"] = int(ttl)
	}
	s["x-amazon-apigateway-authorizer"] = x
	return s
}

// exportIntegration is x-amazon-apigateway-integration of an integration.
func exportIntegration(in map[string]any, resourceID string) map[string]any {
	x := map[string]any{"type": strings.ToLower(str(in["type"]))}
	for _, k := range []string{"uri", "httpMethod", "credentials", "contentHandling", "connectionType", "connectionId"} {
		if v := str(in[k]); v != "" {
			x[k] = v
		}
	}
	if v := str(in["passthroughBehavior"]); v != "" {
		x["passthroughBehavior"] = strings.ToLower(v)
	}
	if v := str(in["cacheNamespace"]); v != "" && v != resourceID {
		x["cacheNamespace"] = v
	}
	if t, ok := in["timeoutInMillis"].(float64); ok {
		x["timeoutInMillis"] = int(t)
	}
	for _, k := range []string{"requestParameters", "requestTemplates", "tlsConfig"} {
		if v := asMap(in[k]); len(v) > 0 {
			x[k] = v
		}
	}
	if v := asList(in["cacheKeyParameters"]); len(v) > 0 {
		x["cacheKeyParameters"] = v
	}
	responses := map[string]any{}
	for code, r := range asMap(in["integrationResponses"]) {
		ir := asMap(r)
		out := map[string]any{"statusCode": code}
		for _, k := range []string{"responseParameters", "responseTemplates"} {
			if v := asMap(ir[k]); len(v) > 0 {
				out[k] = v
			}
		}
		if v := str(ir["contentHandling"]); v != "" {
			out["contentHandling"] = v
		}
		responses[cmpOr(str(ir["selectionPattern"]), "default")] = out
	}
	if len(responses) > 0 {
		x["responses"] = responses
	}
	return x
}

// models puts the API's models into the document as schemas, AWS's model
// URLs turned back into the document's references.
func (e *exporter) models(doc, models map[string]any) {
	schemas := map[string]any{}
	prefix := "https://apigateway.amazonaws.com/restapis/" + e.api + "/models/"
	for _, it := range asList(models["item"]) {
		m := asMap(it)
		var s any
		if err := json.Unmarshal([]byte(str(m["schema"])), &s); err != nil {
			s = map[string]any{}
		}
		schemas[str(m["name"])] = awsRefs(s, prefix, e.refPrefix)
	}
	if e.opt.swagger {
		if len(schemas) > 0 {
			doc["definitions"] = schemas
		}
		if len(e.schemes) > 0 {
			doc["securityDefinitions"] = e.schemes
		}
		return
	}
	comp := map[string]any{}
	if len(schemas) > 0 {
		comp["schemas"] = schemas
	}
	if len(e.schemes) > 0 {
		comp["securitySchemes"] = e.schemes
	}
	if len(comp) > 0 {
		doc["components"] = comp
	}
}

// topExtensions adds the API-level extensions (extensions=apigateway).
func (e *exporter) topExtensions(doc, restAPI, validators, responses map[string]any) {
	if !e.opt.apigateway {
		return
	}
	if s := str(restAPI["apiKeySource"]); s != "" {
		doc["x-amazon-apigateway-api-key-source"] = s
	}
	if b := asList(restAPI["binaryMediaTypes"]); len(b) > 0 {
		doc["x-amazon-apigateway-binary-media-types"] = b
	}
	if p := str(restAPI["policy"]); p != "" {
		var v any
		if json.Unmarshal([]byte(p), &v) == nil {
			doc["x-amazon-apigateway-policy"] = v
		}
	}
	vs := map[string]any{}
	for _, it := range asList(validators["item"]) {
		v := asMap(it)
		vs[str(v["name"])] = map[string]any{"validateRequestBody": v["validateRequestBody"] == true, "validateRequestParameters": v["validateRequestParameters"] == true}
	}
	if len(vs) > 0 {
		doc["x-amazon-apigateway-request-validators"] = vs
	}
	grs := map[string]any{}
	for _, it := range asList(responses["item"]) {
		r := asMap(it)
		if r["defaultResponse"] == true {
			continue
		}
		out := map[string]any{}
		if s := str(r["statusCode"]); s != "" {
			out["statusCode"] = s
		}
		for _, k := range []string{"responseParameters", "responseTemplates"} {
			if v := asMap(r[k]); len(v) > 0 {
				out[k] = v
			}
		}
		grs[str(r["responseType"])] = out
	}
	if len(grs) > 0 {
		doc["x-amazon-apigateway-gateway-responses"] = grs
	}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
