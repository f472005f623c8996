package dataplane

import (
	"encoding/base64"
	"net"
	"reflect"
	"regexp"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// eventHarness serves the routes the event tests call.
func eventHarness(t *testing.T) *harness {
	h := newHarness(t, map[string]map[string]types.Method{
		"/":            {"GET": proxyMethod("fn")},
		"/items":       {"GET": proxyMethod("fn"), "POST": proxyMethod("fn")},
		"/items/{id}":  {"GET": proxyMethod("fn")},
		"/files/{key}": {"PUT": proxyMethod("fn")},
		"/{proxy+}":    {"ANY": proxyMethod("fn")},
	})
	h.d.binaryTypes = []string{"image/png", "application/octet-stream"}
	return h
}

// The recorded key sets of a REST API proxy event without an authorizer
// (recorded on AWS, 2024: localstack's
// tests/aws/services/apigateway/test_apigateway_lambda.snapshot.json,
// test_lambda_aws_proxy_integration).
var (
	recordedEventKeys = []string{"body", "headers", "httpMethod", "isBase64Encoded", "multiValueHeaders",
		"multiValueQueryStringParameters", "path", "pathParameters", "queryStringParameters", "requestContext", "resource", "stageVariables"}
	recordedContextKeys = []string{"accountId", "apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId",
		"httpMethod", "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId", "resourcePath", "stage"}
	recordedIdentityKeys = []string{"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType",
		"cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "sourceIp", "user", "userAgent", "userArn"}
)

func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var traceIDPattern = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`)

// Each case is one rule of API Gateway's proxy event ("Input format of a
// Lambda function for proxy integration", and the recorded events above):
// a request as it travels, and what the function must receive.
func TestProxyEventFollowsAPIGateway(t *testing.T) {
	h := eventHarness(t)
	_, port, _ := net.SplitHostPort(h.addr)
	host := "api1.execute-api.localhost:" + port
	pathForm := func(method, path string) string {
		return method + " /restapis/api1/dev/_user_request_" + path + " HTTP/1.1\nHost: 127.0.0.1:" + port
	}
	hostForm := func(method, target string) string {
		return method + " " + target + " HTTP/1.1\nHost: " + host
	}
	for _, c := range []struct {
		name       string
		head, body string
		check      func(t *testing.T, ev map[string]any)
	}{
		{"every recorded key, and no authorizer without one", pathForm("GET", "/items") + "\nUser-Agent: test/1", "", func(t *testing.T, ev map[string]any) {
			if got := keys(ev); !reflect.DeepEqual(got, recordedEventKeys) {
				t.Errorf("event keys %v, want %v", got, recordedEventKeys)
			}
			if got := keys(ev["requestContext"]); !reflect.DeepEqual(got, recordedContextKeys) {
				t.Errorf("requestContext keys %v, want %v (authorizer omitted)", got, recordedContextKeys)
			}
		}},
		{"identity has all twelve keys, null where unknown", pathForm("GET", "/items") + "\nUser-Agent: test/1", "", func(t *testing.T, ev map[string]any) {
			id := at(ev, "requestContext", "identity")
			if got := keys(id); !reflect.DeepEqual(got, recordedIdentityKeys) {
				t.Errorf("identity keys %v, want %v", got, recordedIdentityKeys)
			}
			for _, k := range recordedIdentityKeys {
				v := at(id, k)
				switch k {
				case "sourceIp":
					if v != "127.0.0.1" {
						t.Errorf("sourceIp = %v", v)
					}
				case "userAgent":
					if v != "test/1" {
						t.Errorf("userAgent = %v", v)
					}
				default:
					if v != nil {
						t.Errorf("identity.%s = %#v, want null", k, v)
					}
				}
			}
		}},
		{"body is null for a bodyless request", pathForm("GET", "/items"), "", func(t *testing.T, ev map[string]any) {
			if !has(ev, "body") || ev["body"] != nil {
				t.Errorf("body = %#v (present %v), want null", ev["body"], has(ev, "body"))
			}
			if !has(ev, "isBase64Encoded") || ev["isBase64Encoded"] != false {
				t.Errorf("isBase64Encoded = %#v (present %v), want false", ev["isBase64Encoded"], has(ev, "isBase64Encoded"))
			}
		}},
		{"a text body is passed as it is", pathForm("POST", "/items") + "\nContent-Type: application/json", `{"a":1}`, func(t *testing.T, ev map[string]any) {
			if ev["body"] != `{"a":1}` || ev["isBase64Encoded"] != false {
				t.Errorf("body %#v isBase64Encoded %#v", ev["body"], ev["isBase64Encoded"])
			}
		}},
		{"a body whose Content-Type is a binary media type is base64", pathForm("PUT", "/files/logo") + "\nContent-Type: image/png", "\x89PNG\r\n\x1a\n", func(t *testing.T, ev map[string]any) {
			if ev["body"] != base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n")) || ev["isBase64Encoded"] != true {
				t.Errorf("body %#v isBase64Encoded %#v, want base64 and true", ev["body"], ev["isBase64Encoded"])
			}
		}},
		{"deploymentId, domainName and domainPrefix", hostForm("GET", "/dev/items"), "", func(t *testing.T, ev map[string]any) {
			rc := ev["requestContext"]
			if at(rc, "deploymentId") != "dep1" || at(rc, "domainName") != host || at(rc, "domainPrefix") != "api1" {
				t.Errorf("deploymentId %v domainName %v domainPrefix %v, want dep1 %s api1", at(rc, "deploymentId"), at(rc, "domainName"), at(rc, "domainPrefix"), host)
			}
		}},
		{"the client's header casing is kept", pathForm("GET", "/items") + "\ntEsT-HEADeR: aValUE\nx-lower: 1", "", func(t *testing.T, ev map[string]any) {
			if at(ev, "headers", "tEsT-HEADeR") != "aValUE" || at(ev, "headers", "x-lower") != "1" {
				t.Errorf("headers %v: want tEsT-HEADeR and x-lower as sent", keys(ev["headers"]))
			}
			if mv, _ := at(ev, "multiValueHeaders", "tEsT-HEADeR").([]any); len(mv) != 1 || mv[0] != "aValUE" {
				t.Errorf("multiValueHeaders[tEsT-HEADeR] = %v", mv)
			}
			if has(ev, "Test-Header", "headers") {
				t.Error("the canonical name Test-Header arrived")
			}
		}},
		{"Host, X-Forwarded-For/Port/Proto and X-Amzn-Trace-Id are added", pathForm("GET", "/items"), "", func(t *testing.T, ev map[string]any) {
			hd := ev["headers"]
			if at(hd, "Host") != "127.0.0.1:"+port || at(hd, "X-Forwarded-For") != "127.0.0.1" || at(hd, "X-Forwarded-Port") != port || at(hd, "X-Forwarded-Proto") != "http" {
				t.Errorf("Host %v X-Forwarded-For %v X-Forwarded-Port %v X-Forwarded-Proto %v", at(hd, "Host"), at(hd, "X-Forwarded-For"), at(hd, "X-Forwarded-Port"), at(hd, "X-Forwarded-Proto"))
			}
			if tr, _ := at(hd, "X-Amzn-Trace-Id").(string); !traceIDPattern.MatchString(tr) {
				t.Errorf("X-Amzn-Trace-Id = %q", tr)
			}
		}},
		{"X-Forwarded-For appends the caller to the client's list", pathForm("GET", "/items") + "\nx-forwarded-for: 10.0.0.1", "", func(t *testing.T, ev map[string]any) {
			if got := at(ev, "headers", "X-Forwarded-For"); got != "10.0.0.1, 127.0.0.1" {
				t.Errorf("X-Forwarded-For = %v (headers %v)", got, keys(ev["headers"]))
			}
		}},
		{"Authorization and User-Agent are title-cased, Content-Length and Connection dropped", pathForm("POST", "/items") + "\naUThorization: Bearer x\nuser-agent: ua/1\nConnection: keep-alive", "{}", func(t *testing.T, ev map[string]any) {
			hd := ev["headers"]
			if at(hd, "Authorization") != "Bearer x" || at(hd, "User-Agent") != "ua/1" {
				t.Errorf("headers %v", keys(hd))
			}
			for _, k := range []string{"Content-Length", "Connection", "aUThorization", "user-agent"} {
				if has(hd, k) {
					t.Errorf("header %s arrived", k)
				}
			}
		}},
		{"a repeated header: the last value in headers, all in multiValueHeaders", pathForm("GET", "/items") + "\nX-Rep: one\nX-Rep: two", "", func(t *testing.T, ev map[string]any) {
			if at(ev, "headers", "X-Rep") != "two" || !reflect.DeepEqual(at(ev, "multiValueHeaders", "X-Rep"), []any{"one", "two"}) {
				t.Errorf("X-Rep %v %v", at(ev, "headers", "X-Rep"), at(ev, "multiValueHeaders", "X-Rep"))
			}
		}},
		{"path and path parameters keep the raw encoding, query strings are decoded", pathForm("GET", "/items/a%2Bb+c?q=a%2Bb+c&r=x%20y"), "", func(t *testing.T, ev map[string]any) {
			if ev["path"] != "/items/a%2Bb+c" || at(ev, "pathParameters", "id") != "a%2Bb+c" || ev["resource"] != "/items/{id}" {
				t.Errorf("path %v id %v resource %v", ev["path"], at(ev, "pathParameters", "id"), ev["resource"])
			}
			if at(ev, "requestContext", "path") != "/dev/items/a%2Bb+c" {
				t.Errorf("requestContext.path = %v", at(ev, "requestContext", "path"))
			}
			if at(ev, "queryStringParameters", "q") != "a+b c" || at(ev, "queryStringParameters", "r") != "x y" {
				t.Errorf("query %v", ev["queryStringParameters"])
			}
		}},
		{"a greedy parameter keeps encoding and inner double slashes", hostForm("GET", "/dev/x/a%2Bb//c"), "", func(t *testing.T, ev map[string]any) {
			if at(ev, "pathParameters", "proxy") != "x/a%2Bb//c" || ev["path"] != "/x/a%2Bb//c" {
				t.Errorf("proxy %v path %v", at(ev, "pathParameters", "proxy"), ev["path"])
			}
		}},
		{"a leading // after the stage is collapsed in path, kept in requestContext.path", hostForm("GET", "/dev//items"), "", func(t *testing.T, ev map[string]any) {
			if ev["path"] != "/items" || ev["resource"] != "/items" || at(ev, "requestContext", "path") != "/dev//items" {
				t.Errorf("path %v resource %v requestContext.path %v", ev["path"], ev["resource"], at(ev, "requestContext", "path"))
			}
		}},
		{"the same through /restapis/.../_user_request_//items", pathForm("GET", "//items"), "", func(t *testing.T, ev map[string]any) {
			if ev["path"] != "/items" || at(ev, "requestContext", "path") != "/dev//items" {
				t.Errorf("path %v requestContext.path %v", ev["path"], at(ev, "requestContext", "path"))
			}
		}},
		{"//stage/... is served", hostForm("GET", "//dev/items"), "", func(t *testing.T, ev map[string]any) {
			if ev["path"] != "/items" || at(ev, "requestContext", "path") != "/dev/items" {
				t.Errorf("path %v requestContext.path %v", ev["path"], at(ev, "requestContext", "path"))
			}
		}},
		{"a trailing slash stays in path, not in the greedy parameter", hostForm("GET", "/dev/x/y/"), "", func(t *testing.T, ev map[string]any) {
			if ev["path"] != "/x/y/" || at(ev, "pathParameters", "proxy") != "x/y" || at(ev, "requestContext", "path") != "/dev/x/y/" {
				t.Errorf("path %v proxy %v requestContext.path %v", ev["path"], at(ev, "pathParameters", "proxy"), at(ev, "requestContext", "path"))
			}
		}},
		{"repeated query strings: the last in queryStringParameters", pathForm("GET", "/items?c=1&c=2"), "", func(t *testing.T, ev map[string]any) {
			if at(ev, "queryStringParameters", "c") != "2" || !reflect.DeepEqual(at(ev, "multiValueQueryStringParameters", "c"), []any{"1", "2"}) {
				t.Errorf("query %v %v", ev["queryStringParameters"], ev["multiValueQueryStringParameters"])
			}
		}},
		{"no query, no path parameters, no stage variables: null", pathForm("GET", "/items"), "", func(t *testing.T, ev map[string]any) {
			for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "stageVariables"} {
				if !has(ev, k) || ev[k] != nil {
					t.Errorf("%s = %#v (present %v), want null", k, ev[k], has(ev, k))
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			ev, r := h.eventOf(c.head, c.body)
			if r.status != 200 {
				t.Fatalf("status %d %s", r.status, r.body)
			}
			c.check(t, ev)
		})
	}
}

// The API's stage variables reach the event as an object.
func TestProxyEventStageVariables(t *testing.T) {
	h := eventHarness(t)
	h.aws.variables = map[string]string{"log_level": "warn"}
	ev, _ := h.eventOf("GET /restapis/api1/dev/_user_request_/items HTTP/1.1\nHost: x", "")
	if at(ev, "stageVariables", "log_level") != "warn" {
		t.Errorf("stageVariables = %v", ev["stageVariables"])
	}
}
