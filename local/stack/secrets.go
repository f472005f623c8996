package stack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Secret is a value to store on the stack under the reference an
// environment names it by (see PutSecret).
type Secret struct{ Ref, Value string }

// PutSecret stores a secret an environment references, so that the env's
// plan finds it and its functions can read it (lambdakit/secrets): ref is
// the reference as routes.yaml writes it, ssm:<parameter name> (stored as
// a SecureString, replacing any value) or secretsmanager:<secret name>
// (created, or given value as its new version); a bare name that starts
// with / is an SSM parameter. Generated envs refuse to plan while a
// referenced secret is missing, so whatever applies such an env on the
// stack puts its secrets first.
func (s *Stack) PutSecret(ctx context.Context, ref, value string) error {
	if value == "" {
		return fmt.Errorf("secret %s: the value is empty (SSM and Secrets Manager refuse empty values)", ref)
	}
	if strings.HasPrefix(ref, "/") {
		ref = "ssm:" + ref
	}
	switch {
	case strings.HasPrefix(ref, "ssm:") && len(ref) > len("ssm:"):
		_, err := s.SSM().PutParameter(ctx, &ssm.PutParameterInput{
			Name: aws.String(strings.TrimPrefix(ref, "ssm:")), Value: aws.String(value),
			Type: ssmtypes.ParameterTypeSecureString, Overwrite: aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("secret %s: %w", ref, err)
		}
		return nil
	case strings.HasPrefix(ref, "secretsmanager:") && len(ref) > len("secretsmanager:"):
		id := strings.TrimPrefix(ref, "secretsmanager:")
		sm := s.SecretsManager()
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(value)})
		var exists *smtypes.ResourceExistsException
		if errors.As(err, &exists) {
			_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(id), SecretString: aws.String(value)})
		}
		if err != nil {
			return fmt.Errorf("secret %s: %w", ref, err)
		}
		return nil
	}
	return fmt.Errorf("secret %q: not a reference; write ssm:<parameter name> (or /<path>) or secretsmanager:<secret name>", ref)
}
