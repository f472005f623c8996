# In-place updates the AWS provider makes through the local stack: every
# attribute below changes between version 1 and 2 without replacing its
# resource, and each change goes through an API Gateway update that moto
# lacks or gets wrong (see ../../motogaps.go).
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "v" {
  description = "Configuration version: 1 or 2."
  type        = number
}

locals {
  two    = var.v == 2
  lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations"
}

resource "aws_api_gateway_rest_api" "this" {
  name               = "inplace"
  binary_media_types = local.two ? ["image/png"] : ["application/pdf"]
}

resource "aws_api_gateway_resource" "items" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "items"
}

resource "aws_api_gateway_model" "item" {
  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = "Item"
  content_type = "application/json"
  schema       = jsonencode({ type = "object", required = local.two ? ["id", "name"] : ["id"] })
}

resource "aws_api_gateway_request_validator" "body" {
  rest_api_id           = aws_api_gateway_rest_api.this.id
  name                  = "body"
  validate_request_body = true
}

resource "aws_api_gateway_authorizer" "token" {
  rest_api_id                      = aws_api_gateway_rest_api.this.id
  name                             = "token"
  type                             = "TOKEN"
  authorizer_uri                   = local.lambda
  identity_source                  = "method.request.header.Authorization"
  identity_validation_expression   = local.two ? "^Bearer .+$" : "^Token .+$"
  authorizer_result_ttl_in_seconds = local.two ? 60 : 300
}

resource "aws_api_gateway_method" "post" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = aws_api_gateway_resource.items.id
  http_method          = "POST"
  authorization        = "CUSTOM"
  authorizer_id        = aws_api_gateway_authorizer.token.id
  api_key_required     = local.two
  request_models       = { "application/json" = aws_api_gateway_model.item.name }
  request_parameters   = local.two ? { "method.request.header.X-Id" = true } : {}
  request_validator_id = local.two ? null : aws_api_gateway_request_validator.body.id
}

resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.items.id
  http_method             = aws_api_gateway_method.post.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = local.lambda
  timeout_milliseconds    = local.two ? 5000 : 29000
  cache_key_parameters    = local.two ? ["method.request.header.X-Id"] : []
}

resource "aws_api_gateway_method_response" "ok" {
  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = aws_api_gateway_resource.items.id
  http_method         = aws_api_gateway_method.post.http_method
  status_code         = "200"
  response_models     = { "application/json" = local.two ? "Error" : "Empty" }
  response_parameters = { "method.response.header.X-Id" = local.two }
}

resource "aws_api_gateway_gateway_response" "default_4xx" {
  rest_api_id        = aws_api_gateway_rest_api.this.id
  response_type      = "DEFAULT_4XX"
  status_code        = local.two ? "401" : "400"
  response_templates = { "application/json" = "{\"message\":$context.error.messageString}" }
}

resource "aws_api_gateway_usage_plan" "plan" {
  name = "plan"

  quota_settings {
    limit  = local.two ? 200 : 100
    period = "DAY"
  }

  throttle_settings {
    burst_limit = local.two ? 7 : 5
    rate_limit  = 10
  }
}
