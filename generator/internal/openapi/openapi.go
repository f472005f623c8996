// Package openapi writes the OpenAPI 3.0.3 document of one environment of
// the API that routes.yaml describes: its servers, every route with its
// parameters, bodies and the answers API Gateway itself gives, and its
// security schemes, with the draft-04 request and response schemas
// converted to OpenAPI's Schema Object. Clients, documentation and contract
// tests read it; the deployed API is still defined by the Terraform that
// package render writes. Like render it is pure: it returns bytes and reads
// schema files only through the function its caller passes.
package openapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/apibuilder/apibuilder/generator/internal/model"
	"github.com/apibuilder/apibuilder/generator/internal/render"
)

// FileName is the document's name in each environment's directory.
const FileName = render.OpenAPIFile

// Version is the OpenAPI version of the document.
const Version = "3.0.3"

// gatewayError is the component of API Gateway's own error bodies.
const gatewayError = "GatewayError"

// Render returns env's OpenAPI document (JSON, 2-space indented, ending in
// a newline; the same model gives the same bytes) and what the schema
// conversion could not express. readFile reads a schema file by its slash
// path relative to the project root.
func Render(m *model.Model, env model.Env, readFile func(rel string) ([]byte, error)) ([]byte, []Loss, error) {
	schemas := newSchemaSet(gatewayError)
	if err := schemas.addFiles(schemaFiles(m), readFile); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", m.File, err)
	}
	d := &docBuilder{m: m, env: env, schemas: schemas, schemes: object{}, responseText: map[string]string{}}
	paths, err := d.paths()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", m.File, err)
	}
	info := object{{"title", m.API.Name}}
	if m.API.Description != "" {
		info.set("title", m.API.Description)
	}
	info.set("description", d.description())
	info.set("version", env.Stage)
	components := object{{"schemas", append(object{{gatewayError, gatewayErrorSchema()}}, schemas.components...)}}
	if len(d.gatewayResponses) > 0 {
		slices.SortFunc(d.gatewayResponses, func(a, b member) int { return strings.Compare(a.key, b.key) })
		components.set("responses", d.gatewayResponses)
	}
	if len(d.schemes) > 0 {
		slices.SortFunc(d.schemes, func(a, b member) int { return strings.Compare(a.key, b.key) })
		components.set("securitySchemes", d.schemes)
	}
	doc := object{
		{"x-generated", render.Marker},
		{"openapi", Version},
		{"info", info},
		{"servers", d.servers()},
		{"paths", paths},
		{"components", components},
	}
	d.amazonTopLevel(&doc)
	// The version names the stage and the content: it changes exactly when
	// the document does.
	sum := sha256.Sum256(writeJSON(doc))
	info.set("version", env.Stage+"-"+hex.EncodeToString(sum[:6]))
	doc.set("info", info)
	return writeJSON(doc), schemas.losses, nil
}

