package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
)

func (v *validator) routes() {
	names := map[string]Route{}
	endpoints := map[string]Route{} // METHOD path
	tree := newPathTree()
	schemas := map[string]string{} // file -> error ("" when fine), checked once per file
	quota := MaxResources
	if q := v.cfg.API.ResourceQuota; q.Set {
		quota = q.V
	}
	var crossing *Route // the first route whose path goes over the quota

	for _, r := range v.cfg.Routes {
		f := r.Field
		if v.required(r.Name, f+".name", "give every route a unique name, e.g. name: create_item") {
			if !routeNameRe.MatchString(r.Name.V) {
				v.add(r.Name.Pos, f+".name", fmt.Sprintf("%q is not a valid route name", r.Name.V), "use lowercase letters, digits and '_', starting with a letter")
			} else if prev, dup := names[r.Name.V]; dup {
				v.add(r.Name.Pos, f+".name", fmt.Sprintf("duplicate route name %q (also %s on line %d)", r.Name.V, prev.Field, prev.Name.Pos.Line), "route names must be unique")
			} else {
				names[r.Name.V] = r
			}
		}
		method := strings.ToUpper(r.Method.V)
		if v.required(r.Method, f+".method", "e.g. method: GET") {
			v.oneOf(Str{V: method, Pos: r.Method.Pos, Set: true}, f+".method", Methods)
		}
		pathOK := v.required(r.Path, f+".path", "e.g. path: /items/{id}") && v.path(r)
		if pathOK {
			if err := tree.insert(r); err != "" {
				v.add(r.Path.Pos, f+".path", err, "API Gateway requires one parameter name per level")
			}
			if crossing == nil && tree.count+1 > quota {
				crossing = &r
			}
			if slices.Contains(Methods, method) {
				v.endpoint(r, method, endpoints)
			}
		}
		v.handler(r.Handler, f+".handler")
		if d := r.Description; d.Set && len(d.V) > maxDescription {
			v.add(d.Pos, f+".description", fmt.Sprintf("is %d characters; it becomes the Lambda function's description, and Lambda allows %d", len(d.V), maxDescription), "shorten it")
		}
		if r.Request != nil {
			if r.Request.Schema.Set {
				v.schema(r.Request.Schema, f+".request.schema", schemas)
			}
			for i, q := range r.Request.Query {
				if !queryRe.MatchString(q.V) {
					v.add(q.Pos, fmt.Sprintf("%s.request.query[%d]", f, i), fmt.Sprintf("%q is not a query parameter name", q.V), "")
				}
			}
			for i, h := range r.Request.Headers {
				if !headerRe.MatchString(h.V) {
					v.add(h.Pos, fmt.Sprintf("%s.request.headers[%d]", f, i), fmt.Sprintf("%q is not a header name", h.V), "")
				}
			}
			if q := r.Request; !q.Schema.Set && len(q.Query) == 0 && len(q.Headers) == 0 && !q.Example.Set && len(q.ExampleParams) == 0 {
				v.add(r.Request.Pos, f+".request", "is empty", "set schema, query or headers, or remove request")
			}
			v.examples(r, f+".request", pathOK)
		}
		if r.Response != nil {
			v.schema(r.Response.Schema, f+".response.schema", schemas)
			if s := r.Response.Status; s.Set && (s.V < status.Min || s.V > status.Max) {
				v.add(s.Pos, f+".response.status", fmt.Sprintf("%d is not an HTTP status code", s.V), "e.g. 200 or 201")
			}
		}
		v.permissions(r)
		v.auth(r)
		v.settings(r.Settings, f)
	}
	if n := tree.count + 1; n > quota && crossing != nil {
		limit := fmt.Sprintf("API Gateway allows %d per REST API by default", quota)
		if v.cfg.API.ResourceQuota.Set {
			limit = fmt.Sprintf("api.resource_quota allows %d", quota)
		}
		v.add(crossing.Path.Pos, crossing.Field+".path", fmt.Sprintf("this path is the first over the quota: the paths need %d API Gateway resources (every distinct path prefix plus the root); %s", n, limit),
			"split the API into several routes.yaml files (one REST API each), or ask AWS Service Quotas to raise 'Resources per API' and set api.resource_quota")
	}
}

