package dataplane

import (
	"net/http"
	"strings"
)

// The answers API Gateway gives itself, before or instead of an
// integration, are all in the table below: one row per answer, with the
// gateway response type it belongs to ($context.error.responseType, and
// the gateway response whose headers are added: that type's, else
// DEFAULT_4XX or DEFAULT_5XX), its status, the x-amzn-ErrorType header and
// the body's message, as AWS answers them by default (the types and
// statuses: "Gateway response types for API Gateway" in the API Gateway
// developer guide). Call sites name a row; d.fail writes it.

// gatewayError names one row of gatewayErrors.
type gatewayError int

const (
	missingAuthenticationToken gatewayError = iota
	incompleteSignature
	unauthorized
	accessDeniedExplicit
	accessDeniedImplicit
	authorizerConfigurationError
	invalidAPIKey
	throttled
	quotaExceeded
	badRequestParameters
	badRequestBody
	apiConfigurationError
	invokeFailed
	functionFailed
	notServedLocally
	requestTooLarge
	unknownStage
)

// gatewayAnswer is one answer of the gateway itself.
type gatewayAnswer struct {
	Type      string // gateway response type; empty when no API is known yet to have gateway responses
	Status    int
	ErrorType string // the x-amzn-ErrorType header; empty: none is sent
	// Message is the body's {"message": ...}; empty: null, or the message
	// the call site gives (it names what is missing).
	Message string
	Why     string // when the data plane answers it
}

// AWS's messages for an authorizer's outcomes (the default gateway responses).
const (
	msgUnauthorized = "Unauthorized"
	msgExplicitDeny = "User is not authorized to access this resource with an explicit deny"
	msgImplicitDeny = "User is not authorized to access this resource"
	msgMissingToken = "Missing Authentication Token"
	msgInternal     = "Internal server error"
)

var gatewayErrors = [...]gatewayAnswer{
	missingAuthenticationToken: {"MISSING_AUTHENTICATION_TOKEN", http.StatusForbidden, "MissingAuthenticationTokenException", msgMissingToken,
		"no resource or no method matches the request (API Gateway answers 403, never 404), or an AWS_IAM method got no Authorization header"},
	incompleteSignature: {"INCOMPLETE_SIGNATURE", http.StatusForbidden, "IncompleteSignatureException", "",
		"an AWS_IAM method got an Authorization header that is not SigV4-shaped; the message lists what it lacks, in AWS's words. " +
			"Not a type AWS lets an API customise, so DEFAULT_4XX's headers apply"},
	unauthorized: {"UNAUTHORIZED", http.StatusUnauthorized, "UnauthorizedException", msgUnauthorized,
		"a Lambda authorizer's identity source is missing or fails its validation expression, or the authorizer raised \"Unauthorized\"; a Cognito token is missing or invalid"},
	accessDeniedExplicit: {"ACCESS_DENIED", http.StatusForbidden, "AccessDeniedException", msgExplicitDeny,
		"the authorizer's policy denies execute-api:Invoke on the method"},
	accessDeniedImplicit: {"ACCESS_DENIED", http.StatusForbidden, "AccessDeniedException", msgImplicitDeny,
		"the authorizer's policy allows nothing that covers the method"},
	authorizerConfigurationError: {"AUTHORIZER_CONFIGURATION_ERROR", http.StatusInternalServerError, "AuthorizerConfigurationException", "",
		"the authorizer cannot be called, fails, or answers something malformed; an unknown authorizer or authorization type (message null, as AWS writes it)"},
	invalidAPIKey: {"INVALID_API_KEY", http.StatusForbidden, "ForbiddenException", "Forbidden",
		"the method requires an API key and none, an unknown or disabled one, or one of no usage plan of this stage came"},
	throttled: {"THROTTLED", http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests",
		"the usage plan's or the stage's throttle (rate and burst) refuses the request"},
	quotaExceeded: {"QUOTA_EXCEEDED", http.StatusTooManyRequests, "LimitExceededException", "Limit Exceeded",
		"the API key's usage-plan quota for the period is used up"},
	badRequestParameters: {"BAD_REQUEST_PARAMETERS", http.StatusBadRequest, "BadRequestException", "",
		"the request validator finds required parameters missing; the message lists them (headers, path, query string)"},
	badRequestBody: {"BAD_REQUEST_BODY", http.StatusBadRequest, "BadRequestException", "Invalid request body",
		"the request validator finds the body not JSON or not valid against the method's model"},
	apiConfigurationError: {"API_CONFIGURATION_ERROR", http.StatusInternalServerError, "InternalServerErrorException", msgInternal,
		"the integration's URI is not a Lambda invocation, a function's isBase64Encoded body is not base64, or the method's model is not a usable schema"},
	invokeFailed: {"DEFAULT_5XX", http.StatusInternalServerError, "InternalServerErrorException", msgInternal,
		"the Lambda API refuses the Invoke call (no such function, kumo down)"},
	functionFailed: {"DEFAULT_5XX", http.StatusBadGateway, "InternalServerErrorException", msgInternal,
		"the function raised an error or answered something that is not a proxy response (502, as recorded on AWS)"},
	notServedLocally: {"DEFAULT_5XX", http.StatusInternalServerError, "InternalServerErrorException", msgInternal,
		"the method has no integration, or one this data plane does not serve (an integration type other than AWS_PROXY and MOCK, a MOCK template outside vtl.go's subset); the log says which"},
	requestTooLarge: {"REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, "", "Request Too Long",
		"the body is over API Gateway's 10 MB payload limit; answered before the API is looked up, so no gateway response applies"},
	unknownStage: {"", http.StatusForbidden, "", "Forbidden",
		"no such API or stage (or the control plane cannot be read): there is no API whose gateway responses could apply"},
}