// schemaFiles lists the request and response schema files, sorted.
func schemaFiles(m *model.Model) []string {
	seen := map[string]bool{}
	for _, r := range m.Routes {
		for _, f := range []string{r.RequestSchema, r.ResponseSchema} {
			if f != "" {
				seen[f] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func gatewayErrorSchema() object {
	return object{
		{"description", "The body of an answer API Gateway gives itself, without the function."},
		{"type", "object"},
		{"required", []any{"message"}},
		{"properties", object{{"message", object{
			{"description", "What went wrong; null when a Lambda authorizer failed."},
			{"type", "string"},
			{"nullable", true},
		}}}},
	}
}

type docBuilder struct {
	m       *model.Model
	env     model.Env
	schemas *schemaSet
	schemes object // security schemes in use

	gatewayResponses object            // API Gateway's answers, shared by the operations
	responseText     map[string]string // response name -> its JSON, to share equal ones
}

func (d *docBuilder) description() string {
	e := d.env
	s := fmt.Sprintf("API %s, environment %s: stage %s of an API Gateway REST API (%s) in %s, one Lambda function per route.",
		d.m.API.Name, e.Name, e.Stage, d.m.API.EndpointType, e.Region)
	if c := d.m.API.CORS; c != nil {
		s += " Browsers may call it from " + strings.Join(c.AllowOrigins, ", ") + " (CORS; API Gateway answers the preflight)."
	}
	return s + " Generated from " + d.m.Source + " by apibuilder."
}

// servers are the stage's invoke URLs: the custom domain first when the
// environment has one, then execute-api's.
func (d *docBuilder) servers() []any {
	e := d.env
	var out []any
	if dom := e.Domain; dom != nil && dom.Name != "" {
		u := "https://" + dom.Name
		if bp := strings.Trim(dom.BasePath, "/"); bp != "" {
			u += "/" + bp
		}
		out = append(out, object{{"url", u}, {"description", "Custom domain of stage " + e.Stage + "."}})
	}
	apiID := object{
		{"default", "rest-api-id"},
		{"description", "The REST API's id: terraform -chdir=envs/" + e.Name + " output -raw rest_api_id"},
	}
	host, vars := "{restApiId}", object{{"restApiId", apiID}}
	if d.m.API.EndpointType == "PRIVATE" {
		host = "{restApiId}-{vpceId}"
		vars = append(vars, member{"vpceId", object{
			{"default", "vpce-id"},
			{"description", "The id of the VPC endpoint (execute-api) the caller's VPC reaches the private API through."},
		}})
	}
	out = append(out, object{
		{"url", fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com/%s", host, e.Region, e.Stage)},
		{"description", "Stage " + e.Stage + " on API Gateway (" + d.m.API.EndpointType + ", " + e.Region + ")."},
		{"variables", vars},
	})
	return out
}

// Operation methods in the order OpenAPI lists them in a path item.
var methodOrder = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"}

func (d *docBuilder) paths() (object, error) {
	items := map[string]map[string]object{} // path -> method -> operation
	owner := map[string]string{}            // "METHOD path" -> route
	for _, r := range d.m.Routes {
		p := r.Path // API Gateway's greedy {proxy+} stays, as in its own exports
		methods := []string{r.Method}
		if r.Method == "ANY" {
			// ANY is every method; with CORS, OPTIONS is the preflight.
			methods = slices.DeleteFunc(slices.Clone(methodOrder), func(m string) bool { return m == "OPTIONS" && d.m.API.CORS != nil })
		}
		if items[p] == nil {
			items[p] = map[string]object{}
		}
		for _, method := range methods {
			key := method + " " + p
			if prev, ok := owner[key]; ok {
				return nil, fmt.Errorf("%s: routes %s and %s are both %s (one operation each)", r.Field, prev, r.Name, key)
			}
			owner[key] = r.Name
			op, err := d.operation(r, method)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Field, err)
			}
			items[p][method] = op
		}
	}
	if d.m.API.CORS != nil {
		for p, ops := range items {
			if _, taken := ops["OPTIONS"]; !taken {
				ops["OPTIONS"] = d.preflight(p)
			}
		}
	}
	out := object{}
	for _, p := range slices.Sorted(maps.Keys(items)) {
		item := object{}
		for _, method := range methodOrder {
			if op, ok := items[p][method]; ok {
				item = append(item, member{strings.ToLower(method), op})
			}
		}
		out = append(out, member{p, item})
	}
	return out, nil
}

func (d *docBuilder) operation(r model.Route, method string) (object, error) {
	id := r.Name
	if r.Method == "ANY" {
		id += "_" + strings.ToLower(method)
	}
	op := object{{"operationId", id}}
	if r.Description != "" {
		op.set("summary", r.Description)
	}
	if params := d.parameters(r); len(params) > 0 {
		op.set("parameters", params)
	}
	if r.RequestSchema != "" || r.RequestExample != nil {
		mt := object{}
		if r.RequestSchema != "" {
			mt.set("schema", d.schemas.ref(r.RequestSchema))
		}
		if r.RequestExample != nil {
			ex, err := parseJSON(r.RequestExample)
			if err != nil {
				return nil, fmt.Errorf("request.example is not JSON: %v", err)
			}
			mt.set("example", ex)
		}
		body := object{}
		if r.RequestSchema != "" {
			body.set("description", "API Gateway checks the body against the request schema and answers 400 without calling the function when it does not match.")
			body.set("required", true)
		}
		body.set("content", object{{"application/json", mt}})
		op.set("requestBody", body)
	}
	op.set("responses", d.responses(r, method))
	if sec := d.security(r); sec != nil {
		op.set("security", sec)
	}
	d.amazonOperation(&op, r)
	op.set("x-apibuilder-route", r.Name)
	return op, nil
}

// parameters lists the path parameters in path order, then the required
// query strings and headers, each sorted.
func (d *docBuilder) parameters(r model.Route) []any {
	var out []any
	for _, seg := range strings.Split(r.Path, "/") {
		if !strings.HasPrefix(seg, "{") {
			continue
		}
		name := strings.TrimSuffix(strings.Trim(seg, "{}"), "+")
		p := object{{"name", name}, {"in", "path"}}
		if strings.HasSuffix(seg, "+}") {
			p.set("description", "Greedy path parameter ({"+name+"+} in API Gateway): the rest of the path, one or more segments; its slashes are part of the value and are sent unencoded.")
		}
		p.set("required", true)
		out = append(out, d.withExample(r, p))
	}
	for _, kind := range []struct{ prefix, in string }{{"method.request.querystring.", "query"}, {"method.request.header.", "header"}} {
		for _, key := range slices.Sorted(maps.Keys(r.RequestParameters)) {
			name, ok := strings.CutPrefix(key, kind.prefix)
			if !ok {
				continue
			}
			p := object{{"name", name}, {"in", kind.in}}
			if r.RequestParameters[key] {
				p.set("description", "Required: API Gateway answers 400 without calling the function when it is missing.")
				p.set("required", true)
			}
			out = append(out, d.withExample(r, p))
		}
	}
	return out
}

// withExample adds the parameter's schema and its example value, if the
// route gives one (names match without regard to case, as routes.yaml's).
func (d *docBuilder) withExample(r model.Route, p object) object {
	p.set("schema", object{{"type", "string"}})
	name, _ := p.get("name")
	for _, k := range slices.Sorted(maps.Keys(r.ExampleParams)) {
		if strings.EqualFold(k, name.(string)) {
			p.set("example", r.ExampleParams[k])
			break
		}
	}
	return p
}

// responses: the function's success answer, then API Gateway's own, each
// a shared component (most routes give the same ones).
func (d *docBuilder) responses(r model.Route, method string) object {
	ok := object{{"description", statusText(r.SuccessStatus) + ". The function's answer."}}
	if r.ResponseSchema != "" {
		ok.set("content", object{{"application/json", object{{"schema", d.schemas.ref(r.ResponseSchema)}}}})
	}
	byStatus := map[int][]answer{}
	for _, a := range d.answers(r, method) {
		byStatus[a.status] = append(byStatus[a.status], a)
	}
	out := object{{fmt.Sprint(r.SuccessStatus), ok}}
	for _, status := range slices.Sorted(maps.Keys(byStatus)) {
		if status == r.SuccessStatus {
			continue // cannot happen: gateway answers are 4xx and 5xx
		}
		out = append(out, member{fmt.Sprint(status), object{{"$ref", "#/components/responses/" + d.response(status, byStatus[status])}}})
	}
	return out
}

// response returns the name of the response component for API Gateway's
// answers with one status, adding it the first time. Its name is the
// status and the answers' tags: Forbidden_ApiKey_Waf, Unauthorized_admin,
// BadRequest_Body_search.
func (d *docBuilder) response(status int, as []answer) string {
	var whens, tags []string
	examples := object{}
	for _, a := range as {
		if a.when != "" {
			whens = append(whens, a.when)
		}
		if a.tag != "" && !slices.Contains(tags, a.tag) {
			tags = append(tags, a.tag)
		}
		examples = append(examples, member{a.key, object{{"summary", a.summary}, {"value", object{{"message", a.message}}}}})
	}
	desc := statusText(status) + ". "
	if status < 502 {
		desc += "API Gateway answers itself, without calling the function, when "
	} else {
		desc += "API Gateway answers when "
	}
	resp := object{
		{"description", desc + strings.Join(whens, "; or when ") + "."},
		{"content", object{{"application/json", object{
			{"schema", object{{"$ref", componentRef(gatewayError)}}},
			{"examples", examples},
		}}}},
	}
	base := strings.ReplaceAll(statusText(status), " ", "")
	if len(tags) > 0 {
		base += "_" + sanitize(strings.Join(tags, "_"), true)
	}
	text := string(writeJSON(resp))
	name := base
	for i := 2; ; i++ {
		prev, taken := d.responseText[name]
		if !taken {
			d.responseText[name] = text
			d.gatewayResponses = append(d.gatewayResponses, member{name, resp})
			return name
		}
		if prev == text {
			return name
		}
		name = fmt.Sprintf("%s_%d", base, i)
	}
}

func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Status " + fmt.Sprint(status)
}
