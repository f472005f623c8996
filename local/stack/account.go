package stack

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// AccountRoleName is the role BootstrapAccount creates.
const AccountRoleName = "apigateway-cloudwatch"

// BootstrapAccount gives the stack's account what an AWS account needs
// before any stage may log, as an account that already has it: a role API
// Gateway may assume and the account setting naming it (UpdateAccount).
// Without it the API Gateway proxy refuses access and execution logging,
// as AWS does. A generated envs/_account does the same through Terraform;
// this is for stacks that do not apply one. It returns the role's ARN and
// is safe to call twice.
func (s *Stack) BootstrapAccount(ctx context.Context) (string, error) {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	var arn string
	role, err := s.IAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(AccountRoleName), AssumeRolePolicyDocument: aws.String(trust)})
	var exists *iamtypes.EntityAlreadyExistsException
	switch {
	case err == nil:
		arn = aws.ToString(role.Role.Arn)
	case errors.As(err, &exists):
		got, err := s.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(AccountRoleName)})
		if err != nil {
			return "", fmt.Errorf("account bootstrap: %w", err)
		}
		arn = aws.ToString(got.Role.Arn)
	default:
		return "", fmt.Errorf("account bootstrap: %w", err)
	}
	if _, err := s.APIGateway().UpdateAccount(ctx, &apigateway.UpdateAccountInput{PatchOperations: []agtypes.PatchOperation{
		{Op: agtypes.OpReplace, Path: aws.String("/cloudwatchRoleArn"), Value: aws.String(arn)}}}); err != nil {
		return "", fmt.Errorf("account bootstrap: %w", err)
	}
	return arn, nil
}
