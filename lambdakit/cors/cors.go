// Package cors puts the CORS headers on a Lambda proxy function's answer, so
// that a browser on an allowed origin may read it.
//
// With API Gateway's Lambda proxy integrations the gateway answers only the
// preflight (OPTIONS); the function's own answer to the real request must
// carry Access-Control-Allow-Origin, or the browser hides it from the page.
// apibuilder passes routes.yaml's api.cors to every route's function as
// environment variables (EnvOrigins, EnvCredentials, EnvExposeHeaders);
// FromEnv reads them and Wrap decorates a handler with them:
//
//	lambda.Start(cors.Wrap(handle))
//
// An allowed request Origin is echoed (several origins cannot share one
// header value), with Vary: Origin so that caches keep one answer per
// origin; a request from any other origin gets no Access-Control-Allow-Origin.
// With "*" every origin is allowed and credentials never are.
package cors

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// The environment variables apibuilder sets on every route's function of
// an API with api.cors. routes.yaml may not set them itself.
const (
	// EnvOrigins holds the allowed origins, comma-separated ("*" for any).
	EnvOrigins = "APIBUILDER_CORS_ORIGINS"
	// EnvCredentials is "true" when browsers may send credentials (cookies).
	EnvCredentials = "APIBUILDER_CORS_CREDENTIALS"
	// EnvExposeHeaders lists, comma-separated, the response headers that
	// scripts may read besides the CORS-safelisted ones; unset when none.
	EnvExposeHeaders = "APIBUILDER_CORS_EXPOSE_HEADERS"
)

// The response headers this package sets, and replaces when a handler set
// them itself.
const (
	AllowOrigin      = "Access-Control-Allow-Origin"
	AllowCredentials = "Access-Control-Allow-Credentials"
	ExposeHeaders    = "Access-Control-Expose-Headers"
	Vary             = "Vary"
)

// Policy is who may read a function's answers from a browser.
type Policy struct {
	// Origins are the allowed origins, each scheme://host[:port] as a
	// browser sends it, or the single entry "*" for any origin. None: CORS
	// is off and Apply changes nothing.
	Origins []string
	// Credentials allows credentialed requests (cookies, TLS client
	// certificates): Access-Control-Allow-Credentials: true. Never with "*".
	Credentials bool
	// ExposeHeaders are the headers scripts may read.
	ExposeHeaders []string
}

// FromEnv reads the policy apibuilder configured for this function.
// Without EnvOrigins (an API without api.cors) it is the zero Policy.
func FromEnv() Policy {
	creds, _ := strconv.ParseBool(os.Getenv(EnvCredentials))
	return Policy{Origins: list(os.Getenv(EnvOrigins)), Credentials: creds, ExposeHeaders: list(os.Getenv(EnvExposeHeaders))}
}

func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Enabled reports whether the policy allows any origin at all.
func (p Policy) Enabled() bool { return len(p.Origins) > 0 }

func (p Policy) wildcard() bool { return slices.Contains(p.Origins, "*") }

// Allowed reports whether a browser at origin may read the answers.
func (p Policy) Allowed(origin string) bool {
	return origin != "" && (p.wildcard() || slices.Contains(p.Origins, origin))
}

// Headers are the CORS headers of an answer to a request with the given
// Origin header ("" when it had none): Access-Control-Allow-Origin (the
// origin itself, or "*"), Access-Control-Allow-Credentials and
// Access-Control-Expose-Headers when the origin is allowed, and Vary:
// Origin whenever the answer depends on the origin. Nil when CORS is off.
func (p Policy) Headers(origin string) map[string]string {
	if !p.Enabled() {
		return nil
	}
	h := map[string]string{}
	switch {
	case p.wildcard():
		h[AllowOrigin] = "*" // the same for everyone: no Vary, no credentials
	case p.Allowed(origin):
		h[AllowOrigin] = origin
		h[Vary] = "Origin"
		if p.Credentials {
			h[AllowCredentials] = "true"
		}
	default:
		h[Vary] = "Origin"
		return h
	}
	if len(p.ExposeHeaders) > 0 {
		h[ExposeHeaders] = strings.Join(p.ExposeHeaders, ", ")
	}
	return h
}

// Apply returns resp with the CORS headers for req's Origin. Any CORS
// header the handler set itself is replaced (or removed, for an origin
// that is not allowed); Origin is added to an existing Vary.
func (p Policy) Apply(req events.APIGatewayProxyRequest, resp events.APIGatewayProxyResponse) events.APIGatewayProxyResponse {
	if !p.Enabled() {
		return resp
	}
	add := p.Headers(RequestOrigin(req))
	headers := make(map[string]string, len(resp.Headers)+len(add))
	var vary []string
	for k, v := range resp.Headers {
		switch {
		case strings.EqualFold(k, Vary):
			vary = append(vary, v)
		case !isCORSHeader(k):
			headers[k] = v
		}
	}
	var multi map[string][]string
	if resp.MultiValueHeaders != nil {
		multi = make(map[string][]string, len(resp.MultiValueHeaders))
		for k, v := range resp.MultiValueHeaders {
			switch {
			case strings.EqualFold(k, Vary):
				vary = append(vary, v...)
			case !isCORSHeader(k):
				multi[k] = v
			}
		}
	}
	if add[Vary] != "" {
		vary = append(vary, add[Vary])
	}
	delete(add, Vary)
	for k, v := range add {
		headers[k] = v
	}
	if v := mergeVary(vary); v != "" {
		headers[Vary] = v
	}
	resp.Headers, resp.MultiValueHeaders = headers, multi
	return resp
}

func isCORSHeader(name string) bool {
	for _, h := range []string{AllowOrigin, AllowCredentials, ExposeHeaders} {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// mergeVary joins Vary values into one, each field name once.
func mergeVary(values []string) string {
	var names []string
	for _, v := range values {
		for _, n := range strings.Split(v, ",") {
			n = strings.TrimSpace(n)
			if n != "" && !slices.ContainsFunc(names, func(x string) bool { return strings.EqualFold(x, n) }) {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ", ")
}

// RequestOrigin is the request's Origin header, whatever its casing
// (HTTP/2 clients send origin), or "".
func RequestOrigin(req events.APIGatewayProxyRequest) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, "Origin") {
			return v
		}
	}
	for k, v := range req.MultiValueHeaders {
		if strings.EqualFold(k, "Origin") && len(v) > 0 {
			return v[len(v)-1]
		}
	}
	return ""
}

// Handler is the shape of a Lambda proxy handler.
type Handler = func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)

// Wrap returns h with the policy applied to every answer it returns. An
// error is passed on as it is: API Gateway answers it with a 502 of its
// own (a gateway response, whose CORS headers the API's module sets).
func (p Policy) Wrap(h Handler) Handler {
	return func(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		resp, err := h(ctx, req)
		if err != nil {
			return resp, err
		}
		return p.Apply(req, resp), nil
	}
}

// Wrap returns h with the policy of FromEnv, read once, applied to every
// answer: the one line a handler's main needs.
func Wrap(h Handler) Handler { return FromEnv().Wrap(h) }