// notAnswered are the gateway response types API Gateway has and this
// data plane never answers with, and why.
var notAnswered = map[string]string{
	"AUTHORIZER_FAILURE":     "an authorizer that refuses the caller is UNAUTHORIZED here, one that fails or answers something malformed AUTHORIZER_CONFIGURATION_ERROR",
	"DEFAULT_4XX":            "only a fallback: its headers apply to 4xx answers whose own type has no gateway response",
	"EXPIRED_TOKEN":          "SigV4 signatures are checked for their shape only, never their time",
	"INTEGRATION_FAILURE":    "a function error or malformed answer is 502 (recorded on AWS), typed DEFAULT_5XX here: AWS's own type for it is not recorded",
	"INTEGRATION_TIMEOUT":    "no integration timeout is enforced locally",
	"INVALID_SIGNATURE":      "SigV4 signatures are checked for their shape only, not computed",
	"RESOURCE_NOT_FOUND":     "an unmatched path is MISSING_AUTHENTICATION_TOKEN, as on AWS",
	"UNSUPPORTED_MEDIA_TYPE": "request mapping templates and passthrough behaviour (non-proxy integrations) are not served locally: AWS_PROXY passes every body",
	"WAF_FILTERED":           "no AWS WAF web ACL runs locally",
}

// noDeployment answers before a deployment is known: it has no gateway responses.
var noDeployment *deployment

// fail writes the gateway's answer e, with the headers of the gateway
// response of its type (or of DEFAULT_4XX/5XX: e.g. CORS headers) when d
// has one. msg is the message of rows whose message the call site gives.
// d may be nil (noDeployment).
func (d *deployment) fail(w http.ResponseWriter, req *request, e gatewayError, msg string) {
	a := gatewayErrors[e]
	if a.Message != "" {
		msg = a.Message
	}
	var headers []headerField
	if a.ErrorType != "" {
		headers = append(headers, headerField{"x-amzn-ErrorType", a.ErrorType})
	}
	req.errMsg, req.errType = msg, a.Type
	if d != nil {
		for _, t := range []string{a.Type, defaultType(a.Status)} {
			if g, ok := d.gatewayResponses[t]; ok {
				for k, v := range g.ResponseParameters {
					if name, ok := strings.CutPrefix(k, "gatewayresponse.header."); ok {
						headers = append(headers, headerField{name, strings.Trim(v, "'")})
					}
				}
				break
			}
		}
	}
	var body any = msg
	if msg == "" {
		body = nil
	}
	writeJSON(w, a.Status, map[string]any{"message": body}, headers)
}

func defaultType(status int) string {
	if status >= 500 {
		return "DEFAULT_5XX"
	}
	return "DEFAULT_4XX"
}
