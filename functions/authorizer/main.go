// Command authorizer is a Lambda TOKEN authorizer: it accepts
// "Authorization: Bearer <token>" when the SHA-256 of the token (hex) is one
// of ALLOWED_TOKEN_SHA256 (comma-separated), so the tokens themselves never
// sit in the function's configuration. An accepted caller gets an Allow for
// every method of the API's stage (one cached policy serves all routes);
// a well-formed but unknown token gets a Deny (403); a missing or malformed
// header gets "Unauthorized" (401).
package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// errUnauthorized is the exact error API Gateway maps to 401.
var errUnauthorized = errors.New("Unauthorized")

type authorizer struct {
	allowed [][]byte // SHA-256 digests of the accepted tokens
	log     *slog.Logger
}

// newAuthorizer parses the comma-separated hex digests. An empty list is
// allowed and accepts nobody (fail closed).
func newAuthorizer(list string, log *slog.Logger) (*authorizer, error) {
	a := &authorizer{log: log}
	for _, h := range strings.Split(list, ",") {
		h = strings.TrimSpace(strings.ToLower(h))
		if h == "" {
			continue
		}
		d, err := hex.DecodeString(h)
		if err != nil || len(d) != sha256.Size {
			return nil, fmt.Errorf("ALLOWED_TOKEN_SHA256: %q is not a hex SHA-256 digest", h)
		}
		a.allowed = append(a.allowed, d)
	}
	return a, nil
}

func (a *authorizer) handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	token, ok := strings.CutPrefix(req.AuthorizationToken, "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		a.log.InfoContext(ctx, "no bearer token")
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	resource, err := stageResource(req.MethodArn)
	if err != nil {
		a.log.WarnContext(ctx, "bad method ARN", "methodArn", req.MethodArn, "error", err)
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	sum := sha256.Sum256([]byte(token))
	// Short, non-reversible caller id for logs and the integration.
	principal := "token-" + hex.EncodeToString(sum[:4])
	if !a.accepts(sum[:]) {
		a.log.InfoContext(ctx, "token refused", "principalId", principal)
		return policy(principal, "Deny", resource, nil), nil
	}
	a.log.InfoContext(ctx, "token accepted", "principalId", principal)
	return policy(principal, "Allow", resource, map[string]any{"tokenId": principal}), nil
}

// accepts compares the digest against every allowed one in constant time.
func (a *authorizer) accepts(sum []byte) bool {
	found := 0
	for _, d := range a.allowed {
		found |= subtle.ConstantTimeCompare(sum, d)
	}
	return found == 1
}

// stageResource turns a method ARN
// (arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>)
// into the ARN of every method of that API and stage.
func stageResource(methodArn string) (string, error) {
	parts := strings.SplitN(methodArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return "", errors.New("not an execute-api ARN")
	}
	path := strings.Split(parts[5], "/")
	if len(path) < 3 || path[0] == "" || path[1] == "" {
		return "", errors.New("no API id and stage")
	}
	return strings.Join(parts[:5], ":") + ":" + path[0] + "/" + path[1] + "/*/*", nil
}

func policy(principal, effect, resource string, context map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: []string{resource},
			}},
		},
		Context: context,
	}
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	a, err := newAuthorizer(os.Getenv("ALLOWED_TOKEN_SHA256"), log)
	if err != nil {
		// A misconfigured authorizer refuses everyone, and says why in its log.
		log.Error("configuration", "error", err)
		lambda.Start(func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
		})
		return
	}
	lambda.Start(a.handle)
}
