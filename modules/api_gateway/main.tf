# The REST API is defined by one OpenAPI document (var.body, with API
# Gateway's x-amazon-apigateway-* extensions): API Gateway imports it
# whole (PutRestApi, mode overwrite), so a removed, moved or renamed route
# is gone from the API in the same call that adds the new ones, and the
# stage's next deployment (stage.tf) serves exactly the document. What
# only the deploying account knows is written in the document as
# CloudFormation's pseudo parameters and substituted here.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  substituted = replace(replace(replace(var.body,
    "$${AWS::Partition}", data.aws_partition.current.partition),
    "$${AWS::Region}", data.aws_region.current.id),
  "$${AWS::AccountId}", data.aws_caller_identity.current.account_id)
  # The document as API Gateway imports it: with the resource policy when
  # there is one (see below), otherwise exactly as written.
  body = local.has_policy ? jsonencode(merge(jsondecode(local.substituted), { "x-amazon-apigateway-policy" = jsondecode(local.policy) })) : local.substituted
}

resource "aws_api_gateway_rest_api" "this" {
  name                     = var.name
  description              = var.description
  body                     = local.body
  fail_on_warnings         = var.fail_on_warnings
  put_rest_api_mode        = "overwrite"
  binary_media_types       = var.binary_media_types
  minimum_compression_size = var.minimum_compression_size >= 0 ? tostring(var.minimum_compression_size) : ""
  tags                     = var.tags

  endpoint_configuration {
    types            = [var.endpoint_type]
    vpc_endpoint_ids = var.endpoint_type == "PRIVATE" && length(var.vpc_endpoint_ids) > 0 ? var.vpc_endpoint_ids : null
  }
}

# ---- Resource policy: who may invoke the API (a PRIVATE API needs one) ----
# It travels in the document (x-amazon-apigateway-policy): PutRestApi in
# overwrite mode clears a policy set any other way, and the document cannot
# name the API's own ARN, so its resources use AWS's shorthand
# "execute-api:/...", which API Gateway stores as the API's ARN.

locals {
  # Without a policy, a PRIVATE API with VPC endpoints gets AWS's standard
  # one: invocations through those endpoints only.
  endpoint_policy = var.endpoint_type != "PRIVATE" || length(var.vpc_endpoint_ids) == 0 ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "execute-api:/*"
        Condition = { StringNotEquals = { "aws:SourceVpce" = var.vpc_endpoint_ids } }
      },
      {
        Effect    = "Allow"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "execute-api:/*"
      },
    ]
  })
  policy     = coalesce(var.policy, local.endpoint_policy, "-")
  has_policy = var.policy != null || local.endpoint_policy != null
}
