# A REST API defined by its OpenAPI body (the provider's CreateRestApi,
# PutRestApi ?mode=overwrite and UpdateRestApi), a deployment redeployed
# by the body's hash and a stage: version 2 removes DELETE /items/{id} and
# the /health path, which the stage must stop serving after one apply.
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
  lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations"
  integration = {
    type                = "aws_proxy"
    httpMethod          = "POST"
    uri                 = local.lambda
    passthroughBehavior = "when_no_match"
    timeoutInMillis     = 29000
  }
  ok = { "200" = { description = "OK" } }
  items_id = merge(
    {
      get = {
        parameters                      = [{ name = "id", in = "path", required = true, schema = { type = "string" } }]
        responses                       = local.ok
        x-amazon-apigateway-integration = local.integration
      }
    },
    # Both branches of a conditional need one type: compare strings.
    jsondecode(var.v == 1 ? jsonencode({
      delete = {
        parameters                      = [{ name = "id", in = "path", required = true, schema = { type = "string" } }]
        responses                       = local.ok
        security                        = [{ key = [] }]
        x-amazon-apigateway-integration = local.integration
      }
    }) : "{}"),
  )
  paths = merge(
    {
      "/items" = {
        post = {
          requestBody                           = { content = { "application/json" = { schema = { "$ref" = "#/components/schemas/Item" } } } }
          responses                             = local.ok
          x-amazon-apigateway-request-validator = "body"
          x-amazon-apigateway-integration       = local.integration
        }
      }
      "/items/{id}" = local.items_id
    },
    jsondecode(var.v == 1 ? jsonencode({
      "/health" = {
        get = {
          responses                       = local.ok
          x-amazon-apigateway-integration = { type = "mock", requestTemplates = { "application/json" = "{\"statusCode\": 200}" } }
        }
      }
    }) : "{}"),
  )
  body = jsonencode({
    openapi                                = "3.0.1"
    info                                   = { title = "body", version = "1" }
    x-amazon-apigateway-api-key-source     = "HEADER"
    x-amazon-apigateway-request-validators = { body = { validateRequestBody = true, validateRequestParameters = false } }
    paths                                  = local.paths
    components = {
      schemas         = { Item = { type = "object", required = ["id"] } }
      securitySchemes = { key = { type = "apiKey", name = "x-api-key", in = "header" } }
    }
  })
}

resource "aws_api_gateway_rest_api" "this" {
  name        = "body"
  description = "A REST API defined by its OpenAPI body"
  body        = local.body

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  triggers    = { body = sha1(local.body) }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "dev" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = "dev"
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.this.id
}
