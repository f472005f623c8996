# A REST API with one GET method per path, deployed the way
# modules/api_gateway deploys: a new deployment whenever a method changes,
# created before the old one is destroyed, and a stage moved to it.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "paths" {
  type = list(string)
}

resource "aws_api_gateway_rest_api" "this" {
  name = "redeploy"
}

resource "aws_api_gateway_resource" "path" {
  for_each = toset(var.paths)

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.key
}

resource "aws_api_gateway_method" "path" {
  for_each = toset(var.paths)

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_resource.path[each.key].id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "path" {
  for_each = toset(var.paths)

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_resource.path[each.key].id
  http_method = aws_api_gateway_method.path[each.key].http_method
  type        = "MOCK"
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    methods = sha1(jsonencode([for k, i in aws_api_gateway_integration.path : [k, i.id]]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = "dev"
}

output "rest_api_id" {
  value = aws_api_gateway_rest_api.this.id
}