// examples checks a request's examples: the body against the request
// schema (API Gateway would refuse a body that does not match, so an
// example that does not is a bug in one of them), and the parameter values
// against the parameters the route has.
func (v *validator) examples(r Route, f string, pathOK bool) {
	q := r.Request
	if q.Example.Set && q.Schema.Set {
		if msg := checkExample(filepath.Join(v.cfg.Dir, filepath.FromSlash(q.Schema.V)), q.Example.Raw); msg != "" {
			v.add(q.Example.Pos, f+".example", fmt.Sprintf("does not match %s: %s", q.Schema.V, msg), "fix the example or the schema")
		}
	}
	if len(q.ExampleParams) == 0 || !pathOK {
		return
	}
	var params []string
	for _, seg := range strings.Split(r.Path.V, "/") {
		if strings.HasPrefix(seg, "{") {
			params = append(params, strings.TrimSuffix(strings.Trim(seg, "{}"), "+"))
		}
	}
	for _, s := range append(slices.Clone(q.Query), q.Headers...) {
		params = append(params, s.V)
	}
	for _, kv := range q.ExampleParams {
		if !slices.ContainsFunc(params, func(p string) bool { return strings.EqualFold(p, kv.Key) }) {
			hint := "give values of the route's path parameters, required query strings and headers"
			if len(params) > 0 {
				hint += " (" + strings.Join(params, ", ") + ")"
			}
			v.add(kv.Value.Pos, f+".example_params."+kv.Key, "is not a parameter of this route", hint)
		}
	}
}

// checkExample validates an example body against a schema file; "" when
// it matches (or when the schema itself is broken: that is reported apart).
func checkExample(schemaPath string, example []byte) string {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return ""
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if c.AddResource("file:///schema.json", doc) != nil {
		return ""
	}
	sch, err := c.Compile("file:///schema.json")
	if err != nil {
		return ""
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(example))
	if err != nil {
		return err.Error()
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return oneLine(err.Error())
		}
		var msgs []string
		for _, u := range ve.BasicOutput().Errors {
			if u.Error == nil {
				continue
			}
			at := u.InstanceLocation
			if at == "" {
				at = "/"
			}
			msgs = append(msgs, at+": "+u.Error.String())
		}
		return strings.Join(msgs, "; ")
	}
	return ""
}

// auth checks the route's authorizer and its OAuth scopes.
func (v *validator) auth(r Route) {
	f := r.Field
	var au *Authorizer
	if r.Auth.Set && r.Auth.V != "none" {
		i := slices.IndexFunc(v.cfg.Authorizers, func(a Authorizer) bool { return a.Name.V == r.Auth.V })
		if i < 0 {
			v.add(r.Auth.Pos, f+".auth", fmt.Sprintf("unknown authorizer %q", r.Auth.V), v.authHint(r.Auth.V))
			return
		}
		au = &v.cfg.Authorizers[i]
	}
	if len(r.Scopes) == 0 {
		return
	}
	if au == nil || au.Type.V != "cognito" {
		v.add(r.Scopes[0].Pos, f+".scopes", "needs a cognito authorizer", "scopes are OAuth scopes of a Cognito access token; set auth to a type: cognito authorizer or remove scopes")
		return
	}
	for i, sc := range r.Scopes {
		if !scopeRe.MatchString(sc.V) {
			v.add(sc.Pos, fmt.Sprintf("%s.scopes[%d]", f, i), fmt.Sprintf("%q is not an OAuth scope", sc.V), "e.g. items/read (no spaces or quotes)")
		}
	}
}

func (v *validator) authHint(name string) string {
	names := make([]string, len(v.cfg.Authorizers))
	for i, a := range v.cfg.Authorizers {
		names[i] = a.Name.V
	}
	if s := diag.Suggest(name, names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	if len(names) == 0 {
		return "declare it under authorizers:, or use auth: none"
	}
	return "declared authorizers: " + strings.Join(names, ", ") + " (or none)"
}

// path checks the syntax of one route path.
func (v *validator) path(r Route) bool {
	p, f := r.Path.V, r.Field+".path"
	if !strings.HasPrefix(p, "/") {
		v.add(r.Path.Pos, f, fmt.Sprintf("%q must start with '/'", p), "")
		return false
	}
	if p == "/" {
		return true
	}
	if strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		v.add(r.Path.Pos, f, fmt.Sprintf("%q has an empty segment", p), "remove the trailing or doubled '/'")
		return false
	}
	segs := strings.Split(p[1:], "/")
	seen := map[string]bool{}
	for i, s := range segs {
		if m := paramRe.FindStringSubmatch(s); m != nil {
			if seen[m[1]] {
				v.add(r.Path.Pos, f, fmt.Sprintf("parameter {%s} appears twice in %q", m[1], p), "give each parameter its own name")
				return false
			}
			seen[m[1]] = true
			if m[2] == "+" && i != len(segs)-1 {
				v.add(r.Path.Pos, f, fmt.Sprintf("greedy parameter {%s+} must be the last segment", m[1]), "")
				return false
			}
			continue
		}
		if strings.ContainsAny(s, "{}") {
			v.add(r.Path.Pos, f, fmt.Sprintf("segment %q is not a valid parameter", s), "write parameters as a whole segment: {name}")
			return false
		}
		if !segmentRe.MatchString(s) {
			v.add(r.Path.Pos, f, fmt.Sprintf("segment %q has characters API Gateway does not allow", s), "use letters, digits, '.', '_', '~' and '-'")
			return false
		}
	}
	return true
}

