package dataplane

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// moduleCORSTemplate is the preflight's response template that
// modules/api_gateway/cors.tf writes for two allowed origins (the end-to-end
// test in test/cors_test.go runs the one Terraform really renders).
const moduleCORSTemplate = `#if($input.params().header.get('Origin') == 'https://app.example.com' || $input.params().header.get('Origin') == 'http://localhost:5173')
#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('Origin'))
#elseif($input.params().header.get('origin') == 'https://app.example.com' || $input.params().header.get('origin') == 'http://localhost:5173')
#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('origin'))
#end`

func render(t *testing.T, src string, r *vtlRequest) *vtlResult {
	t.Helper()
	tmpl, err := parseVTL(src)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	if r == nil {
		r = &vtlRequest{}
	}
	out, err := tmpl.render(r)
	if err != nil {
		t.Fatalf("render: %v\n%s", err, src)
	}
	return out
}

func TestModuleCORSTemplateEchoesOnlyAllowedOrigins(t *testing.T) {
	for _, c := range []struct {
		name   string
		header map[string]string
		query  map[string]string
		want   string // Access-Control-Allow-Origin, "" for none
	}{
		{"first origin", map[string]string{"Origin": "https://app.example.com"}, nil, "https://app.example.com"},
		{"second origin", map[string]string{"Origin": "http://localhost:5173"}, nil, "http://localhost:5173"},
		{"HTTP/2 casing", map[string]string{"origin": "http://localhost:5173"}, nil, "http://localhost:5173"},
		{"other origin", map[string]string{"Origin": "https://evil.example.com"}, nil, ""},
		{"allowed origin plus a suffix", map[string]string{"Origin": "https://app.example.com.evil.example"}, nil, ""},
		{"allowed origin with another casing", map[string]string{"Origin": "https://APP.example.com"}, nil, ""},
		{"no Origin", map[string]string{"Host": "x"}, nil, ""},
		{"an Origin query string is no header", nil, map[string]string{"Origin": "https://app.example.com"}, ""},
		{"a third casing is not looked up", map[string]string{"ORIGIN": "https://app.example.com"}, nil, ""},
	} {
		out := render(t, moduleCORSTemplate, &vtlRequest{header: c.header, query: c.query})
		var got string
		for _, h := range out.headers {
			if h.name == "Access-Control-Allow-Origin" {
				got = h.value
			}
		}
		if got != c.want || len(out.headers) > 1 || out.status != 0 {
			t.Errorf("%s: headers %v status %d, want Access-Control-Allow-Origin %q only", c.name, out.headers, out.status, c.want)
		}
		if strings.TrimSpace(out.body) != "" {
			t.Errorf("%s: body %q, want only whitespace", c.name, out.body)
		}
	}
}

func TestVTLSubset(t *testing.T) {
	req := &vtlRequest{
		path:   map[string]string{"id": "from-path"},
		query:  map[string]string{"id": "from-query", "q": "from-query"},
		header: map[string]string{"id": "from-header", "q": "from-header", "X-Tenant": "acme"},
	}
	for _, c := range []struct {
		name, src   string
		wantHeaders []headerField
		wantStatus  int
		wantBody    string
	}{
		{"params: path, then query, then header",
			"#set($context.responseOverride.header.A = $input.params('id'))#set($context.responseOverride.header.B = $input.params('q'))#set($context.responseOverride.header.C = $input.params(\"X-Tenant\"))",
			[]headerField{{"A", "from-path"}, {"B", "from-query"}, {"C", "acme"}}, 0, ""},
		{"a missing parameter is null: nothing is set",
			"#set($context.responseOverride.header.A = $input.params('nope'))", nil, 0, ""},
		{"status as a number and as a string",
			"#if($input.params('id') != 'x')#set($context.responseOverride.status = 418)#end", nil, 418, ""},
		{"else branch and text around it",
			"{\n#if($input.params().header.get('X-Tenant') == 'other')\n#set($context.responseOverride.status = '403')\n#else\n#set($context.responseOverride.header.X-Tenant-Seen = 'yes')\n#end\n}",
			[]headerField{{"X-Tenant-Seen", "yes"}}, 0, "{\n}"},
		{"elseif chain, && binds tighter than ||",
			"#if('a' == 'b' || 'a' == 'a' && 'c' == 'd')#set($context.responseOverride.header.R = '1')#elseif(('a' == 'b' || 'a' == 'a') && 'c' != 'd')#set($context.responseOverride.header.R = '2')#else#set($context.responseOverride.header.R = '3')#end",
			[]headerField{{"R", "2"}}, 0, ""},
		{"nested ifs, and the nodes after them still run",
			"#if('a' == 'a')#if('b' == 'c')#set($context.responseOverride.header.X = 'no')#end#set($context.responseOverride.header.Y = 'inner')#end#set($context.responseOverride.header.Z = 'after')",
			[]headerField{{"Y", "inner"}, {"Z", "after"}}, 0, ""},
		{"null equals null, not a string",
			"#if($input.params('nope') == $input.params('none') && $input.params('nope') != '')#set($context.responseOverride.header.N = 'null')#end",
			[]headerField{{"N", "null"}}, 0, ""},
		{"a lone # or $ is text", "price: 5$ #1", nil, 0, "price: 5$ #1"},
	} {
		out := render(t, c.src, req)
		if !slices.Equal(out.headers, c.wantHeaders) || out.status != c.wantStatus || out.body != c.wantBody {
			t.Errorf("%s: got headers %v status %d body %q, want %v %d %q", c.name, out.headers, out.status, out.body, c.wantHeaders, c.wantStatus, c.wantBody)
		}
	}
}

