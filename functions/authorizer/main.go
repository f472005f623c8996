// Command authorizer is a Lambda TOKEN authorizer: it accepts
// "Authorization: Bearer <token>" when the SHA-256 of the token (hex) is one
// of ALLOWED_TOKEN_SHA256 (comma-separated), so the tokens themselves never
// sit in the function's configuration. An accepted caller gets an Allow for
// every method of the API's stage (one cached policy serves all routes);
// a well-formed but unknown token gets a Deny (403); a missing or malformed
// header gets "Unauthorized" (401).
//
// ALLOWED_TOKEN_SHA256 may be a reference instead of the list itself,
// ssm:<parameter name> or secretsmanager:<secret name or ARN> (package
// lambdakit/secrets): the list is then fetched at cold start, and again on
// the next call while fetching it fails. Until the list is known, or when
// it is malformed, every caller is refused (fail closed).
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
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/apibuilder/apibuilder/lambdakit/secrets"
)

// errUnauthorized is the exact error API Gateway maps to 401.
var errUnauthorized = errors.New("Unauthorized")

type authorizer struct {
	// source returns ALLOWED_TOKEN_SHA256's value (secrets.Env in Lambda).
	source func(context.Context) (string, error)
	log    *slog.Logger

	mu      sync.Mutex
	allowed [][]byte // SHA-256 digests of the accepted tokens, once loaded
	loaded  bool
}

func newAuthorizer(source func(context.Context) (string, error), log *slog.Logger) *authorizer {
	return &authorizer{source: source, log: log}
}

// allowList returns the accepted digests, loading them on the first call
// that succeeds.
func (a *authorizer) allowList(ctx context.Context) ([][]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.loaded {
		return a.allowed, nil
	}
	list, err := a.source(ctx)
	if err != nil {
		return nil, err
	}
	allowed, err := parseDigests(list)
	if err != nil {
		return nil, err
	}
	a.allowed, a.loaded = allowed, true
	return allowed, nil
}

// parseDigests parses the comma-separated hex digests. An empty list is
// allowed and accepts nobody (fail closed).
func parseDigests(list string) ([][]byte, error) {
	var out [][]byte
	for _, h := range strings.Split(list, ",") {
		h = strings.TrimSpace(strings.ToLower(h))
		if h == "" {
			continue
		}
		d, err := hex.DecodeString(h)
		if err != nil || len(d) != sha256.Size {
			// The entry itself is not echoed: it may come from a secret.
			return nil, fmt.Errorf("ALLOWED_TOKEN_SHA256: an entry of %d characters is not a hex SHA-256 digest (64 hex digits)", len(h))
		}
		out = append(out, d)
	}
	return out, nil
}

func (a *authorizer) handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	token, ok := strings.CutPrefix(req.AuthorizationToken, "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		a.log.InfoContext(ctx, "no bearer token")
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	allowed, err := a.allowList(ctx)
	if err != nil {
		// A misconfigured authorizer refuses everyone, and says why in its log.
		a.log.ErrorContext(ctx, "configuration", "error", err)
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
	if !accepts(allowed, sum[:]) {
		a.log.InfoContext(ctx, "token refused", "principalId", principal)
		return policy(principal, "Deny", resource, nil), nil
	}
	a.log.InfoContext(ctx, "token accepted", "principalId", principal)
	return policy(principal, "Allow", resource, map[string]any{"tokenId": principal}), nil
}

// accepts compares the digest against every allowed one in constant time.
func accepts(allowed [][]byte, sum []byte) bool {
	found := 0
	for _, d := range allowed {
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
	a := newAuthorizer(func(ctx context.Context) (string, error) {
		return secrets.Env(ctx, "ALLOWED_TOKEN_SHA256")
	}, log)
	// Load the list at cold start; a failure is logged and retried by the
	// first call.
	if _, err := a.allowList(context.Background()); err != nil {
		log.Error("configuration", "error", err)
	}
	lambda.Start(a.handle)
}
