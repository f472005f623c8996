# One route behind an API: GET /hello runs a Go Lambda function. This is how
# the two modules fit together, the way the generated envs/<env>/main.tf
# uses them:
#   - api_gateway makes the REST API and one resource per path prefix;
#   - lambda_route takes the API's id, the path's resource id and the
#     execution ARN, and makes the function, its role and log group, the GET
#     method, the AWS_PROXY integration and an invoke permission for this
#     method and path only;
#   - the route's fingerprint goes back into the API's deployment_triggers,
#     so the stage is redeployed whenever the route's method changes.
# Terraform resolves the two-way references per value, so there is no cycle.

provider "aws" {
  region = var.region
}

module "api" {
  source = "../../../api_gateway"

  name       = var.name
  paths      = ["/hello"]
  stage_name = "dev"

  deployment_triggers = {
    hello = module.hello.fingerprint
  }

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

  rest_api_id   = module.api.rest_api_id
  resource_id   = module.api.resource_ids["/hello"]
  execution_arn = module.api.execution_arn
  http_method   = "GET"
  resource_path = "/hello"
}
