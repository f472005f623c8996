package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/apibuilder/apibuilder/functions/internal/kumotest"
	"github.com/apibuilder/apibuilder/lambdakit/secrets"
)

func TestMain(m *testing.M) { kumotest.Main(m) }

const methodArn = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/DELETE/items/42"

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTest(t *testing.T, allowed string) *authorizer {
	t.Helper()
	return newAuthorizer(func(context.Context) (string, error) { return allowed, nil }, quiet())
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
	for _, list := range []string{"abc", digest("x")[:62] + "zz", digest("example-admin-token") + ",nothex"} {
		if _, err := parseDigests(list); err == nil {
			t.Errorf("ALLOWED_TOKEN_SHA256=%q accepted, want an error", list)
		}
		a := newTest(t, list)
		_, err := a.handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer example-admin-token", MethodArn: methodArn})
		if err == nil || err.Error() != "Unauthorized" {
			t.Errorf("ALLOWED_TOKEN_SHA256=%q: error %v, want Unauthorized for everyone", list, err)
		}
	}
}

// TestTheListIsLoadedOnceAndRetriedUntilItLoads: a reference that cannot be
// fetched yet refuses everyone, and a later call tries again.
func TestTheListIsLoadedOnceAndRetriedUntilItLoads(t *testing.T) {
	calls, fail := 0, true
	a := newAuthorizer(func(context.Context) (string, error) {
		calls++
		if fail {
			return "", errors.New("ParameterNotFound")
		}
		return digest("example-admin-token"), nil
	}, quiet())
	req := events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer example-admin-token", MethodArn: methodArn}
	if _, err := a.handle(context.Background(), req); err == nil || err.Error() != "Unauthorized" {
		t.Fatalf("while the list cannot be loaded: %v, want Unauthorized", err)
	}
	fail = false
	for range 3 {
		resp, err := a.handle(context.Background(), req)
		if err != nil || resp.PolicyDocument.Statement[0].Effect != "Allow" {
			t.Fatalf("once loaded: %v %+v, want Allow", err, resp.PolicyDocument)
		}
	}
	if calls != 2 {
		t.Errorf("the list was fetched %d times, want 2 (one failure, then once)", calls)
	}
}

// TestTheListCanBeAnSSMParameter runs the authorizer on a list kept in SSM
// Parameter Store (the in-process kumo), as the example's prod does.
func TestTheListCanBeAnSSMParameter(t *testing.T) {
	ctx := context.Background()
	name := "/items/test/admin-token-sha256"
	_, err := ssm.NewFromConfig(kumotest.Config()).PutParameter(ctx, &ssm.PutParameterInput{
		Name: aws.String(name), Value: aws.String(digest("prod-only-token")), Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("ALLOWED_TOKEN_SHA256", "ssm:"+name)
	r := secrets.New(kumotest.Config())
	a := newAuthorizer(func(ctx context.Context) (string, error) { return r.Env(ctx, "ALLOWED_TOKEN_SHA256") }, quiet())
	for token, want := range map[string]string{"prod-only-token": "Allow", "example-admin-token": "Deny"} {
		resp, err := a.handle(ctx, events.APIGatewayCustomAuthorizerRequest{AuthorizationToken: "Bearer " + token, MethodArn: methodArn})
		if err != nil || resp.PolicyDocument.Statement[0].Effect != want {
			t.Errorf("token %q: %v %+v, want %s", token, err, resp.PolicyDocument, want)
		}
	}
}
