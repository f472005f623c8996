package stack

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// AWSConfig is an SDK configuration for the stack: static test credentials,
// the local region and kumo as the default endpoint. It does not read the
// process environment, so parallel tests with their own stacks never mix.
// API Gateway needs moto's endpoint: use APIGateway.
func (s *Stack) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.Endpoints.Kumo),
	}
}

// APIGateway is a client for the API Gateway control plane (moto).
func (s *Stack) APIGateway() *apigateway.Client {
	return apigateway.NewFromConfig(s.AWSConfig(), func(o *apigateway.Options) {
		o.BaseEndpoint = aws.String(s.Endpoints.APIGateway)
	})
}

// Lambda is a client for Lambda (kumo).
func (s *Stack) Lambda() *lambda.Client { return lambda.NewFromConfig(s.AWSConfig()) }

// DynamoDB is a client for DynamoDB (kumo).
func (s *Stack) DynamoDB() *dynamodb.Client { return dynamodb.NewFromConfig(s.AWSConfig()) }

// IAM is a client for IAM (kumo).
func (s *Stack) IAM() *iam.Client { return iam.NewFromConfig(s.AWSConfig()) }

// Logs is a client for CloudWatch Logs (kumo).
func (s *Stack) Logs() *cloudwatchlogs.Client { return cloudwatchlogs.NewFromConfig(s.AWSConfig()) }

// S3 is a client for S3 (kumo) that addresses buckets by path: kumo has no
// bucket hostnames.
func (s *Stack) S3() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

// SSM is a client for SSM Parameter Store (kumo).
func (s *Stack) SSM() *ssm.Client { return ssm.NewFromConfig(s.AWSConfig()) }

// SecretsManager is a client for Secrets Manager (kumo).
func (s *Stack) SecretsManager() *secretsmanager.Client {
	return secretsmanager.NewFromConfig(s.AWSConfig())
}