func (v *validator) endpoint(r Route, method string, seen map[string]Route) {
	for _, m := range []string{method, "ANY"} {
		if prev, dup := seen[m+" "+r.Path.V]; dup {
			v.add(r.Path.Pos, r.Field+".path", fmt.Sprintf("%s %s is already served by %s (%s, line %d)", method, r.Path.V, prev.Name.V, prev.Field, prev.Path.Pos.Line), "each method and path needs exactly one route")
			return
		}
	}
	if method == "ANY" {
		for k, prev := range seen {
			if strings.HasSuffix(k, " "+r.Path.V) {
				v.add(r.Path.Pos, r.Field+".path", fmt.Sprintf("ANY %s overlaps %s (%s, line %d)", r.Path.V, prev.Method.V, prev.Field, prev.Path.Pos.Line), "each method and path needs exactly one route")
				return
			}
		}
	}
	seen[method+" "+r.Path.V] = r
}

// handler checks that a handler is a directory holding a Go main package.
func (v *validator) handler(h Str, f string) {
	if !v.required(h, f, "point to the Go main package of the function, e.g. handler: functions/create_item") {
		return
	}
	dir, ok := v.inProject(h, f, "handlers")
	if !ok {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		v.add(h.Pos, f, fmt.Sprintf("no directory %s", dir), fmt.Sprintf("create it with the handler's main.go, or fix the path (it is relative to %s)", v.cfg.Dir))
		return
	}
	fset := token.NewFileSet()
	pkg := ""
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		v.cfg.Inputs = append(v.cfg.Inputs, filepath.Join(dir, e.Name()))
		file, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.PackageClauseOnly)
		if err != nil {
			v.add(h.Pos, f, fmt.Sprintf("%s/%s does not parse: %v", h.V, e.Name(), err), "")
			return
		}
		pkg = file.Name.Name
		if pkg == "main" {
			return
		}
	}
	if pkg == "" {
		v.add(h.Pos, f, fmt.Sprintf("no Go main package in %s (it holds no Go files)", dir), "a handler is a Go main package calling lambda.Start; fix the path, or add the handler's main.go")
		return
	}
	v.add(h.Pos, f, fmt.Sprintf("%q is package %s, not a main package", h.V, pkg), "a handler is a Go main package (package main with func main calling lambda.Start)")
}

const draft04 = "http://json-schema.org/draft-04/schema#"

