// Package target is where an API runs for a test or a deployment: the
// local stack or an AWS account, modelled once. An Account holds what
// reaches it (SDK configuration and clients, the terraform binary and its
// environment, how long AWS takes to serve a change); a Target is a
// project deployed there (invoke URL, API keys, its Terraform workspace),
// which `apibuilder test`, apitest's checks, `local up` and the
// end-to-end tests in test/ all use, so "local or AWS" is decided in one
// place.
package target

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/apibuilder/apibuilder/local/stack"
	"github.com/apibuilder/apibuilder/tfdriver"
)

// Account is where Terraform applies and the SDK clients call: a local
// stack (Stack is set) or a real AWS account.
type Account struct {
	// Stack is the local stack; nil on AWS.
	Stack *stack.Stack
	// AWS is the SDK configuration: the credentials that sign IAM routes
	// and the region (on the local stack, the stack's dummy credentials).
	AWS    aws.Config
	Region string
	// Terraform is the terraform binary; ProviderVersion the hashicorp/aws
	// version of its offline mirror ("" on AWS: the registry serves any);
	// TFEnv the environment of every terraform run ("" unsets a variable).
	Terraform       string
	ProviderVersion string
	TFEnv           map[string]string
	// Patience bounds the retries of a call whose answer is not yet the
	// wanted one: AWS takes a while to serve a new deployment or API key;
	// the local data plane does not.
	Patience time.Duration
}

// Local reports whether the account is the local stack.
func (a *Account) Local() bool { return a.Stack != nil }

// OnStack is the account of a running local stack.
func OnStack(st *stack.Stack) *Account {
	return &Account{
		Stack: st, AWS: st.AWSConfig(), Region: stack.Region,
		Terraform: st.Tools.Terraform, ProviderVersion: st.Tools.ProviderVersion, TFEnv: st.Env(),
		Patience: 5 * time.Second,
	}
}

// AWSOptions choose how an AWS account is reached.
type AWSOptions struct {
	// Terraform is the terraform binary (default: the one on PATH);
	// ProviderVersion and TFEnv as in Account (TFEnv: added to the
	// process environment).
	Terraform       string
	ProviderVersion string
	TFEnv           map[string]string
	// KeepEndpoints keeps the caller's AWS_ENDPOINT_URL* variables in
	// Terraform's environment, as the SDK clients of the account keep
	// them: the CLI honours them as the AWS CLI and SDKs do (a pipeline
	// run against the local stack sets them). Tests of a real account
	// leave it false so that a shell's local-stack settings never leak in.
	KeepEndpoints bool
}

// endpointVars point SDKs and the AWS provider elsewhere than AWS: a real
// account's runs must not inherit them from the caller's environment.
var endpointVars = []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_API_GATEWAY", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_DYNAMODB"}

// AWSAccount is the account of the standard credential chain
// (environment, profile, SSO, instance or OIDC role); its region is the
// chain's, us-east-1 when none is set. It fails when there are no
// credentials or no terraform.
func AWSAccount(ctx context.Context, opt AWSOptions) (*Account, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("no AWS credentials in the standard chain (environment, profile, SSO, role): %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if opt.Terraform == "" {
		if opt.Terraform, err = TerraformOnPath(); err != nil {
			return nil, err
		}
	}
	env := map[string]string{"CHECKPOINT_DISABLE": "1"}
	for k, v := range opt.TFEnv {
		env[k] = v
	}
	if !opt.KeepEndpoints {
		for _, k := range endpointVars {
			env[k] = ""
		}
	}
	return &Account{
		AWS: cfg, Region: cfg.Region, Terraform: opt.Terraform, ProviderVersion: opt.ProviderVersion,
		TFEnv: env, Patience: 2 * time.Minute,
	}, nil
}

// TerraformOnPath finds the terraform a deployment to AWS runs with: the
// user's own (it fetches the provider from the registry as usual).
func TerraformOnPath() (string, error) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return "", errors.New("terraform is not on PATH: install terraform 1.5 or later (https://developer.hashicorp.com/terraform/install)")
	}
	return tf, nil
}

// Workspace drives the root module in dir on this account; terraform's
// output goes to log (nil discards).
func (a *Account) Workspace(dir string, log io.Writer) (*tfdriver.Workspace, error) {
	ws, err := tfdriver.New(dir, a.Terraform, a.TFEnv, log)
	if err != nil {
		return nil, err
	}
	ws.ProviderVersion = a.ProviderVersion
	return ws, nil
}

// APIGateway is the account's API Gateway control plane (moto on the
// local stack; every other client is kumo there).
func (a *Account) APIGateway() *apigateway.Client {
	if a.Local() {
		return a.Stack.APIGateway()
	}
	return apigateway.NewFromConfig(a.AWS)
}

// Lambda is the account's Lambda client.
func (a *Account) Lambda() *lambda.Client {
	if a.Local() {
		return a.Stack.Lambda()
	}
	return lambda.NewFromConfig(a.AWS)
}

// DynamoDB is the account's DynamoDB client.
func (a *Account) DynamoDB() *dynamodb.Client {
	if a.Local() {
		return a.Stack.DynamoDB()
	}
	return dynamodb.NewFromConfig(a.AWS)
}

// IAM is the account's IAM client.
func (a *Account) IAM() *iam.Client {
	if a.Local() {
		return a.Stack.IAM()
	}
	return iam.NewFromConfig(a.AWS)
}

// Logs is the account's CloudWatch Logs client.
func (a *Account) Logs() *cloudwatchlogs.Client {
	if a.Local() {
		return a.Stack.Logs()
	}
	return cloudwatchlogs.NewFromConfig(a.AWS)
}

// S3 is the account's S3 client.
func (a *Account) S3() *s3.Client {
	if a.Local() {
		return a.Stack.S3()
	}
	return s3.NewFromConfig(a.AWS)
}
