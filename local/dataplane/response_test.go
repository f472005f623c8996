package dataplane

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const internalError = `{"message":"Internal server error"}`

// Each case is one rule of how API Gateway turns a Lambda proxy answer
// into HTTP ("Output format of a Lambda function for proxy integration",
// binary media types, and answers recorded on AWS: localstack's
// test_aws_proxy_response_payload_format_validation): the function's
// answer in, the client's answer out.
func TestProxyAnswerFollowsAPIGateway(t *testing.T) {
	h := newHarness(t, map[string]map[string]types.Method{"/r": {"GET": proxyMethod("fn")}})
	h.d.binaryTypes = []string{"image/png"}
	png := "\x89PNG\r\n\x1a\nbinary"
	png64 := base64.StdEncoding.EncodeToString([]byte(png))
	for _, c := range []struct {
		name    string
		answer  string
		headers string // extra request header lines
		status  int
		body    string
		check   func(t *testing.T, r wireResponse)
	}{
		{"header values that are not strings are written as their JSON text",
			`{"statusCode":200,"headers":{"X-Bool":true,"X-Num":5,"X-Float":1.5},"body":"ok"}`, "", 200, "ok",
			func(t *testing.T, r wireResponse) {
				if r.get("X-Bool") != "true" || r.get("X-Num") != "5" || r.get("X-Float") != "1.5" {
					t.Errorf("headers %v", r.fields)
				}
			}},
		{"statusCode as a string", `{"statusCode":"201","body":"made"}`, "", 201, "made", nil},
		{"no statusCode is 200", `{"headers":{"X-A":"1"},"body":"fine"}`, "", 200, "fine", nil},
		{"an unknown top-level key is a 502", `{"statusCode":200,"body":"x","wrongValue":"value"}`, "", 502, internalError, nil},
		{"a statusCode that is no number is a 502", `{"statusCode":"test"}`, "", 502, internalError, nil},
		{"a multiValueHeaders value that is no list is a 502", `{"statusCode":200,"multiValueHeaders":{"X-M":"v"}}`, "", 502, internalError, nil},
		{"an answer that is not an object is a 502", `"justAString"`, "", 502, internalError, nil},
		{"a body that is an object is a 502", `{"statusCode":200,"body":{"a":1}}`, "", 502, internalError, nil},
		{"headers and multiValueHeaders are merged, multi values first",
			`{"statusCode":200,"multiValueHeaders":{"test-multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}`, "", 200, "",
			func(t *testing.T, r wireResponse) {
				if got := r.values("test-multi"); strings.Join(got, ", ") != "value-multi, value-solo" {
					t.Errorf("test-multi = %q, want value-multi, value-solo", got)
				}
			}},
		{"a value given in both is written once",
			`{"statusCode":200,"multiValueHeaders":{"X-Same":["a","b"]},"headers":{"x-same":"a"}}`, "", 200, "",
			func(t *testing.T, r wireResponse) {
				if got := r.values("X-Same"); !reflect.DeepEqual(got, []string{"a", "b"}) {
					t.Errorf("X-Same = %q", got)
				}
			}},
		{"every Set-Cookie survives",
			`{"statusCode":200,"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"headers":{"Set-Cookie":"c=3"}}`, "", 200, "",
			func(t *testing.T, r wireResponse) {
				if got := r.values("Set-Cookie"); !reflect.DeepEqual(got, []string{"a=1", "b=2", "c=3"}) {
					t.Errorf("Set-Cookie = %q", got)
				}
			}},
		{"isBase64Encoded with an Accept of a binary media type: decoded",
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + png64 + `","isBase64Encoded":true}`, "Accept: image/png", 200, png, nil},
		{"isBase64Encoded without a binary Accept: the base64 text",
			`{"statusCode":200,"headers":{"Content-Type":"image/png"},"body":"` + png64 + `","isBase64Encoded":true}`, "", 200, png64, nil},
		{"isBase64Encoded: only the first Accept media type counts",
			`{"statusCode":200,"body":"` + png64 + `","isBase64Encoded":true}`, "Accept: text/html, image/png", 200, png64, nil},
		{"isBase64Encoded: the request's Content-Type does not decide",
			`{"statusCode":200,"body":"` + png64 + `","isBase64Encoded":true}`, "Content-Type: image/png\nAccept: application/json", 200, png64, nil},
		{"isBase64Encoded with a body that is not base64, to be decoded: 500",
			`{"statusCode":200,"body":"not base64!","isBase64Encoded":true}`, "Accept: image/png", 500, internalError, nil},
		{"success answers carry X-Amzn-Trace-Id and AWS's casing of the request ids",
			`{"statusCode":200,"body":"ok"}`, "", 200, "ok",
			func(t *testing.T, r wireResponse) {
				names := r.names()
				for _, want := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id"} {
					if !slices.Contains(names, want) {
						t.Errorf("no %s header line (names %v)", want, names)
					}
				}
				if !traceIDPattern.MatchString(r.get("X-Amzn-Trace-Id")) {
					t.Errorf("X-Amzn-Trace-Id = %q", r.get("X-Amzn-Trace-Id"))
				}
			}},
		{"the function's header casing is kept",
			`{"statusCode":200,"headers":{"x-Custom-HEADER":"v","content-type":"text/plain"},"body":"ok"}`, "", 200, "ok",
			func(t *testing.T, r wireResponse) {
				names := r.names()
				if !slices.Contains(names, "x-Custom-HEADER") || !slices.Contains(names, "content-type") {
					t.Errorf("names %v, want x-Custom-HEADER and content-type as the function wrote them", names)
				}
				if got := r.values("Content-Type"); !reflect.DeepEqual(got, []string{"text/plain"}) {
					t.Errorf("Content-Type lines %q, want the function's only", got)
				}
			}},
		{"Content-Type defaults to application/json",
			`{"statusCode":200,"body":"{}"}`, "", 200, "{}",
			func(t *testing.T, r wireResponse) {
				if got := r.values("Content-Type"); !reflect.DeepEqual(got, []string{"application/json"}) {
					t.Errorf("Content-Type %q", got)
				}
			}},
		{"framing headers of the function are remapped, not obeyed",
			`{"statusCode":200,"headers":{"Content-Length":"999","Connection":"close"},"body":"short"}`, "", 200, "short",
			func(t *testing.T, r wireResponse) {
				if r.get("x-amzn-Remapped-Content-Length") != "999" || r.get("x-amzn-Remapped-Connection") != "close" {
					t.Errorf("headers %v", r.fields)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			h.aws.functions["fn"] = answer(c.answer)
			head := "GET /restapis/api1/dev/_user_request_/r HTTP/1.1\nHost: x"
			if c.headers != "" {
				head += "\n" + c.headers
			}
			r := h.send(head, "")
			if r.status != c.status || strings.TrimSpace(r.body) != c.body {
				t.Errorf("got %d %q, want %d %q", r.status, r.body, c.status, c.body)
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// The trace id on the answer is the one the function's event carried.
func TestTraceIDOfEventAndAnswerAgree(t *testing.T) {
	h := newHarness(t, map[string]map[string]types.Method{"/r": {"GET": proxyMethod("fn")}})
	ev, r := h.eventOf("GET /restapis/api1/dev/_user_request_/r HTTP/1.1\nHost: x", "")
	if got, want := r.get("X-Amzn-Trace-Id"), at(ev, "headers", "X-Amzn-Trace-Id"); got == "" || got != want {
		t.Errorf("answer trace %q, event trace %v", got, want)
	}
	// A trace id the client sent is kept.
	ev, r = h.eventOf("GET /restapis/api1/dev/_user_request_/r HTTP/1.1\nHost: x\nX-Amzn-Trace-Id: Root=1-00000001-000000000000000000000001", "")
	if at(ev, "headers", "X-Amzn-Trace-Id") != "Root=1-00000001-000000000000000000000001" || r.get("X-Amzn-Trace-Id") != "Root=1-00000001-000000000000000000000001" {
		t.Errorf("client trace id not kept: event %v answer %q", at(ev, "headers", "X-Amzn-Trace-Id"), r.get("X-Amzn-Trace-Id"))
	}
}

// Gateway errors name their headers as AWS does too.
func TestGatewayErrorHeaderCasing(t *testing.T) {
	h := newHarness(t, map[string]map[string]types.Method{"/r": {"GET": proxyMethod("fn")}})
	r := h.send("GET /restapis/api1/dev/_user_request_/nowhere HTTP/1.1\nHost: x", "")
	if r.status != 403 {
		t.Fatalf("status %d", r.status)
	}
	for _, want := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "x-amzn-ErrorType"} {
		if !slices.Contains(r.names(), want) {
			t.Errorf("no %s header line (names %v)", want, r.names())
		}
	}
	if slices.Contains(r.names(), "X-Amzn-Trace-Id") {
		t.Error("a gateway error carries X-Amzn-Trace-Id; AWS adds it to integration answers")
	}
}
