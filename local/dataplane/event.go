package dataplane

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// The Lambda proxy event of a REST API, key for key as API Gateway sends
// it. Sources: the developer guide's "Input format of a Lambda function
// for proxy integration" (set-up-lambda-proxy-integrations), and events
// recorded on AWS in 2024 (localstack's test_apigateway_lambda snapshot,
// test_lambda_aws_proxy_integration), which settle what the guide leaves
// open: absent values are null, not "" or missing.
//
// aws-lambda-go's events.APIGatewayProxyRequest cannot say null (its
// strings and omitempty flags lose it), hence these types.
type proxyEvent struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`           // null without a query
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"` // null without a query
	PathParameters                  map[string]string   `json:"pathParameters"`                  // null without parameters
	StageVariables                  map[string]string   `json:"stageVariables"`                  // null without variables
	RequestContext                  eventContext        `json:"requestContext"`
	Body                            *string             `json:"body"` // null for a request without a body
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// eventContext is requestContext: the $context variables of the request.
type eventContext struct {
	AccountID         string         `json:"accountId"`
	APIID             string         `json:"apiId"`
	Authorizer        map[string]any `json:"authorizer,omitempty"` // absent without an authorizer (recorded)
	DeploymentID      string         `json:"deploymentId"`
	DomainName        string         `json:"domainName"`   // the Host header
	DomainPrefix      string         `json:"domainPrefix"` // its first label
	ExtendedRequestID string         `json:"extendedRequestId"`
	HTTPMethod        string         `json:"httpMethod"`
	Identity          eventIdentity  `json:"identity"`
	OperationName     string         `json:"operationName,omitempty"` // only when the method names one
	Path              string         `json:"path"`                    // /<stage><path as sent>
	Protocol          string         `json:"protocol"`
	RequestID         string         `json:"requestId"`
	RequestTime       string         `json:"requestTime"`
	RequestTimeEpoch  int64          `json:"requestTimeEpoch"`
	ResourceID        string         `json:"resourceId"`
	ResourcePath      string         `json:"resourcePath"`
	Stage             string         `json:"stage"`
}

// eventIdentity has the twelve keys AWS always sends (null when unknown)
// and apiKey/apiKeyId when the method required an API key.
type eventIdentity struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	APIKey                        *string `json:"apiKey,omitempty"`
	APIKeyID                      *string `json:"apiKeyId,omitempty"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     *string `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
}

func buildEvent(d *deployment, res *resource, params map[string]string, req *request) proxyEvent {
	headers, multiHeaders := req.eventHeaders()
	query, multiQuery := queryParameters(req)
	ev := proxyEvent{
		Resource: res.path, Path: req.path, HTTPMethod: req.Method,
		Headers: headers, MultiValueHeaders: multiHeaders,
		QueryStringParameters: query, MultiValueQueryStringParameters: multiQuery,
		StageVariables: stageVariables(d, req),
		RequestContext: requestContext(d, res, req),
	}
	if len(params) > 0 {
		ev.PathParameters = params
	}
	// "Content Type Conversions in API Gateway": a body whose Content-Type
	// matches binaryMediaTypes reaches the function base64-encoded; any
	// other body as UTF-8 text.
	if len(req.body) > 0 {
		body := string(req.body)
		if isBinary(d.binaryTypes, req.Header.Get("Content-Type")) {
			body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(req.body), true
		}
		ev.Body = &body
	}
	return ev
}

// requestContext is the requestContext of the proxy event (and of a
// REQUEST authorizer's event): what API Gateway knows about the call.
func requestContext(d *deployment, res *resource, req *request) eventContext {
	now := req.start.UTC()
	rc := eventContext{
		AccountID: accountID, APIID: d.apiID, DeploymentID: d.deploymentID,
		DomainName: req.Host, DomainPrefix: domainPrefix(req.Host),
		ExtendedRequestID: req.id[:16], HTTPMethod: req.Method,
		Path: req.contextPath, Protocol: req.Proto, RequestID: req.id,
		RequestTime:      now.Format("02/Jan/2006:15:04:05 -0700"),
		RequestTimeEpoch: now.UnixMilli(),
		ResourceID:       res.id, ResourcePath: res.path, Stage: d.stage,
		Identity: eventIdentity{SourceIP: sourceIP(req)},
	}
	if req.method != nil {
		rc.OperationName = aws.ToString(req.method.OperationName)
	}
	if ua := req.UserAgent(); ua != "" {
		rc.Identity.UserAgent = &ua
	}
	if req.keyID != "" {
		rc.Identity.APIKey, rc.Identity.APIKeyID = aws.String(req.apiKey), aws.String(req.keyID)
	}
	if req.accessKey != "" {
		rc.Identity.AccessKey, rc.Identity.AccountID = aws.String(req.accessKey), aws.String(accountID)
	}
	if req.auth != nil {
		rc.Authorizer = req.auth.eventMap()
		if req.auth.usageKey != "" && d.apiKeySource == types.ApiKeySourceTypeAuthorizer && req.keyID == "" {
			rc.Identity.APIKey = aws.String(req.auth.usageKey)
		}
	}
	return rc
}