// Everything outside the subset is an error naming what is not
// evaluated, never a silent pass.
func TestVTLOutsideTheSubsetIsAnError(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"#foreach($x in $input.params().header.keySet())#end", `directive "#foreach`},
		{"## a comment", "comments"},
		{"#* block *#", "comments"},
		{`{"body": $input.body}`, `reference "$input.body`},
		{"$util.escapeJavaScript('x')", "reference"},
		{"#set($origin = 'x')", "only #set($context.responseOverride.header.<name>"},
		{"#set($context.requestOverride.header.X = 'x')", "only #set"},
		{"#set($context.responseOverride.body = 'x')", "only the header.<name> and status overrides"},
		{"#set($context.responseOverride.header.X = $input.params().querystring.get('a'))", "only $input.params().header.get"},
		{"#set($context.responseOverride.header.X = $context.requestId)", "a value must be"},
		{"#set($context.responseOverride.header.X = \"$input.params('a')\")", `references inside "..."`},
		{"#set($context.responseOverride.header.X = 'it''s')", "doubled quotes"},
		{"#set($context.responseOverride.header.X = 'x'", `expected ")"`},
		{"#if($input.params('a'))#end", "a condition must compare"},
		{"#if('a' eq 'b')#end", "a condition must compare"},
		{"#if('a' == 'a' || 'b')#end", "|| needs comparisons"},
		{"#if('a' == 'a')", "#if without #end"},
		{"#end", "#end without #if"},
		{"#if('a' == 'a')#else#elseif('b' == 'b')#end", "#elseif after #else"},
		{"#{if}('a' == 'a')#end", "directive"},
		{"#set($context.responseOverride.header.X = 'unterminated)", "unterminated string"},
	} {
		_, err := parseVTL(c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseVTL(%q) = %v, want an error containing %q", c.src, err, c.want)
		}
	}
	for _, c := range []struct{ src, want string }{
		{"#set($context.responseOverride.header.X = 'a')#set($context.responseOverride.header.x = 'b')", "overridden twice"},
		{"#set($context.responseOverride.status = 'teapot')", "not an HTTP status"},
		{"#set($context.responseOverride.status = 99)", "not an HTTP status"},
	} {
		tmpl, err := parseVTL(c.src)
		if err != nil {
			t.Fatalf("parseVTL(%q): %v", c.src, err)
		}
		if _, err := tmpl.render(&vtlRequest{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("render(%q) = %v, want an error containing %q", c.src, err, c.want)
		}
	}
}

// preflight is the OPTIONS method the module makes: MOCK, a 204 default
// integration response with static headers and, for several origins, the
// template.
func preflight(params map[string]string, template string) types.Method {
	ir := types.IntegrationResponse{StatusCode: aws.String("204"), ResponseParameters: params}
	if template != "" {
		ir.ResponseTemplates = map[string]string{"application/json": template}
	}
	return types.Method{AuthorizationType: aws.String("NONE"), MethodIntegration: &types.Integration{
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode":200}`},
		IntegrationResponses: map[string]types.IntegrationResponse{
			"204": ir,
			"500": {StatusCode: aws.String("500"), SelectionPattern: aws.String(".*error.*")},
		},
	}}
}

