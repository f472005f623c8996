# One route behind an API: GET /hello runs a Go Lambda function. This is how
# the two modules fit together, the way the generated envs/<env>/main.tf
# uses them:
#   - api_gateway makes the REST API from its OpenAPI document, whose
#     GET /hello integration names the function by its ARN (built from its
#     name, so the document does not wait for the function);
#   - lambda_route makes the function, its role and log group, and an
#     invoke permission for this method and path of the API only.

provider "aws" {
  region = var.region
}

module "api" {
  source = "../../../api_gateway"

  name = var.name
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = var.name, version = "1" }
    paths = {
      "/hello" = {
        get = {
          responses = { "200" = { description = "The function's answer." } }
          "x-amazon-apigateway-integration" = {
            type                = "aws_proxy"
            httpMethod          = "POST"
            passthroughBehavior = "when_no_match"
            # The pseudo parameters are the module's to substitute.
            uri = "arn:$${AWS::Partition}:apigateway:$${AWS::Region}:lambda:path/2015-03-31/functions/arn:$${AWS::Partition}:lambda:$${AWS::Region}:$${AWS::AccountId}:function:${var.name}-hello/invocations"
          }
        }
      }
    }
  })
  stage_name = "dev"

  # Access logs need the account's API Gateway CloudWatch role, which a fresh
  # account does not have (apibuilder's envs/_account sets it, once per account
  # and region).
  access_logs = false
}

module "hello" {
  source = "../../"

  name        = "${var.name}-hello"
  description = "GET /hello"
  zip_path    = var.zip_path
  environment = {
    GREETING = "hello"
  }

  execution_arn = module.api.execution_arn
  http_method   = "GET"
  resource_path = "/hello"
}