// domainPrefix is the first label of the host ($context.domainPrefix).
func domainPrefix(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	label, _, _ := strings.Cut(host, ".")
	return label
}

// eventHeaders are the request's headers as the function receives them:
// the client's names in the client's casing (from the wire, see
// Listener), the last value of a repeated header in headers and every
// value in multiValueHeaders. As recorded on AWS, API Gateway drops
// Connection and Content-Length, writes Authorization and User-Agent in
// that casing, and adds Host, X-Amzn-Trace-Id and X-Forwarded-For (the
// client's list plus the caller), -Port and -Proto. Locally Port and
// Proto are the data plane's own (AWS: 443, https).
func (req *request) eventHeaders() (map[string]string, map[string][]string) {
	fields := req.wire
	if fields == nil { // not served through Listener: Go's canonical names
		names := make([]string, 0, len(req.Header))
		for name := range req.Header {
			names = append(names, name)
		}
		sort.Strings(names)
		fields = append(fields, headerField{"Host", req.Host})
		for _, name := range names {
			for _, v := range req.Header[name] {
				fields = append(fields, headerField{name, v})
			}
		}
	}
	var out []headerField
	var forwarded []string
	host := false
	for _, f := range fields {
		switch strings.ToLower(f.name) {
		case "connection", "content-length", "transfer-encoding", "x-amzn-trace-id", "x-forwarded-port", "x-forwarded-proto":
			continue // hop-by-hop, or replaced below
		case "x-forwarded-for":
			forwarded = append(forwarded, f.value)
			continue
		case "host":
			f.name, host = "Host", true
		case "authorization":
			f.name = "Authorization"
		case "user-agent":
			f.name = "User-Agent"
		}
		out = append(out, f)
	}
	if !host {
		out = append(out, headerField{"Host", req.Host})
	}
	out = append(out,
		headerField{"X-Amzn-Trace-Id", req.traceID},
		headerField{"X-Forwarded-For", strings.Join(append(forwarded, sourceIP(req)), ", ")},
		headerField{"X-Forwarded-Port", localPort(req)},
		headerField{"X-Forwarded-Proto", scheme(req)},
	)
	headers, multi := map[string]string{}, map[string][]string{}
	names := map[string]string{} // lower-case name -> the first casing seen
	for _, f := range out {
		lower := strings.ToLower(f.name)
		name, ok := names[lower]
		if !ok {
			name, names[lower] = f.name, f.name
		}
		headers[name] = f.value
		multi[name] = append(multi[name], f.value)
	}
	return headers, multi
}

// queryParameters are the query strings, decoded (+ and %2B alike, as
// recorded), the last value of a repeated one in the single-value map;
// both nil without a query.
func queryParameters(req *request) (map[string]string, map[string][]string) {
	values := req.URL.Query()
	if len(values) == 0 {
		return nil, nil
	}
	query, multi := map[string]string{}, map[string][]string{}
	for k, vs := range values {
		query[k], multi[k] = vs[len(vs)-1], vs
	}
	return query, multi
}

// stageVariables are the stage's current variables (nil when none).
func stageVariables(d *deployment, req *request) map[string]string {
	vars := d.variables
	if req.st != nil {
		vars = req.st.Variables
	}
	if len(vars) == 0 {
		return nil
	}
	return vars
}

func sourceIP(req *request) string {
	if h, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		return h
	}
	return req.RemoteAddr
}

// localPort is the port the request came in on.
func localPort(req *request) string {
	if a, ok := req.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			return p
		}
	}
	if _, p, err := net.SplitHostPort(req.Host); err == nil {
		return p
	}
	return "80"
}

func scheme(req *request) string {
	if req.TLS != nil {
		return "https"
	}
	return "http"
}

// newTraceID is an X-Ray trace id as API Gateway adds it to requests:
// Root=1-<epoch seconds, 8 hex digits>-<96 random bits>.
func newTraceID(epoch int64) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", epoch, hex.EncodeToString(b[:]))
}

// rawPath is the request's path as sent, percent-encoding intact.
func rawPath(r *http.Request) string {
	if strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}

// unescapedEquals compares a raw path segment with a resource's static
// path part.
func unescapedEquals(raw, part string) bool {
	if raw == part {
		return true
	}
	u, err := url.PathUnescape(raw)
	return err == nil && u == part
}
