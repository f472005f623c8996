# The smallest API the module makes: one path whose only method is a MOCK
# integration answered by API Gateway itself, written as the OpenAPI
# document the module imports, deployed to a stage. No Lambda function is
# needed, so it applies with nothing built first.

provider "aws" {
  region = var.region
}

module "api" {
  source = "../../"

  name = var.name
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = var.name, version = "1" }
    paths = {
      "/hello" = {
        get = {
          responses = { "200" = { description = "A greeting, answered by API Gateway." } }
          "x-amazon-apigateway-integration" = {
            type             = "mock"
            requestTemplates = { "application/json" = jsonencode({ statusCode = 200 }) }
            responses = {
              default = {
                statusCode        = "200"
                responseTemplates = { "application/json" = jsonencode({ message = "hello" }) }
              }
            }
          }
        }
      }
    }
  })
  stage_name = "dev"

  # Access logs need the account's API Gateway CloudWatch role, which a fresh
  # account does not have (apibuilder's envs/_account sets it, once per account
  # and region); off keeps the example applicable anywhere.
  access_logs = false
}