// inProject resolves a path of the project (a handler or a schema) and
// checks that it stays inside the project, symbolic links followed: the
// generated Terraform and the builds read it from there, and a link out of
// the project would make them read (and upload) files nobody reviewed
// with it. allow_paths_outside_project: true allows it.
func (v *validator) inProject(p Str, field, what string) (string, bool) {
	abs := filepath.Join(v.cfg.Dir, filepath.FromSlash(p.V))
	// One routes.yaml generates on Linux, macOS and Windows alike: its
	// paths use / everywhere (Windows accepts it), and a path that only
	// Windows would read differently is refused on every system.
	if strings.Contains(p.V, `\`) {
		v.add(p.Pos, field, fmt.Sprintf("%q uses \\: paths in routes.yaml use / on every system, Windows included", p.V),
			"write "+strings.ReplaceAll(p.V, `\`, "/"))
		return abs, false
	}
	if len(p.V) >= 2 && p.V[1] == ':' || strings.HasPrefix(p.V, "/") {
		hint := fmt.Sprintf("give a path relative to the directory of routes.yaml (%s)", v.cfg.Dir)
		v.add(p.Pos, field, fmt.Sprintf("%q is an absolute path", p.V), hint)
		return abs, false
	}
	v.cfg.Inputs = append(v.cfg.Inputs, abs)
	if v.cfg.AllowOutside.V {
		return abs, true
	}
	hint := fmt.Sprintf("keep %s below the directory of routes.yaml (%s), or set allow_paths_outside_project: true if you mean it", what, v.cfg.Dir)
	if rel, err := filepath.Rel(v.cfg.Dir, abs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(p.V) {
		v.add(p.Pos, field, fmt.Sprintf("%q is outside the project", p.V), hint)
		return abs, false
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return abs, true // missing: reported by the caller, with the path
	}
	root, err := filepath.EvalSymlinks(v.cfg.Dir)
	if err != nil {
		return abs, true
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		v.add(p.Pos, field, fmt.Sprintf("%q leads outside the project through a symbolic link, to %s", p.V, real), hint)
		return abs, false
	}
	return abs, true
}

// schema checks that a schema file exists and is valid draft-04, the
// dialect of API Gateway models.
func (v *validator) schema(s Str, field string, cache map[string]string) {
	if !v.required(s, field, "point to a JSON Schema (draft-04) file, e.g. schema: schemas/item.json") {
		return
	}
	path, ok := v.inProject(s, field, "schemas")
	if !ok {
		return
	}
	msg, done := cache[s.V]
	if !done {
		msg = checkSchema(path, s.V)
		cache[s.V] = msg
	}
	if msg != "" {
		v.add(s.Pos, field, msg, "API Gateway models are JSON Schema draft-04")
	}
}

func checkSchema(path, name string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("schema file %q cannot be read: %v", name, unwrapPathErr(err))
	}
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		return fmt.Sprintf("schema file %q is not a JSON object: %v", name, err)
	}
	if d, ok := top["$schema"].(string); ok && strings.TrimSuffix(d, "#") != strings.TrimSuffix(draft04, "#") {
		return fmt.Sprintf("schema file %q declares $schema %q", name, d) + "; use " + draft04
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Sprintf("schema file %q: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	url := "file:///" + filepath.ToSlash(strings.TrimPrefix(name, "/"))
	if err := c.AddResource(url, doc); err != nil {
		return fmt.Sprintf("schema file %q: %v", name, err)
	}
	if _, err := c.Compile(url); err != nil {
		return fmt.Sprintf("schema file %q is not a valid draft-04 schema: %s", name, oneLine(err.Error()))
	}
	return ""
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (v *validator) permissions(r Route) {
	for _, p := range r.Permissions {
		if v.required(p.Table, p.Field+".table", "name a table declared under tables:") {
			if _, ok := v.table(p.Table.V); !ok {
				v.add(p.Table.Pos, p.Field+".table", fmt.Sprintf("unknown table %q", p.Table.V), v.tableHint(p.Table.V))
			}
		}
		if len(p.Actions) == 0 {
			v.add(p.Pos, p.Field+".actions", "is required", "list DynamoDB actions, e.g. actions: [GetItem]")
		}
		for i, a := range p.Actions {
			af := fmt.Sprintf("%s.actions[%d]", p.Field, i)
			if strings.Contains(a.V, "*") {
				v.add(a.Pos, af, "wildcards are not allowed", "name each DynamoDB action the function needs (least privilege)")
				continue
			}
			v.oneOf(Str{V: strings.TrimPrefix(a.V, "dynamodb:"), Pos: a.Pos, Set: true}, af, DynamoDBActions)
		}
	}
}

// pathTree finds sibling parameters with different names in linear time:
// API Gateway has one resource per level, so /items/{id} and
// /items/{itemId} cannot both exist.
type pathTree struct {
	root  *pathNode
	count int // resources below the root
}

type pathNode struct {
	children map[string]*pathNode // static segments
	param    *pathNode
	name     string // parameter segment as written, e.g. {id}
	owner    Route  // route that introduced this node
}

func newPathTree() *pathTree { return &pathTree{root: &pathNode{children: map[string]*pathNode{}}} }

func (t *pathTree) insert(r Route) string {
	if r.Path.V == "/" {
		return ""
	}
	n := t.root
	for _, s := range strings.Split(r.Path.V[1:], "/") {
		if paramRe.MatchString(s) {
			if n.param == nil {
				n.param = &pathNode{children: map[string]*pathNode{}, name: s, owner: r}
				t.count++
			} else if n.param.name != s {
				return fmt.Sprintf("parameter %s conflicts with %s at the same level (%s, line %d)", s, n.param.name, n.param.owner.Field, n.param.owner.Path.Pos.Line)
			}
			n = n.param
			continue
		}
		c, ok := n.children[s]
		if !ok {
			c = &pathNode{children: map[string]*pathNode{}, owner: r}
			n.children[s] = c
			t.count++
		}
		n = c
	}
	return ""
}
