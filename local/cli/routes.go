package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/apibuilder/apibuilder/local/stack"
)

// deployedRoute is one method of the deployed API as API Gateway reports
// it: what `local up` smoke-calls and shows example calls of.
type deployedRoute struct {
	Method, Path string
	APIKey       bool     // x-api-key required
	Auth         string   // NONE, CUSTOM, AWS_IAM or COGNITO_USER_POOLS
	Authorizer   string   // the authorizer's name (CUSTOM, COGNITO_USER_POOLS)
	AuthHeader   string   // the header the authorizer reads ("" when not a header)
	Query        []string // required query strings
	Headers      []string // required headers
	BodySchema   string   // the JSON request model's schema ("" when none)
}

// deployedRoutes reads every method of the API but OPTIONS (CORS
// preflights), in an order their example calls make sense in: by path,
// writes before reads, and deletes last.
func deployedRoutes(ctx context.Context, api *apigateway.Client, apiID string) ([]deployedRoute, error) {
	authorizers := map[string][2]string{} // id -> name, header
	models := map[string]string{}         // name -> schema
	var routes []deployedRoute
	p := apigateway.NewGetResourcesPaginator(api, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the API's resources: %w", err)
		}
		for _, res := range page.Items {
			for verb, m := range res.ResourceMethods {
				if verb == "OPTIONS" {
					continue
				}
				r := deployedRoute{Method: verb, Path: aws.ToString(res.Path), APIKey: aws.ToBool(m.ApiKeyRequired), Auth: aws.ToString(m.AuthorizationType)}
				for param, required := range m.RequestParameters {
					if q, ok := strings.CutPrefix(param, "method.request.querystring."); ok && required {
						r.Query = append(r.Query, q)
					}
					if h, ok := strings.CutPrefix(param, "method.request.header."); ok && required {
						r.Headers = append(r.Headers, h)
					}
				}
				sort.Strings(r.Query)
				sort.Strings(r.Headers)
				if id := aws.ToString(m.AuthorizerId); id != "" {
					a, ok := authorizers[id]
					if !ok {
						out, err := api.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: &apiID, AuthorizerId: &id})
						if err != nil {
							return nil, fmt.Errorf("authorizer %s: %w", id, err)
						}
						header, _ := strings.CutPrefix(aws.ToString(out.IdentitySource), "method.request.header.")
						if strings.Contains(header, ",") || strings.Contains(header, ".") {
							header = "" // several sources, or not a header
						}
						a = [2]string{aws.ToString(out.Name), header}
						authorizers[id] = a
					}
					r.Authorizer, r.AuthHeader = a[0], a[1]
				}
				if name := m.RequestModels["application/json"]; name != "" {
					schema, ok := models[name]
					if !ok {
						out, err := api.GetModel(ctx, &apigateway.GetModelInput{RestApiId: &apiID, ModelName: &name})
						if err != nil {
							return nil, fmt.Errorf("model %s: %w", name, err)
						}
						schema = aws.ToString(out.Schema)
						models[name] = schema
					}
					r.BodySchema = schema
				}
				routes = append(routes, r)
			}
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		a, b := routes[i], routes[j]
		if (a.Method == "DELETE") != (b.Method == "DELETE") {
			return b.Method == "DELETE"
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return methodRank(a.Method) < methodRank(b.Method)
	})
	return routes, nil
}

// methodRank orders a path's methods: writes, then reads, then the rest.
func methodRank(m string) string {
	switch m {
	case "POST":
		return "0"
	case "PUT":
		return "1"
	case "PATCH":
		return "2"
	case "GET":
		return "3"
	}
	return "4" + m
}

// curl is an example call of r on the stage at base: path parameters and
// required query strings and headers are "example", the body is the least
// the request schema accepts, and credentials the route needs are the API
// key (when there is one) or a placeholder that says what to send.
func (r deployedRoute) curl(base, apiKey string) string {
	var b strings.Builder
	b.WriteString("curl -s")
	if r.Method != "GET" {
		b.WriteString(" -X " + r.Method)
	}
	u := base + paramRe.ReplaceAllString(r.Path, "example")
	if len(r.Query) > 0 {
		q := url.Values{}
		for _, name := range r.Query {
			q.Set(name, "example")
		}
		u += "?" + q.Encode()
	}
	fmt.Fprintf(&b, " %s", shellQuote(u))
	header := func(name, value string) { fmt.Fprintf(&b, " -H %s", shellQuote(name+": "+value)) }
	if r.APIKey {
		key := apiKey
		if key == "" {
			key = "<API key>"
		}
		header("x-api-key", key)
	}
	switch r.Auth {
	case "CUSTOM", "COGNITO_USER_POOLS":
		what := "<token for authorizer " + r.Authorizer + ">"
		if r.Auth == "COGNITO_USER_POOLS" {
			what = "<Cognito token for " + r.Authorizer + ">"
		}
		if r.AuthHeader != "" {
			header(r.AuthHeader, what)
		} else {
			fmt.Fprintf(&b, " # plus the identity sources of authorizer %s", r.Authorizer)
		}
	case "AWS_IAM":
		fmt.Fprintf(&b, " --aws-sigv4 'aws:amz:%s:execute-api' --user '<access key id>:<secret access key>'", stack.Region)
	}
	for _, h := range r.Headers {
		if !strings.EqualFold(h, r.AuthHeader) && !strings.EqualFold(h, "x-api-key") {
			header(h, "example")
		}
	}
	if r.BodySchema != "" {
		header("Content-Type", "application/json")
		fmt.Fprintf(&b, " -d %s", shellQuote(exampleBody(r.BodySchema)))
	}
	return b.String()
}

// exampleBody is the least JSON value a draft-04 schema accepts, as far as
// a short example can tell: required properties only, the first enum
// value, a number's minimum. A schema it cannot read gives "{}".
func exampleBody(schema string) string {
	var s map[string]any
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		return "{}"
	}
	out, err := json.Marshal(exampleValue(s, 0))
	if err != nil {
		return "{}"
	}
	return string(out)
}

func exampleValue(s map[string]any, depth int) any {
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	typ, _ := s["type"].(string)
	if list, ok := s["type"].([]any); ok && len(list) > 0 {
		typ, _ = list[0].(string)
	}
	switch typ {
	case "string":
		return "example"
	case "number", "integer":
		if m, ok := s["minimum"].(float64); ok {
			return m
		}
		return 1
	case "boolean":
		return true
	case "null":
		return nil
	case "array":
		items, _ := s["items"].(map[string]any)
		if minItems, _ := s["minItems"].(float64); minItems > 0 && items != nil && depth < 8 {
			return []any{exampleValue(items, depth+1)}
		}
		return []any{}
	}
	obj := map[string]any{}
	props, _ := s["properties"].(map[string]any)
	required, _ := s["required"].([]any)
	for _, r := range required {
		name, _ := r.(string)
		prop, _ := props[name].(map[string]any)
		if name == "" || depth >= 8 {
			continue
		}
		if prop == nil {
			obj[name] = "example"
			continue
		}
		obj[name] = exampleValue(prop, depth+1)
	}
	return obj
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
