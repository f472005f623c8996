locals {
  cors_enabled = var.cors != null
  cors_paths   = local.cors_enabled ? toset(var.paths) : toset([])

  # Header values of a MOCK integration are static strings in single quotes.
  cors_headers = local.cors_enabled ? {
    "Access-Control-Allow-Origin"  = "'${join(",", var.cors.allow_origins)}'"
    "Access-Control-Allow-Methods" = "'${join(",", var.cors.allow_methods)}'"
    "Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
    "Access-Control-Max-Age"       = "'${var.cors.max_age_seconds}'"
  } : {}
  cors_error_headers = local.cors_enabled ? merge(
    {
      "Access-Control-Allow-Origin"  = "'${join(",", var.cors.allow_origins)}'"
      "Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
    },
    var.cors.allow_credentials ? { "Access-Control-Allow-Credentials" = "'true'" } : {},
  ) : {}
}

# Preflight: an OPTIONS method with a MOCK integration on every route path.
resource "aws_api_gateway_method" "cors" {
  for_each = local.cors_paths

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.key]
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "cors" {
  for_each = local.cors_paths

  rest_api_id       = aws_api_gateway_rest_api.this.id
  resource_id       = local.resource_ids[each.key]
  http_method       = aws_api_gateway_method.cors[each.key].http_method
  type              = "MOCK"
  request_templates = { "application/json" = jsonencode({ statusCode = 200 }) }
}

resource "aws_api_gateway_method_response" "cors" {
  for_each = local.cors_paths

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.resource_ids[each.key]
  http_method         = aws_api_gateway_method.cors[each.key].http_method
  status_code         = "204"
  response_parameters = { for h in keys(local.cors_headers) : "method.response.header.${h}" => true }
}

resource "aws_api_gateway_integration_response" "cors" {
  for_each = local.cors_paths

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.resource_ids[each.key]
  http_method         = aws_api_gateway_method.cors[each.key].http_method
  status_code         = aws_api_gateway_method_response.cors[each.key].status_code
  response_parameters = { for h, v in local.cors_headers : "method.response.header.${h}" => v }

  depends_on = [aws_api_gateway_integration.cors]
}

# Errors produced by API Gateway itself (validation, auth, throttling) carry
# CORS headers too, so browsers can read them.
resource "aws_api_gateway_gateway_response" "cors" {
  for_each = local.cors_enabled ? toset(["DEFAULT_4XX", "DEFAULT_5XX"]) : toset([])

  rest_api_id         = aws_api_gateway_rest_api.this.id
  response_type       = each.key
  response_parameters = { for h, v in local.cors_error_headers : "gatewayresponse.header.${h}" => v }
}
