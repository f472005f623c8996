locals {
  # The invoke permission names this method and path only; path parameters
  # become wildcards because the source ARN carries the concrete path.
  source_path = var.http_method == null ? null : join("/", [for s in split("/", coalesce(var.resource_path, "/")) : can(regex("^\\{.+\\}$", s)) ? "*" : s])
  source_arn  = var.http_method == null ? var.invoke_source_arn : "${var.execution_arn}/*/${var.http_method == "ANY" ? "*" : var.http_method}${local.source_path}"
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

# API Gateway may invoke the function for this method and path only, or,
# without a method (an authorizer's function), for invoke_source_arn only.
# The permission names the API by its execution ARN, so the API's document
# does not depend on the function: it names the function by its ARN, built
# from the name (the function need not exist until a request calls it).
resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowAPIGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = local.source_arn

  lifecycle {
    precondition {
      condition     = local.source_arn != null
      error_message = "Set http_method and resource_path for a route's function, or invoke_source_arn (e.g. <execution_arn>/authorizers/*) for a function API Gateway invokes for something else."
    }
  }
}
