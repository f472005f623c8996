// Command handler is the data-plane tests' function. Called with a
// methodArn it is a Lambda authorizer whose token (TOKEN) or X-User header
// (REQUEST) picks the answer; otherwise it is an AWS_PROXY integration
// that echoes the event it received as its JSON body, except on /answer,
// where the request's body is its whole answer (the tests' way to hand
// the data plane any Lambda proxy answer, malformed ones included).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

type authEvent struct {
	Type               string            `json:"type"`
	MethodArn          string            `json:"methodArn"`
	AuthorizationToken string            `json:"authorizationToken"`
	Headers            map[string]string `json:"headers"`
	Path               string            `json:"path"`
	Body               *string           `json:"body"`
	Query              map[string]string `json:"queryStringParameters"`
	PathParameters     map[string]string `json:"pathParameters"`
	RequestContext     struct {
		RequestID string `json:"requestId"`
	} `json:"requestContext"`
}

func main() {
	lambda.Start(func(_ context.Context, raw json.RawMessage) (any, error) {
		var a authEvent
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, err
		}
		if a.MethodArn == "" && a.Path == "/answer" && a.Body != nil {
			return json.RawMessage(*a.Body), nil
		}
		if a.MethodArn == "" {
			return map[string]any{"statusCode": 200, "headers": map[string]string{"Content-Type": "application/json"}, "body": string(raw)}, nil
		}
		who := a.AuthorizationToken
		if a.Type == "REQUEST" {
			who = a.Headers["X-User"]
		}
		// What the authorizer saw travels back in its context, for the tests.
		saw := map[string]any{"sawType": a.Type, "sawMethodArn": a.MethodArn, "sawPath": a.Path,
			"sawTenant": a.Query["tenant"], "sawId": a.PathParameters["id"], "sawRequestId": a.RequestContext.RequestID}
		return authorize(who, a.MethodArn, saw)
	})
}

// authorize answers by name: allow, deny, other (allows another
// resource only), wildcard (allows GET on every path of the stage),
// unauthorized, and anything else fails.
func authorize(who, methodArn string, context map[string]any) (any, error) {
	effect, resource := "Allow", methodArn
	switch who {
	case "allow":
	case "deny":
		effect = "Deny"
	case "other":
		resource = methodArn + "/elsewhere"
	case "wildcard":
		i := strings.Index(methodArn, "/GET/")
		resource = methodArn[:i] + "/GET/*"
	case "unauthorized":
		return nil, errors.New("Unauthorized")
	default:
		return nil, errors.New("boom: " + who)
	}
	context["level"], context["admin"] = 3, true
	return map[string]any{
		"principalId": "user-" + who,
		"policyDocument": map[string]any{
			"Version": "2012-10-17",
			// One statement with string forms, as hand-written policies often are.
			"Statement": []map[string]any{{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}},
		},
		"context":            context,
		"usageIdentifierKey": "key-from-authorizer-" + who,
	}, nil
}
