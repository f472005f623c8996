# The smallest API the module makes: one path whose only method is the CORS
# preflight (OPTIONS, answered by API Gateway itself through a MOCK
# integration), deployed to a stage. No Lambda function is needed, so it
# applies with nothing built first.

provider "aws" {
  region = var.region
}

module "api" {
  source = "../../"

  name       = var.name
  paths      = ["/hello"]
  cors       = { allow_origins = ["https://app.example.com"] }
  stage_name = "dev"

  # Access logs need the account's API Gateway CloudWatch role, which a fresh
  # account does not have (apibuilder's envs/_account sets it, once per account
  # and region); off keeps the example applicable anywhere.
  access_logs = false
}
