package cli

import (
	"strings"
	"testing"
)

func TestExampleBodyIsTheLeastTheSchemaAccepts(t *testing.T) {
	for _, c := range []struct{ schema, want string }{
		{`{"type":"object","required":["id","name"],"properties":{"id":{"type":"string"},"name":{"type":"string"},"price":{"type":"number"}}}`, `{"id":"example","name":"example"}`},
		{`{"type":"object","required":["n","kind","tags","ok"],"properties":{"n":{"type":"integer","minimum":3},"kind":{"enum":["a","b"]},"tags":{"type":"array","minItems":1,"items":{"type":"string"}},"ok":{"type":"boolean"}}}`, `{"kind":"a","n":3,"ok":true,"tags":["example"]}`},
		{`{"type":"array"}`, `[]`},
		{`{"type":"object"}`, `{}`},
		{`not json`, `{}`},
	} {
		if got := exampleBody(c.schema); got != c.want {
			t.Errorf("exampleBody(%s) = %s, want %s", c.schema, got, c.want)
		}
	}
}

func TestCurlSaysWhatEachRouteNeeds(t *testing.T) {
	const base = "http://127.0.0.1:1/restapis/a/dev/_user_request_"
	for _, c := range []struct {
		name  string
		route deployedRoute
		want  string
	}{
		{"open GET with a path parameter", deployedRoute{Method: "GET", Path: "/items/{id}", Auth: "NONE"},
			`curl -s 'http://127.0.0.1:1/restapis/a/dev/_user_request_/items/example'`},
		{"API key and a body", deployedRoute{Method: "POST", Path: "/items", Auth: "NONE", APIKey: true, BodySchema: `{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}`},
			`curl -s -X POST 'http://127.0.0.1:1/restapis/a/dev/_user_request_/items' -H 'x-api-key: k1' -H 'Content-Type: application/json' -d '{"id":"example"}'`},
		{"token authorizer", deployedRoute{Method: "DELETE", Path: "/items/{id}", Auth: "CUSTOM", Authorizer: "admin", AuthHeader: "Authorization"},
			`curl -s -X DELETE 'http://127.0.0.1:1/restapis/a/dev/_user_request_/items/example' -H 'Authorization: <token for authorizer admin>'`},
		{"required query and header", deployedRoute{Method: "GET", Path: "/search", Auth: "NONE", Query: []string{"q"}, Headers: []string{"X-Request-Id"}},
			`curl -s 'http://127.0.0.1:1/restapis/a/dev/_user_request_/search?q=example' -H 'X-Request-Id: example'`},
		{"IAM", deployedRoute{Method: "GET", Path: "/", Auth: "AWS_IAM"},
			`curl -s 'http://127.0.0.1:1/restapis/a/dev/_user_request_/' --aws-sigv4 'aws:amz:us-east-1:execute-api' --user '<access key id>:<secret access key>'`},
	} {
		if got := c.route.curl(base, "k1"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if got := (deployedRoute{Method: "POST", Path: "/x", APIKey: true, BodySchema: `{"type":"object","required":["s"],"properties":{"s":{"enum":["it's"]}}}`}).curl(base, ""); !strings.Contains(got, `'x-api-key: <API key>'`) || !strings.Contains(got, `-d '{"s":"it'\''s"}'`) {
		t.Errorf("no key and a quote in the body: %s", got)
	}
}
