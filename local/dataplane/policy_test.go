package dataplane

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestPolicyEvaluationLikeIAM(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:000000000000:abc123/dev/GET/items/42"
	for _, c := range []struct {
		name, policy string
		want         decision
	}{
		{"exact allow", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arn + `"}]}`, allow},
		{"single statement object", `{"Statement":{"Effect":"Allow","Action":["execute-api:Invoke"],"Resource":["` + arn + `"]}}`, allow},
		{"star spans slashes", `{"Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123/*"}]}`, allow},
		{"question mark is one character", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123/dev/GET/items/4?"}]}`, allow},
		{"question mark is not two", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123/dev/GET/items/?"}]}`, implicitDeny},
		{"action case-insensitive", `{"Statement":[{"Effect":"Allow","Action":"Execute-API:invoke","Resource":"*"}]}`, allow},
		{"resource case-sensitive", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:000000000000:ABC123/*"}]}`, implicitDeny},
		{"other method", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:execute-api:us-east-1:000000000000:abc123/dev/POST/*"}]}`, implicitDeny},
		{"other action", `{"Statement":[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}]}`, implicitDeny},
		{"explicit deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*/GET/items/*"}]}`, deny},
		{"deny elsewhere", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*/DELETE/*"}]}`, allow},
		{"no statements", `{"Statement":[]}`, implicitDeny},
	} {
		var p policyDocument
		if err := json.Unmarshal([]byte(c.policy), &p); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := p.evaluate("execute-api:Invoke", arn); got != c.want {
			t.Errorf("%s: evaluate = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestAuthorizerOutputChecks(t *testing.T) {
	r, err := parseAuthorizerOutput([]byte(`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"s":"x","n":12345678901,"f":1.5,"b":false},"usageIdentifierKey":"k"}`))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"s": "x", "n": "12345678901", "f": "1.5", "b": "false"} {
		if r.context[k] != v {
			t.Errorf("context[%s] = %q, want %q", k, r.context[k], v)
		}
	}
	if r.usageKey != "k" || r.principalID != "u" {
		t.Errorf("usageKey %q principalId %q", r.usageKey, r.principalID)
	}
	for _, bad := range []string{
		`{"principalId":"u"}`, // no policy
		`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"o":{"nested":1}}}`,
		`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"a":[1]}}`,
		`not json`,
	} {
		if _, err := parseAuthorizerOutput([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestSigV4ShapeAndJWTClaims(t *testing.T) {
	full := "AWS4-HMAC-SHA256 Credential=AKID/20260304/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd"
	dated := http.Header{"X-Amz-Date": {"20260304T000000Z"}}
	if p := sigV4Problem(full, dated); p != "" {
		t.Errorf("a complete signature was refused: %s", p)
	}
	for h, want := range map[string]string{
		"Bearer x": "Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm.",
		"AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=ab": "Credential should be scoped to a valid region, not a malformed scope: AKID/x.",
		"AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab":                    "Authorization header requires 'Credential' parameter.",
	} {
		if got := sigV4Problem(h, dated); got != want {
			t.Errorf("sigV4Problem(%q) = %q, want %q", h, got, want)
		}
	}
	if p := sigV4Problem(full, http.Header{}); p != "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." {
		t.Errorf("no date: %q", p)
	}

	claims, err := jwtClaims("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSIsImV4cCI6MTcwMDAwMDAwMCwiY29nbml0bzpncm91cHMiOlsiYSJdfQ.sig")
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "u1" || claims["exp"] != "1700000000" || claims["cognito:groups"] != `["a"]` {
		t.Errorf("claims = %v", claims)
	}
	for _, bad := range []string{"", "a.b", "a.!!!.c", "a.bm90IGpzb24.c"} {
		if _, err := jwtClaims(bad); err == nil {
			t.Errorf("jwtClaims(%q) accepted", bad)
		}
	}
}
