locals {
  # API Gateway model names must be alphanumeric and unique in the API.
  model_prefix = replace(var.name, "/[^A-Za-z0-9]/", "")

  # The invoke permission names this method and path only; path parameters
  # become wildcards because the source ARN carries the concrete path.
  source_path = var.create_method ? join("/", [for s in split("/", var.resource_path) : can(regex("^\\{.+\\}$", s)) ? "*" : s]) : null
  source_arn  = var.create_method ? "${var.execution_arn}/*/${var.http_method == "ANY" ? "*" : var.http_method}${local.source_path}" : var.invoke_source_arn

  # Partition, region and account of the API (arn:<partition>:execute-api:
  # <region>:<account>:<api id>), where the function lives too.
  api_arn = split(":", var.execution_arn)
  # The function's ARNs, built from its name rather than read from the
  # function: the integration (and an authorizer using invoke_arn) must not
  # depend on the function resource, or the API deployment's
  # create_before_destroy would spread to the function, its role, its log
  # group and every table its environment names, and a change that
  # replaces one of those under its fixed name would fail ("already
  # exists"). API Gateway does not need the function to exist until a
  # request calls it.
  function_arn = "arn:${local.api_arn[1]}:lambda:${local.api_arn[3]}:${local.api_arn[4]}:function:${var.name}"
  invoke_arn   = "arn:${local.api_arn[1]}:apigateway:${local.api_arn[3]}:lambda:path/2015-03-31/functions/${local.function_arn}/invocations"
}

# The method resources gained count (create_method); keep existing state.
moved {
  from = aws_api_gateway_method.this
  to   = aws_api_gateway_method.this[0]
}

moved {
  from = aws_api_gateway_integration.this
  to   = aws_api_gateway_integration.this[0]
}

# ---- Logs: created before the function so Lambda never creates an unmanaged, unretained group ----

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# ---- Function ----

# With zip_path and deploy_from_s3, the package goes to S3 under a
# content-addressed key: an unchanged zip keeps its key, a new build gets a
# new one, so no etag is needed (S3's ETag is not the MD5 of multipart or
# KMS-encrypted uploads, which would re-upload on every apply). Deploying
# from S3 also avoids the provider's global lock on functions created from a
# local file, which serializes every function of an apply.
resource "aws_s3_object" "package" {
  count = var.package == null && var.deploy_from_s3 ? 1 : 0

  bucket = var.artifacts_bucket
  key    = "${var.name}/${filemd5(var.zip_path)}.zip"
  source = var.zip_path
}

locals {
  from_s3 = var.package != null || var.deploy_from_s3
}

resource "aws_lambda_function" "this" {
  function_name                  = var.name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  runtime                        = var.runtime
  handler                        = var.handler
  architectures                  = [var.architecture]
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_s
  layers                         = var.layers
  reserved_concurrent_executions = var.reserved_concurrency
  filename                       = local.from_s3 ? null : var.zip_path
  s3_bucket                      = local.from_s3 ? var.artifacts_bucket : null
  s3_key                         = var.package != null ? var.package.s3_key : try(aws_s3_object.package[0].key, null)
  source_code_hash               = var.package != null ? var.package.source_code_hash : try(filebase64sha256(var.zip_path), null)

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [1] : []
    content {
      variables = var.environment
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  # Only when set: an unset size stays Lambda's 512 MB default.
  dynamic "ephemeral_storage" {
    for_each = var.ephemeral_storage_mb == null ? [] : [var.ephemeral_storage_mb]
    content {
      size = ephemeral_storage.value
    }
  }

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      subnet_ids         = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn == null ? [] : [var.dead_letter_target_arn]
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = var.package != null || var.zip_path != null
      error_message = "The function has no package: run `apibuilder generate` (or `go run ./generator`) so that build/functions/manifest.json lists it, or set zip_path."
    }
    precondition {
      condition     = !local.from_s3 || var.artifacts_bucket != null
      error_message = "artifacts_bucket is required with package or deploy_from_s3."
    }
  }
}

# ---- Method and integration (off for an authorizer's function) ----

resource "aws_api_gateway_model" "request" {
  count = var.create_method && var.request_schema != null ? 1 : 0

  rest_api_id  = var.rest_api_id
  name         = "${local.model_prefix}Request"
  content_type = "application/json"
  schema       = var.request_schema
}

resource "aws_api_gateway_model" "response" {
  count = var.create_method && var.response_schema != null ? 1 : 0

  rest_api_id  = var.rest_api_id
  name         = "${local.model_prefix}Response"
  content_type = "application/json"
  schema       = var.response_schema
}

resource "aws_api_gateway_method" "this" {
  count = var.create_method ? 1 : 0

  rest_api_id          = var.rest_api_id
  resource_id          = var.resource_id
  http_method          = var.http_method
  authorization        = var.authorization
  authorizer_id        = var.authorizer_id
  authorization_scopes = var.authorization == "COGNITO_USER_POOLS" && length(var.authorization_scopes) > 0 ? var.authorization_scopes : null
  api_key_required     = var.api_key_required
  request_validator_id = var.request_validator_id
  request_parameters   = var.request_parameters
  request_models       = var.request_schema == null ? {} : { "application/json" = aws_api_gateway_model.request[0].name }

  lifecycle {
    precondition {
      condition     = var.rest_api_id != null && var.resource_id != null && var.http_method != null && var.resource_path != null
      error_message = "rest_api_id, resource_id, http_method and resource_path are required when create_method is true."
    }
  }
}

resource "aws_api_gateway_method_response" "success" {
  count = var.create_method && var.response_schema != null ? 1 : 0

  rest_api_id     = var.rest_api_id
  resource_id     = var.resource_id
  http_method     = aws_api_gateway_method.this[0].http_method
  status_code     = var.success_status_code
  response_models = { "application/json" = aws_api_gateway_model.response[0].name }
}

resource "aws_api_gateway_integration" "this" {
  count = var.create_method ? 1 : 0

  rest_api_id             = var.rest_api_id
  resource_id             = var.resource_id
  http_method             = aws_api_gateway_method.this[0].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = local.invoke_arn
}

# API Gateway may invoke the function for this method and path only, or,
# without a method (an authorizer's function), for invoke_source_arn only.
resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowAPIGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = local.source_arn

  lifecycle {
    precondition {
      condition     = local.source_arn != null
      error_message = "invoke_source_arn is required when create_method is false (e.g. <execution_arn>/authorizers/<authorizer id>)."
    }
  }
}
