package apitest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/target"
)

// Call is one request that should reach a route's function: its happy
// path, built from the route's examples (or its request schema) with the
// credentials its authorizer wants. `local up` smoke-calls them and prints
// them as curl lines; Run checks them.
type Call struct {
	Route        string
	Method, Path string // path below the stage, parameters filled in
	Query        url.Values
	Headers      map[string]string
	Body         []byte
	Sign         bool   // needs a SigV4 signature (AWS_IAM)
	Skip         string // why the call cannot be made; "" when it can
}

// Calls lists the happy-path call of every route, in the order Run makes
// them (writes first, deletes last). keys are the API keys' values by key
// name; local says whether the stage runs on the local stack (which takes
// an unsigned Cognito token); env is the environment deployed (a token
// authorizer's test_token is for dev).
func Calls(res *generate.Result, keys map[string]string, local bool, env string) []Call {
	p := &plan{res: res, keys: keys, local: local, env: env}
	routes := slices.Clone(res.Routes)
	sort.SliceStable(routes, func(i, j int) bool { return methodOrder[routes[i].Method] < methodOrder[routes[j].Method] })
	out := make([]Call, 0, len(routes))
	for _, r := range routes {
		req, skip := p.baseRequest(r)
		out = append(out, Call{Route: r.Name, Method: req.method, Path: req.path, Query: req.query, Headers: req.headers, Body: req.body, Sign: req.sign, Skip: skip})
	}
	return out
}

// URL is the call's address under base (the stage's invoke URL).
func (c Call) URL(base string) string {
	u := strings.TrimSuffix(base, "/") + c.Path
	if len(c.Query) > 0 {
		u += "?" + c.Query.Encode()
	}
	return u
}

// Curl is the call as a curl command line.
func (c Call) Curl(base string) string {
	var b strings.Builder
	b.WriteString("curl -s")
	if c.Method != "GET" {
		b.WriteString(" -X " + c.Method)
	}
	b.WriteString(" " + shellQuote(c.URL(base)))
	names := make([]string, 0, len(c.Headers))
	for k := range c.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(" -H " + shellQuote(k+": "+c.Headers[k]))
	}
	if c.Body != nil {
		b.WriteString(" -d " + shellQuote(string(c.Body)))
	}
	if c.Sign {
		b.WriteString(" --aws-sigv4 'aws:amz:REGION:execute-api' --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"")
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Do sends the call to the stage of tg and returns the status and body;
// AWS_IAM calls are signed with tg's credentials.
func (c Call) Do(ctx context.Context, client *http.Client, tg *target.Target) (int, []byte, error) {
	r := &runner{stage: stageOf(tg), client: client}
	a, err := r.send(ctx, request{method: c.Method, path: c.Path, query: c.Query, headers: c.Headers, body: c.Body, sign: c.Sign})
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
	}
	return a.status, a.body, nil
}
