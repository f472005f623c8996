package emulator

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// AWSConfig is an SDK configuration for the stack: static test credentials,
// the local region and kumo as the default endpoint. It does not read the
// process environment, so parallel tests with their own stacks never mix.
func (s *Stack) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.Kumo.URL),
	}
}

// APIGateway is a client for the API Gateway control plane (moto).
func (s *Stack) APIGateway() *apigateway.Client {
	return apigateway.NewFromConfig(s.AWSConfig(), func(o *apigateway.Options) {
		o.BaseEndpoint = aws.String(s.Moto.URL)
	})
}

// Lambda is a client for Lambda (kumo).
func (s *Stack) Lambda() *lambda.Client { return lambda.NewFromConfig(s.AWSConfig()) }

// DynamoDB is a client for DynamoDB (kumo).
func (s *Stack) DynamoDB() *dynamodb.Client { return dynamodb.NewFromConfig(s.AWSConfig()) }
