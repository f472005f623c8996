# A new deployment whenever the API's document changes: the document is
# the whole API (routes, integrations, models, validators, authorizers,
# CORS, gateway responses, resource policy), so its hash is everything a
# deployment snapshots. create_before_destroy keeps the stage always
# deployed (AWS refuses to delete the deployment a stage points at); a
# removed route is already gone from the API when the new deployment is
# taken, because PutRestApi replaced the whole API in one call.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "apibuilder deployment"

  triggers = {
    redeployment = sha1(local.body)
  }

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.endpoint_type != "PRIVATE" || local.has_policy
      error_message = "A PRIVATE API needs a resource policy before it can be deployed (API Gateway refuses it otherwise): set policy, or vpc_endpoint_ids to allow invocations through those VPC endpoints."
    }
  }
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