func TestPreflightOnTheWire(t *testing.T) {
	static := map[string]string{
		"method.response.header.Access-Control-Allow-Methods":     "'GET,POST'",
		"method.response.header.Vary":                             "'Origin'",
		"method.response.header.Access-Control-Allow-Credentials": "'true'",
	}
	h := newHarness(t, map[string]map[string]types.Method{
		"/items":  {"OPTIONS": preflight(static, moduleCORSTemplate), "GET": proxyMethod("fn")},
		"/single": {"OPTIONS": preflight(map[string]string{"method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'"}, "")},
		"/broken": {"OPTIONS": preflight(static, "#foreach($h in $input.params().header.keySet())#end")},
		"/mapped": {"OPTIONS": preflight(map[string]string{"method.response.header.X": "integration.response.header.X"}, "")},
	})
	for _, c := range []struct {
		name, head string
		origin     string // want Access-Control-Allow-Origin; "-" for none
	}{
		{"first origin", "OPTIONS /restapis/api1/dev/_user_request_/items HTTP/1.1\nHost: x\nOrigin: https://app.example.com", "https://app.example.com"},
		{"second origin, lowercase header as HTTP/2 sends it", "OPTIONS /restapis/api1/dev/_user_request_/items HTTP/1.1\nHost: x\norigin: http://localhost:5173", "http://localhost:5173"},
		{"disallowed origin", "OPTIONS /restapis/api1/dev/_user_request_/items HTTP/1.1\nHost: x\nOrigin: https://evil.example.com", "-"},
	} {
		r := h.send(c.head, "")
		got := strings.Join(r.values("Access-Control-Allow-Origin"), ",")
		if c.origin == "-" && got != "" || c.origin != "-" && got != c.origin {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", c.name, got, c.origin)
		}
		if r.status != http.StatusNoContent || r.get("Vary") != "Origin" || r.get("Access-Control-Allow-Credentials") != "true" || r.get("Access-Control-Allow-Methods") != "GET,POST" {
			t.Errorf("%s: %d %v, want 204 with the static headers", c.name, r.status, r.fields)
		}
	}
	if r := h.send("OPTIONS /restapis/api1/dev/_user_request_/single HTTP/1.1\nHost: x\nOrigin: https://other.example.com", ""); r.status != http.StatusNoContent || r.get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("one origin: %d %v, want 204 with the static origin", r.status, r.fields)
	}
	for _, p := range []string{"broken", "mapped"} {
		r := h.send("OPTIONS /restapis/api1/dev/_user_request_/"+p+" HTTP/1.1\nHost: x\nOrigin: https://app.example.com", "")
		if r.status != http.StatusInternalServerError || !strings.Contains(r.body, "Internal server error") {
			t.Errorf("/%s: %d %s, want 500 Internal server error", p, r.status, r.body)
		}
	}
	logs := h.logs.String()
	for _, want := range []string{`directive \"#foreach`, "only static values"} {
		if !strings.Contains(logs, "MOCK integration response not served locally") || !strings.Contains(logs, want) {
			t.Errorf("log does not say why (%s):\n%s", want, logs)
		}
	}
}

func TestMockAnswerOverridesAreFinal(t *testing.T) {
	m := preflight(map[string]string{"method.response.header.Access-Control-Allow-Origin": "'https://a.example.com'"},
		"#set($context.responseOverride.header.access-control-allow-origin = 'https://b.example.com')\n#set($context.responseOverride.status = 200)\n{}")
	r := httptest.NewRequest(http.MethodOptions, "/x", nil)
	status, headers, body, err := mockAnswer(m.MethodIntegration, &request{Request: r})
	if err != nil {
		t.Fatal(err)
	}
	if status != 200 || len(headers) != 1 || headers[0] != (headerField{"access-control-allow-origin", "https://b.example.com"}) || body != "{}" {
		t.Errorf("mockAnswer = %d %v %q, want 200, only the override, body {}", status, headers, body)
	}
}

// FuzzVTL: any template either parses and renders, or is refused with an
// error; nothing panics.
func FuzzVTL(f *testing.F) {
	for _, s := range []string{moduleCORSTemplate, "#if('a' == 'a')x#else y#end", "#set($context.responseOverride.status = 204)", "#set(", "#if(('a' == 'b') || ('", "$", "#", "#end#end", "#set($context.responseOverride.header. = 'x')"} {
		f.Add(s, "https://app.example.com")
	}
	f.Fuzz(func(t *testing.T, src, origin string) {
		tmpl, err := parseVTL(src)
		if err != nil {
			return
		}
		_, _ = tmpl.render(&vtlRequest{header: map[string]string{"Origin": origin}, query: map[string]string{"q": origin}})
	})
}
