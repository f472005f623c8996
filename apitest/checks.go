package apitest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// request is one HTTP call of a check.
type request struct {
	method, path string // path below the stage, parameters filled in
	query        url.Values
	headers      map[string]string
	body         []byte
	sign         bool // sign with SigV4 (AWS_IAM routes)
}

// check is one thing the deployed API must do.
type check struct {
	route, name string
	function    string // the route's function; "" when invocations do not matter
	req         request
	// expect judges the answer; notInvoked asks that the route's function
	// was not called (API Gateway answered in front of it).
	expect     func(a *answer) error
	notInvoked bool
	skip       string // why the check cannot run here; "" runs it
	// burst > 0 sends the request that many times and judges the last
	// answer (usage-plan limits).
	burst int
	// answerOf judges the answer the named check of the same route got,
	// sending nothing (a second call would not be the same: the first
	// may have created what it names).
	answerOf string
	// before runs first (e.g. a re-apply with a small usage plan).
	before func() error
}

// answer is what the stage answered.
type answer struct {
	status  int
	headers map[string][]string
	body    []byte
}

func (a *answer) String() string {
	body := string(a.body)
	if len(body) > 300 {
		body = body[:300] + "..."
	}
	return fmt.Sprintf("%d %s", a.status, body)
}

func (a *answer) header(name string) string {
	for k, v := range a.headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// plan is what Run needs to know of the deployment to build checks.
type plan struct {
	res       *generate.Result
	keys      map[string]string // API key name -> value
	local     bool
	env       string // the environment deployed ("" counts as dev)
	region    string
	functions map[string]string // route -> deployed function name
}

// methodOrder runs creating routes first and deleting ones last, so that
// the happy path of GET /items/{id} finds what POST /items created.
var methodOrder = map[string]int{"POST": 0, "PUT": 1, "PATCH": 2, "GET": 3, "HEAD": 4, "ANY": 5, "OPTIONS": 6, "DELETE": 7}

func (p *plan) checks() []check {
	routes := slices.Clone(p.res.Routes)
	sort.SliceStable(routes, func(i, j int) bool { return methodOrder[routes[i].Method] < methodOrder[routes[j].Method] })
	var out []check
	for _, r := range routes {
		out = append(out, p.routeChecks(r)...)
	}
	out = append(out, p.usagePlanChecks()...)
	return out
}

func (p *plan) authorizer(name string) *generate.Authorizer {
	for i := range p.res.Authorizers {
		if p.res.Authorizers[i].Name == name {
			return &p.res.Authorizers[i]
		}
	}
	return nil
}

// baseRequest is a request the route's function should get: parameters
// from the examples (or "example"), the body from the example (or built
// from the request schema), valid credentials. skip says why none can be
// built.
func (p *plan) baseRequest(r generate.Route) (request, string) {
	req := request{method: r.Method, query: url.Values{}, headers: map[string]string{}}
	if r.Method == "ANY" {
		req.method = "GET"
	}
	param := func(name string) string {
		for k, v := range r.ExampleParams {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return "example"
	}
	var segs []string
	for _, seg := range strings.Split(r.Path, "/") {
		if strings.HasPrefix(seg, "{") {
			name := strings.TrimSuffix(strings.Trim(seg, "{}"), "+")
			v := param(name)
			if strings.HasSuffix(seg, "+}") {
				segs = append(segs, v)
				continue
			}
			seg = url.PathEscape(v)
		}
		segs = append(segs, seg)
	}
	req.path = strings.Join(segs, "/")
	for _, q := range r.Query {
		req.query.Set(q, param(q))
	}
	for _, h := range r.Headers {
		req.headers[h] = param(h)
	}
	switch {
	case r.Example != nil:
		req.body = r.Example
	case r.RequestSchema != "":
		v, err := p.validator(r.RequestSchema)
		if err != nil {
			return req, err.Error()
		}
		inst, err := sample(v.raw)
		if err != nil {
			return req, fmt.Sprintf("cannot build a body from %s (%v): add request.example", r.RequestSchema, err)
		}
		body, _ := json.Marshal(inst)
		if err := v.check(body); err != nil {
			return req, fmt.Sprintf("the body built from %s does not validate (%v): add request.example", r.RequestSchema, err)
		}
		req.body = body
	case r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH":
		req.body = []byte("{}")
	}
	if req.body != nil {
		if _, set := req.headers["Content-Type"]; !set {
			req.headers["Content-Type"] = "application/json"
		}
	}
	if why := p.credentials(r, &req); why != "" {
		return req, why
	}
	return req, ""
}

// credentials adds what the route's authorizer needs to let the call in.
func (p *plan) credentials(r generate.Route, req *request) string {
	a := p.authorizer(r.Auth)
	if a == nil {
		return ""
	}
	switch a.Type {
	case "api_key":
		for _, k := range a.Keys {
			if v, ok := p.keys[k]; ok {
				req.headers["x-api-key"] = v
				return ""
			}
		}
		return fmt.Sprintf("no value for the API keys of %s in the outputs", a.Name)
	case "token":
		tok := os.Getenv(TokenVar(a.Name))
		switch {
		case tok != "":
		case p.env != "" && p.env != "dev":
			// test_token is for dev (routes.yaml refuses it elsewhere).
			return fmt.Sprintf("the token authorizer %s needs a token env %s accepts: set %s", a.Name, p.env, TokenVar(a.Name))
		case a.TestToken == "":
			return fmt.Sprintf("the token authorizer %s names no test_token in routes.yaml (or set %s)", a.Name, TokenVar(a.Name))
		default:
			tok = a.TestToken
		}
		req.headers[headerOf(a.IdentitySource[0])] = tok
	case "request":
		if len(a.TestIdentity) == 0 {
			return fmt.Sprintf("the request authorizer %s names no test_identity in routes.yaml", a.Name)
		}
		for name, v := range a.TestIdentity {
			if slices.Contains(a.IdentitySource, "method.request.querystring."+name) {
				req.query.Set(name, v)
			} else {
				req.headers[name] = v
			}
		}
	case "cognito":
		if tok := os.Getenv(TokenVar(a.Name)); tok != "" {
			req.headers[headerOf(a.IdentitySource[0])] = tok
			return ""
		}
		if !p.local {
			tok := os.Getenv(TokenVar(a.Name))
			if tok == "" {
				return fmt.Sprintf("the cognito authorizer %s needs a token of its user pool on AWS: set %s", a.Name, TokenVar(a.Name))
			}
			req.headers[headerOf(a.IdentitySource[0])] = tok
			return ""
		}
		req.headers[headerOf(a.IdentitySource[0])] = unsignedJWT(p.res, a, r.Scopes)
	case "iam":
		req.sign = true
	}
	return ""
}

// unsignedJWT is a Cognito-shaped token for the local stack, which checks
// a token's issuer, expiry and scopes but not its signature (as its docs
// say); on AWS a real token is needed.
func unsignedJWT(res *generate.Result, a *generate.Authorizer, scopes []string) string {
	iss := ""
	if len(a.UserPoolArns) > 0 {
		// arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>
		parts := strings.Split(a.UserPoolArns[0], ":")
		if len(parts) == 6 {
			iss = "https://cognito-idp." + parts[3] + ".amazonaws.com/" + strings.TrimPrefix(parts[5], "userpool/")
		}
	}
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","kid":"apibuilder-test"}`))
	claims, _ := json.Marshal(map[string]any{
		"iss": iss, "sub": "apibuilder-test", "token_use": "access", "scope": strings.Join(scopes, " "),
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "client_id": "apibuilder-test",
	})
	return header + "." + enc(claims) + "." + enc([]byte("unsigned"))
}

// TokenVar is the environment variable that gives the checks a token for
// authorizer name: APIBUILDER_TEST_TOKEN_<NAME>, non-alphanumerics as _.
func TokenVar(name string) string {
	b := []byte(strings.ToUpper(name))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return "APIBUILDER_TEST_TOKEN_" + string(b)
}

func headerOf(source string) string {
	return strings.TrimPrefix(source, "method.request.header.")
}

func (p *plan) routeChecks(r generate.Route) []check {
	fn := p.functions[r.Name]
	base, skip := p.baseRequest(r)
	var out []check
	add := func(c check) {
		c.route = r.Name
		if c.skip == "" && skip != "" && c.req.method == "" {
			c.skip = skip
		}
		out = append(out, c)
	}

	// The happy path reaches the function and answers as declared. A
	// browser's Origin goes with it when the API has CORS (judged below).
	origins := p.res.API.CORSOrigins
	if len(origins) > 0 && base.headers != nil {
		base.headers["Origin"] = origins[0]
	}
	happy := check{name: "happy path", function: fn, req: base, skip: skip}
	happy.expect = func(a *answer) error {
		if a.status >= 500 {
			return fmt.Errorf("want an answer of the function below 500, got %s", a)
		}
		if a.status >= 200 && a.status < 300 && r.ResponseSchema != "" {
			v, err := p.validator(r.ResponseSchema)
			if err != nil {
				return err
			}
			if err := v.check(a.body); err != nil {
				return fmt.Errorf("the %d answer does not match %s: %v\n    body: %s", a.status, r.ResponseSchema, oneLine(err), a.body)
			}
			if r.SuccessStatus != 0 && a.status != r.SuccessStatus {
				return fmt.Errorf("want status %d (response.status), got %s", r.SuccessStatus, a)
			}
		}
		return nil
	}
	add(happy)
	if skip != "" {
		return out
	}

	gateway := func(name string, req request, status int, message string) {
		c := check{name: name, function: fn, req: req, notInvoked: true}
		c.expect = func(a *answer) error {
			if a.status != status {
				return fmt.Errorf("want %d %s from API Gateway, got %s", status, message, a)
			}
			if message != "" && !strings.Contains(string(a.body), message) {
				return fmt.Errorf("want the message %s, got %s", message, a)
			}
			return nil
		}
		add(c)
	}

	// Request validation: every kind of violation the schema can show.
	if r.RequestSchema != "" {
		v, err := p.validator(r.RequestSchema)
		if err != nil {
			add(check{name: "request body validation", skip: err.Error()})
		} else {
			valid := base.body
			for _, x := range v.violations(valid) {
				req := base
				req.body = x.body
				gateway("body: "+x.name, req, 400, `"Invalid request body"`)
			}
		}
	}
	for _, q := range r.Query {
		req := clone(base)
		req.query.Del(q)
		gateway("missing required query string "+q, req, 400, "Missing required request parameters")
	}
	for _, h := range r.Headers {
		req := clone(base)
		delete(req.headers, h)
		gateway("missing required header "+h, req, 400, "Missing required request parameters")
	}

	// Authorization in front of the function.
	if a := p.authorizer(r.Auth); a != nil {
		switch a.Type {
		case "api_key":
			req := clone(base)
			delete(req.headers, "x-api-key")
			gateway("missing API key", req, 403, `"Forbidden"`)
			req = clone(base)
			req.headers["x-api-key"] = "apibuilder-not-a-key-0000000000000000"
			gateway("unknown API key", req, 403, `"Forbidden"`)
		case "token":
			h := headerOf(a.IdentitySource[0])
			req := clone(base)
			delete(req.headers, h)
			gateway("missing token", req, 401, `"Unauthorized"`)
			req = clone(base)
			req.headers[h] = "Bearer apibuilder-denied-token"
			c := check{name: "denied token", function: fn, req: req, notInvoked: true}
			c.expect = func(a *answer) error {
				if a.status != 403 && a.status != 401 {
					return fmt.Errorf("want 403 (the authorizer denies a token it does not know) or 401, got %s", a)
				}
				return nil
			}
			add(c)
		case "request":
			req := clone(base)
			for name := range a.TestIdentity {
				req.query.Del(name)
				delete(req.headers, name)
			}
			gateway("missing identity", req, 401, `"Unauthorized"`)
			req = clone(base)
			for name := range a.TestIdentity {
				if req.query.Has(name) {
					req.query.Set(name, "apibuilder-denied")
				} else {
					req.headers[name] = "apibuilder-denied"
				}
			}
			c := check{name: "denied identity", function: fn, req: req, notInvoked: true}
			c.expect = func(a *answer) error {
				if a.status != 403 && a.status != 401 {
					return fmt.Errorf("want 403 (the authorizer denies an identity it does not know) or 401, got %s", a)
				}
				return nil
			}
			add(c)
		case "cognito":
			req := clone(base)
			delete(req.headers, headerOf(a.IdentitySource[0]))
			gateway("missing token", req, 401, `"Unauthorized"`)
		case "iam":
			req := clone(base)
			req.sign = false
			gateway("unsigned request", req, 403, `"Missing Authentication Token"`)
		}
	}

	// CORS: the preflight, and the function's own answer to a browser.
	if len(origins) > 0 {
		origin := origins[0]
		pre := request{method: "OPTIONS", path: base.path, query: url.Values{}, headers: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": base.method,
		}}
		c := check{name: "CORS preflight", req: pre}
		c.expect = func(a *answer) error {
			if a.status >= 300 || a.header("Access-Control-Allow-Origin") != origin {
				return fmt.Errorf("want 2xx with Access-Control-Allow-Origin: %s, got %s (Access-Control-Allow-Origin: %q)", origin, a, a.header("Access-Control-Allow-Origin"))
			}
			return nil
		}
		add(c)
		c = check{name: "CORS on the function's answer", req: base, answerOf: "happy path"}
		c.expect = func(a *answer) error {
			if a.status < 500 && a.header("Access-Control-Allow-Origin") == origin {
				return nil
			}
			return fmt.Errorf("a browser at %s reads the answer only with Access-Control-Allow-Origin: %s; got %s (Access-Control-Allow-Origin: %q)", origin, origin, a, a.header("Access-Control-Allow-Origin"))
		}
		add(c)
	}
	return out
}

// usagePlanChecks make each usage plan small and call one of its routes
// past its limits: the throttle answers 429 Too Many Requests.
func (p *plan) usagePlanChecks() []check {
	var out []check
	for _, a := range p.res.Authorizers {
		if a.Type != "api_key" {
			continue
		}
		var route *generate.Route
		for i, r := range p.res.Routes {
			if r.Auth == a.Name {
				route = &p.res.Routes[i]
				break
			}
		}
		if route == nil {
			continue
		}
		base, skip := p.baseRequest(*route)
		c := check{route: route.Name, name: "usage plan " + a.Name + " throttles (429)", req: base, skip: skip, burst: 20}
		c.expect = func(ans *answer) error {
			if ans.status != 429 {
				return fmt.Errorf("after 20 calls at once on a plan of rate 1, burst 1: want 429, got %s", ans)
			}
			return nil
		}
		out = append(out, c)
	}
	return out
}

func clone(r request) request {
	c := r
	c.query = url.Values{}
	for k, v := range r.query {
		c.query[k] = slices.Clone(v)
	}
	c.headers = map[string]string{}
	for k, v := range r.headers {
		c.headers[k] = v
	}
	return c
}

func (p *plan) validator(rel string) (*validator, error) {
	doc, err := os.ReadFile(filepath.Join(p.res.Root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	v, err := newValidator(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	return v, nil
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
