package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/DELETE/items/42"

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newTest(t *testing.T, allowed string) *authorizer {
	t.Helper()
	a, err := newAuthorizer(allowed, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAcceptedTokenGetsAllowForTheWholeStage(t *testing.T) {
	a := newTest(t, digest("other")+", "+digest("example-admin-token"))
	resp, err := a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer example-admin-token", MethodArn: methodArn,
	})
	if err != nil {
		t.Fatalf("accepted token: %v", err)
	}
	st := resp.PolicyDocument.Statement
	if len(st) != 1 || st[0].Effect != "Allow" || st[0].Action[0] != "execute-api:Invoke" ||
		st[0].Resource[0] != "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*/*" {
		t.Fatalf("policy = %+v, want Allow execute-api:Invoke on abc123/dev/*/*", resp.PolicyDocument)
	}
	want := "token-" + digest("example-admin-token")[:8]
	if resp.PrincipalID != want || resp.Context["tokenId"] != want {
		t.Fatalf("principal %q, context %v; want %q in both", resp.PrincipalID, resp.Context, want)
	}
}

func TestUnknownTokenGetsDeny(t *testing.T) {
	a := newTest(t, digest("example-admin-token"))
	resp, err := a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer guessed", MethodArn: methodArn})
	if err != nil {
		t.Fatalf("unknown token should be a Deny policy, not an error: %v", err)
	}
	if e := resp.PolicyDocument.Statement[0].Effect; e != "Deny" || resp.Context != nil {
		t.Fatalf("effect %s, context %v; want Deny and no context", e, resp.Context)
	}
}

func TestMissingOrMalformedHeaderIsUnauthorized(t *testing.T) {
	a := newTest(t, digest("example-admin-token"))
	for _, tok := range []string{"", "example-admin-token", "Basic ZXhhbXBsZQ==", "Bearer ", "bearer example-admin-token"} {
		_, err := a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: tok, MethodArn: methodArn})
		if err == nil || err.Error() != "Unauthorized" {
			t.Errorf("header %q: error %v, want Unauthorized (API Gateway's 401)", tok, err)
		}
	}
	_, err := a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer example-admin-token", MethodArn: "not-an-arn"})
	if err == nil || err.Error() != "Unauthorized" {
		t.Errorf("bad method ARN: error %v, want Unauthorized", err)
	}
}

func TestEmptyAllowListAcceptsNobody(t *testing.T) {
	a := newTest(t, "")
	resp, err := a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer anything", MethodArn: methodArn})
	if err != nil || resp.PolicyDocument.Statement[0].Effect != "Deny" {
		t.Fatalf("empty allow list: %v %+v, want Deny", err, resp.PolicyDocument)
	}
}

func TestBadDigestIsAConfigurationError(t *testing.T) {
	for _, list := range []string{"abc", digest("x")[:62] + "zz"} {
		if _, err := newAuthorizer(list, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
			t.Errorf("ALLOWED_TOKEN_SHA256=%q accepted, want an error", list)
		}
	}
}
