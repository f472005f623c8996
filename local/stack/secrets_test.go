package stack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/local/stack/stacktest"
)

// TestPutSecretStoresWhatEnvsReference: PutSecret stores an SSM reference as
// a SecureString (a bare /path too), replaces it on a second put, creates or
// updates a Secrets Manager secret, and refuses what is not a reference.
func TestPutSecretStoresWhatEnvsReference(t *testing.T) {
	ctx := context.Background()
	st := stacktest.Start(t, stack.Options{})
	for _, put := range [][2]string{
		{"ssm:/items/prod/admin-token-sha256", "first"},
		{"/items/prod/admin-token-sha256", "second"},
		{"secretsmanager:items/prod/db", "one"},
		{"secretsmanager:items/prod/db", "two"},
	} {
		if err := st.PutSecret(ctx, put[0], put[1]); err != nil {
			t.Fatalf("PutSecret(%s): %v", put[0], err)
		}
	}
	p, err := st.SSM().GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/items/prod/admin-token-sha256"), WithDecryption: aws.Bool(true)})
	if err != nil || p.Parameter.Type != ssmtypes.ParameterTypeSecureString || aws.ToString(p.Parameter.Value) != "second" {
		t.Errorf("parameter: %+v %v; want the SecureString \"second\"", p, err)
	}
	s, err := st.SecretsManager().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("items/prod/db")})
	if err != nil || aws.ToString(s.SecretString) != "two" {
		t.Errorf("secret: %v %v; want \"two\"", s, err)
	}
	for _, bad := range [][2]string{{"items/prod/x", "v"}, {"ssm:", "v"}, {"vault:x", "v"}, {"ssm:/items/x", ""}} {
		if err := st.PutSecret(ctx, bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "secret") {
			t.Errorf("PutSecret(%q, %q) = %v, want an error", bad[0], bad[1], err)
		}
	}
}
