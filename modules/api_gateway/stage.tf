# A new deployment whenever any route's method, integration, models,
# validator or auth changes (the routes' fingerprints), an authorizer
# changes, the resource policy does, or the API's own CORS set-up does.
# create_before_destroy keeps the stage always deployed (AWS refuses to
# delete the deployment a stage points at). It also makes Terraform delete
# a removed route's method only after this new deployment exists, so the
# deployment still holds it: apply through apibuilder (it replaces the
# deployment once more in the same run) or follow an apply that removed
# routes with terraform apply -replace on this resource (docs/aws.md).
# Nothing here depends on a function, role, log group or table (the
# routes' invoke ARNs are built from names), so create_before_destroy does
# not spread to those fixed-name resources.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "apibuilder deployment"

  triggers = {
    redeployment = sha1(join("", [
      jsonencode({
        routes     = var.deployment_triggers
        resources  = keys(local.resource_ids)
        validators = [for v in aws_api_gateway_request_validator.this : v.id]
        cors       = [var.cors, [for i in aws_api_gateway_integration_response.cors : i.id], local.cors_fingerprint]
        responses  = [for r in aws_api_gateway_gateway_response.cors : r.id]
      }),
      # The resource policy: appended only when there is one, so an API
      # without one keeps the hash it had before policies existed.
      local.has_policy ? sha1(local.policy) : "",
      # Authorizers: their configured values, not the attributes read back
      # (the API may normalize those, e.g. null vs "", and redeploy every
      # plan). Appended only when there are some, so an API without
      # authorizers keeps the hash it had before they existed.
      length(var.authorizers) == 0 ? "" : jsonencode([var.authorizers, [for a in aws_api_gateway_authorizer.this : a.id]]),
    ]))
  }

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.endpoint_type != "PRIVATE" || local.has_policy
      error_message = "A PRIVATE API needs a resource policy before it can be deployed (API Gateway refuses it otherwise): set policy, or vpc_endpoint_ids to allow invocations through those VPC endpoints."
    }
  }

  depends_on = [aws_api_gateway_integration.cors, aws_api_gateway_integration_response.cors, aws_api_gateway_rest_api_policy.this]
}

resource "aws_cloudwatch_log_group" "access" {
  count = var.access_logs ? 1 : 0

  name              = "/aws/apigateway/${var.name}/${var.stage_name}/access"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.xray_tracing
  variables            = var.stage_variables
  tags                 = var.tags

  dynamic "access_log_settings" {
    for_each = var.access_logs ? [1] : []
    content {
      destination_arn = aws_cloudwatch_log_group.access[0].arn
      format = jsonencode({
        requestId      = "$context.requestId"
        ip             = "$context.identity.sourceIp"
        requestTime    = "$context.requestTime"
        httpMethod     = "$context.httpMethod"
        resourcePath   = "$context.resourcePath"
        path           = "$context.path"
        status         = "$context.status"
        responseLength = "$context.responseLength"
        latencyMs      = "$context.responseLatency"
        errorMessage   = "$context.error.message"
        apiKeyId       = "$context.identity.apiKeyId"
      })
    }
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = var.metrics_enabled
    logging_level          = var.logging_level
    data_trace_enabled     = var.data_trace
    throttling_rate_limit  = var.throttle == null ? -1 : var.throttle.rate_limit
    throttling_burst_limit = var.throttle == null ? -1 : var.throttle.burst_limit
  }
}

# ---- Opt-in: the account-wide role API Gateway needs to write any logs ----

data "aws_iam_policy_document" "apigw_assume" {
  count = var.create_cloudwatch_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = var.create_cloudwatch_role ? 1 : 0

  name               = "${var.name}-apigw-cloudwatch"
  assume_role_policy = data.aws_iam_policy_document.apigw_assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "cloudwatch" {
  count = var.create_cloudwatch_role ? 1 : 0

  role       = aws_iam_role.cloudwatch[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.create_cloudwatch_role ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.cloudwatch[0].arn
  depends_on          = [aws_iam_role_policy_attachment.cloudwatch]
}
