package dataplane

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// echoKeyValue is the API key of the echo route's own unlimited plan.
const echoKeyValue = "echo-key-value-0123456789"

// do sends req and decodes a JSON body (nil when it is not JSON).
func (s *stack) do(req *http.Request) (*http.Response, map[string]any) {
	s.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp, m
}

// The handler echoes the raw event of a request shaped like the developer
// guide's example (POST /hello/world?name=me with headerName: headerValue
// and {"a": 1}, on an ANY /{proxy+} route): the event has every key of
// AWS's documented example with the same JSON type, exactly the key sets
// recorded on AWS, and the client's header casing, through moto, kumo and
// the function runner.
func (s *stack) proxyEvent(t *testing.T) {
	s.t = t
	docFile, err := os.ReadFile("testdata/aws-proxy-event-example.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(docFile, &doc); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, s.base+"/echo/hello/world?name=me&multivalueName=you&multivalueName=me", strings.NewReader("{\r\n\t\"a\": 1\r\n}"))
	// Set through the map, net/http writes names as given.
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["headerName"] = []string{"headerValue"}
	req.Header["x-api-key"] = []string{echoKeyValue}
	resp, ev := s.do(req)
	if resp.StatusCode != 200 || ev == nil {
		t.Fatalf("echo: %d %v", resp.StatusCode, ev)
	}
	sameShape(t, "event", doc, ev)

	identityKeys := append(slices.Clone(recordedIdentityKeys), "apiKey", "apiKeyId") // the route requires a key
	slices.Sort(identityKeys)
	for _, c := range []struct {
		where     string
		got, want []string
	}{
		{"event", keys(ev), recordedEventKeys},
		{"requestContext", keys(ev["requestContext"]), recordedContextKeys},
		{"requestContext.identity", keys(at(ev, "requestContext", "identity")), identityKeys},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s keys %v, want %v", c.where, c.got, c.want)
		}
	}
	stage, err := s.api.GetStage(context.Background(), &apigateway.GetStageInput{RestApiId: aws.String(s.apiID), StageName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"resource": "/echo/{proxy+}", "path": "/echo/hello/world", "httpMethod": "POST", "body": "{\r\n\t\"a\": 1\r\n}",
		"isBase64Encoded": false,
	}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("%s = %#v, want %#v", k, ev[k], v)
		}
	}
	for _, c := range []struct {
		path []string
		want any
	}{
		{[]string{"headers", "headerName"}, "headerValue"},
		{[]string{"pathParameters", "proxy"}, "hello/world"},
		{[]string{"queryStringParameters", "multivalueName"}, "me"},
		{[]string{"multiValueQueryStringParameters", "multivalueName"}, []any{"you", "me"}},
		{[]string{"stageVariables", "stageVariableName"}, "stageVariableValue"},
		{[]string{"requestContext", "deploymentId"}, aws.ToString(stage.DeploymentId)},
		{[]string{"requestContext", "path"}, "/dev/echo/hello/world"},
		{[]string{"requestContext", "identity", "apiKey"}, echoKeyValue},
		{[]string{"requestContext", "identity", "cognitoIdentityPoolId"}, nil},
	} {
		if got := at(ev, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, want %#v", strings.Join(c.path, "."), got, c.want)
		}
	}
	for _, h := range []string{"Host", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id"} {
		if at(ev, "headers", h) == nil {
			t.Errorf("no %s header in the event", h)
		}
	}
	if got := resp.Header.Get("X-Amzn-Trace-Id"); got == "" || got != at(ev, "headers", "X-Amzn-Trace-Id") {
		t.Errorf("answer's X-Amzn-Trace-Id %q, event's %v", got, at(ev, "headers", "X-Amzn-Trace-Id"))
	}

	// Without a body, body is null; without a query, the query maps are.
	req, _ = http.NewRequest(http.MethodGet, s.base+"/echo/x", nil)
	req.Header["x-api-key"] = []string{echoKeyValue}
	_, ev = s.do(req)
	for _, k := range []string{"body", "queryStringParameters", "multiValueQueryStringParameters"} {
		if v, ok := ev[k]; !ok || v != nil {
			t.Errorf("bodyless GET: %s = %#v (present %v), want null", k, v, ok)
		}
	}
}

