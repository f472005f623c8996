package cors

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func req(headers map[string]string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{HTTPMethod: "GET", Headers: headers}
}

func TestApplyEchoesAnAllowedOriginOnly(t *testing.T) {
	p := Policy{Origins: []string{"https://app.example.com", "http://localhost:5173"}, Credentials: true, ExposeHeaders: []string{"Location", "ETag"}}
	for _, c := range []struct {
		name    string
		headers map[string]string
		want    map[string]string
	}{
		{"first origin", map[string]string{"Origin": "https://app.example.com"}, map[string]string{
			"Content-Type": "application/json", AllowOrigin: "https://app.example.com", Vary: "Origin",
			AllowCredentials: "true", ExposeHeaders: "Location, ETag"}},
		{"second origin, HTTP/2 casing", map[string]string{"origin": "http://localhost:5173"}, map[string]string{
			"Content-Type": "application/json", AllowOrigin: "http://localhost:5173", Vary: "Origin",
			AllowCredentials: "true", ExposeHeaders: "Location, ETag"}},
		{"other origin", map[string]string{"Origin": "https://evil.example.com"}, map[string]string{
			"Content-Type": "application/json", Vary: "Origin"}},
		{"an allowed origin's prefix", map[string]string{"Origin": "https://app.example.co"}, map[string]string{
			"Content-Type": "application/json", Vary: "Origin"}},
		{"an allowed origin with a path", map[string]string{"Origin": "https://app.example.com/x"}, map[string]string{
			"Content-Type": "application/json", Vary: "Origin"}},
		{"the string null", map[string]string{"Origin": "null"}, map[string]string{
			"Content-Type": "application/json", Vary: "Origin"}},
		{"no origin (not a browser)", nil, map[string]string{"Content-Type": "application/json", Vary: "Origin"}},
	} {
		got := p.Apply(req(c.headers), events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json"}})
		if !maps.Equal(got.Headers, c.want) {
			t.Errorf("%s: headers = %v, want %v", c.name, got.Headers, c.want)
		}
		if got.StatusCode != 200 {
			t.Errorf("%s: status changed to %d", c.name, got.StatusCode)
		}
	}
}

func TestWildcardAllowsEveryOriginWithoutCredentials(t *testing.T) {
	p := Policy{Origins: []string{"*"}, Credentials: true} // routes.yaml refuses this; the package still never sends both
	got := p.Apply(req(map[string]string{"Origin": "https://any.example.com"}), events.APIGatewayProxyResponse{StatusCode: 200})
	want := map[string]string{AllowOrigin: "*"}
	if !maps.Equal(got.Headers, want) {
		t.Errorf("headers = %v, want %v", got.Headers, want)
	}
}

func TestHandlerHeadersAreReplacedAndVaryMerged(t *testing.T) {
	p := Policy{Origins: []string{"https://app.example.com"}}
	resp := events.APIGatewayProxyResponse{
		StatusCode: 201,
		Headers: map[string]string{
			"access-control-allow-origin": "*", "Access-Control-Allow-Credentials": "true",
			"vary": "Accept-Encoding", "Location": "/items/1",
		},
		MultiValueHeaders: map[string][]string{"Set-Cookie": {"a=1", "b=2"}, "Vary": {"Accept", "origin"}},
	}
	got := p.Apply(req(map[string]string{"Origin": "https://evil.example.com"}), resp)
	want := map[string]string{"Location": "/items/1", Vary: "Accept-Encoding, Accept, origin"}
	if !maps.Equal(got.Headers, want) {
		t.Errorf("headers = %v, want %v (the handler's own CORS headers removed for a disallowed origin)", got.Headers, want)
	}
	if len(got.MultiValueHeaders) != 1 || len(got.MultiValueHeaders["Set-Cookie"]) != 2 {
		t.Errorf("multi-value headers = %v, want Set-Cookie kept and Vary moved into Headers", got.MultiValueHeaders)
	}
	if resp.Headers["access-control-allow-origin"] != "*" {
		t.Error("Apply changed the handler's map")
	}
}

func TestDisabledPolicyChangesNothing(t *testing.T) {
	resp := events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Access-Control-Allow-Origin": "https://own.example.com"}}
	got := Policy{}.Apply(req(map[string]string{"Origin": "https://x.example.com"}), resp)
	if !maps.Equal(got.Headers, resp.Headers) {
		t.Errorf("headers = %v, want the handler's own", got.Headers)
	}
	if (Policy{}).Headers("https://x.example.com") != nil {
		t.Error("Headers of a disabled policy is not nil")
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvOrigins, "https://a.example.com, http://localhost:3000,")
	t.Setenv(EnvCredentials, "true")
	t.Setenv(EnvExposeHeaders, "Location,ETag")
	p := FromEnv()
	if len(p.Origins) != 2 || p.Origins[1] != "http://localhost:3000" || !p.Credentials || len(p.ExposeHeaders) != 2 {
		t.Errorf("FromEnv = %+v", p)
	}
	t.Setenv(EnvOrigins, "")
	t.Setenv(EnvCredentials, "")
	t.Setenv(EnvExposeHeaders, "")
	if p := FromEnv(); p.Enabled() || p.Credentials {
		t.Errorf("FromEnv without the variables = %+v, want CORS off", p)
	}
}

func TestWrap(t *testing.T) {
	t.Setenv(EnvOrigins, "https://a.example.com,https://b.example.com")
	t.Setenv(EnvCredentials, "false")
	h := Wrap(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "{}"}, nil
	})
	for _, origin := range []string{"https://a.example.com", "https://b.example.com"} {
		got, err := h(context.Background(), events.APIGatewayProxyRequest{MultiValueHeaders: map[string][]string{"Origin": {origin}}})
		if err != nil || got.Headers[AllowOrigin] != origin || got.Headers[AllowCredentials] != "" || got.Body != "{}" {
			t.Errorf("wrapped handler for %s = %+v, %v", origin, got, err)
		}
	}
	boom := errors.New("boom")
	failing := Wrap(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{}, boom
	})
	if _, err := failing(context.Background(), req(map[string]string{"Origin": "https://a.example.com"})); !errors.Is(err, boom) {
		t.Errorf("error = %v, want the handler's", err)
	}
}
