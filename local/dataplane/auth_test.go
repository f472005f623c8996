package dataplane

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// A REQUEST authorizer's cached policy is keyed by its identity values
// one by one: callers whose values only join to the same text (X-A=a,
// X-B=b,c and X-A=a,b, X-B=c) are two identities (issue 16, item 4).
func TestRequestAuthorizerCacheKeysDoNotCollide(t *testing.T) {
	secured := proxyMethod("fn")
	secured.AuthorizationType, secured.AuthorizerId = aws.String("CUSTOM"), aws.String("auth1")
	h := newHarness(t, map[string]map[string]types.Method{"/secure": {"GET": secured}})
	h.d.authorizers["auth1"] = types.Authorizer{Id: aws.String("auth1"), Type: types.AuthorizerTypeRequest,
		AuthorizerUri: functionURI("auth"), IdentitySource: aws.String("method.request.header.X-A, method.request.header.X-B"),
		AuthorizerResultTtlInSeconds: aws.Int32(300)}
	// The authorizer allows X-A=a, X-B=b,c only.
	h.aws.functions["auth"] = func(event []byte) ([]byte, bool) {
		var ev struct {
			MethodArn string            `json:"methodArn"`
			Headers   map[string]string `json:"headers"`
		}
		_ = json.Unmarshal(event, &ev)
		effect := "Deny"
		if ev.Headers["X-A"] == "a" && ev.Headers["X-B"] == "b,c" {
			effect = "Allow"
		}
		b, _ := json.Marshal(map[string]any{"principalId": "p-" + ev.Headers["X-A"], "policyDocument": map[string]any{
			"Version": "2012-10-17", "Statement": []map[string]any{{"Action": "execute-api:Invoke", "Effect": effect, "Resource": ev.MethodArn}}}})
		return b, false
	}
	call := func(a, b string) wireResponse {
		return h.send("GET /restapis/api1/dev/_user_request_/secure HTTP/1.1\nHost: x\nX-A: "+a+"\nX-B: "+b, "")
	}
	if r := call("a", "b,c"); r.status != 200 {
		t.Fatalf("the allowed caller: %d %s", r.status, r.body)
	}
	r := call("a,b", "c")
	if r.status != 403 {
		t.Errorf("X-A=a,b X-B=c got %d %s: it was answered from X-A=a X-B=b,c's cached Allow", r.status, r.body)
	}
	if n := h.aws.invocations("auth"); n != 2 {
		t.Errorf("the authorizer ran %d times, want once per identity", n)
	}
	// The same identity again is answered from the cache.
	if r := call("a", "b,c"); r.status != 200 || h.aws.invocations("auth") != 2 {
		t.Errorf("the cached identity: %d after %d authorizer runs", r.status, h.aws.invocations("auth"))
	}
}

func TestAuthorizerCacheKeyIsUnambiguous(t *testing.T) {
	pairs := [][2][]string{
		{{"a", "b,c"}, {"a,b", "c"}},
		{{"a", ""}, {"", "a"}},
		{{"1:a"}, {"1", "a"}},
		{{"ab"}, {"a", "b"}},
	}
	for _, p := range pairs {
		if authCacheKey("id", p[0]) == authCacheKey("id", p[1]) {
			t.Errorf("%q and %q share the key %q", p[0], p[1], authCacheKey("id", p[0]))
		}
	}
	if authCacheKey("id1", []string{"x"}) == authCacheKey("id", []string{"1x"}) {
		t.Error("the authorizer id runs into the values")
	}
}