// sameShape checks that got has every key of want with the same JSON
// type. A null in AWS's example is a value AWS may leave out: null or a
// string are both its type. Request data (header, query, path and stage
// variable maps) need only be objects.
func sameShape(t *testing.T, where string, want, got any) {
	t.Helper()
	kind := func(v any) string {
		switch v.(type) {
		case nil:
			return "null"
		case map[string]any:
			return "object"
		case []any:
			return "array"
		case string:
			return "string"
		case bool:
			return "boolean"
		default:
			return "number"
		}
	}
	if want == nil {
		if k := kind(got); k != "null" && k != "string" {
			t.Errorf("%s is %s, want null or a string", where, k)
		}
		return
	}
	if kind(want) != kind(got) {
		t.Errorf("%s is %s, want %s", where, kind(got), kind(want))
		return
	}
	w, ok := want.(map[string]any)
	if !ok {
		return
	}
	g := got.(map[string]any)
	for k, v := range w {
		gv, ok := g[k]
		if !ok {
			t.Errorf("%s has no key %q", where, k)
			continue
		}
		switch k {
		case "headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables":
			if kind(gv) != "object" {
				t.Errorf("%s.%s is %s, want an object", where, k, kind(gv))
			}
		default:
			sameShape(t, where+"."+k, v, gv)
		}
	}
}

// Lambda proxy answers that went through kumo and the function runner
// come out as API Gateway writes them.
func (s *stack) proxyAnswer(t *testing.T) {
	s.t = t
	png := "\x89PNG\r\n\x1a\nbinary"
	png64 := base64.StdEncoding.EncodeToString([]byte(png))
	send := func(answer, accept string) wireResponse {
		t.Helper()
		u, _ := url.Parse(s.base + "/answer")
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", u.EscapedPath(), u.Host, len(answer))
		if accept != "" {
			head += "Accept: " + accept + "\r\n"
		}
		if _, err := io.WriteString(conn, head+"\r\n"+answer); err != nil {
			t.Fatal(err)
		}
		return readWireResponse(t, bufio.NewReader(conn))
	}
	r := send(`{"statusCode":"201","headers":{"X-Bool":true,"X-Num":5,"Set-Cookie":"b=2"},"multiValueHeaders":{"Set-Cookie":["a=1"]},"body":"made"}`, "")
	if r.status != 201 || r.body != "made" || r.get("X-Bool") != "true" || r.get("X-Num") != "5" || !reflect.DeepEqual(r.values("Set-Cookie"), []string{"a=1", "b=2"}) {
		t.Errorf("lenient answer: %d %q %v", r.status, r.body, r.fields)
	}
	names := r.names()
	for _, n := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id"} {
		if !slices.Contains(names, n) {
			t.Errorf("no %s header line: %v", n, names)
		}
	}
	if r := send(`{"body":"no status"}`, ""); r.status != 200 || r.body != "no status" {
		t.Errorf("no statusCode: %d %q", r.status, r.body)
	}
	if r := send(`{"statusCode":200,"body":"x","wrongValue":"value"}`, ""); r.status != 502 || strings.TrimSpace(r.body) != internalError {
		t.Errorf("unknown key: %d %q, want 502", r.status, r.body)
	}
	b64 := `{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + png64 + `","isBase64Encoded":true}`
	if r := send(b64, "image/png"); r.status != 200 || r.body != png {
		t.Errorf("base64 with Accept: image/png: %d %q, want the bytes", r.status, r.body)
	}
	if r := send(b64, "application/json"); r.status != 200 || r.body != png64 {
		t.Errorf("base64 with Accept: application/json: %d %q, want the base64 text", r.status, r.body)
	}
}
