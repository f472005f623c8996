locals {
  cors_enabled     = var.cors != null
  cors_paths       = local.cors_enabled ? toset(var.paths) : toset([])
  cors_origins     = local.cors_enabled ? var.cors.allow_origins : []
  cors_credentials = local.cors_enabled ? var.cors.allow_credentials == true : false
  cors_expose      = local.cors_enabled ? (var.cors.expose_headers == null ? [] : var.cors.expose_headers) : []

  # A browser accepts exactly one origin (or "*") in Access-Control-Allow-Origin.
  # One origin, or "*", is a static header value. Several are answered by
  # echoing the request's Origin when it is one of them: the preflight's
  # response template below sets the header, and every answer varies by Origin.
  cors_one_origin = length(local.cors_origins) == 1

  # Header values of a MOCK integration response are static strings in single quotes.
  cors_headers = local.cors_enabled ? merge(
    {
      "Access-Control-Allow-Methods" = "'${join(",", var.cors.allow_methods)}'"
      "Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
      "Access-Control-Max-Age"       = "'${var.cors.max_age_seconds}'"
    },
    local.cors_one_origin ? { "Access-Control-Allow-Origin" = "'${local.cors_origins[0]}'" } : { "Vary" = "'Origin'" },
    local.cors_credentials ? { "Access-Control-Allow-Credentials" = "'true'" } : {},
  ) : {}

  # The preflight's integration response template with several origins
  # (Velocity, run by API Gateway for every OPTIONS request): it sets
  # Access-Control-Allow-Origin to the request's Origin header only when that
  # is one of the allowed origins, literally (the module's variable checks
  # keep quotes and other syntax out of them). Header names are matched as
  # the client sent them, so the lowercase form HTTP/2 clients send is
  # checked too. Only Velocity the local data plane also evaluates is used.
  cors_origin_template = local.cors_one_origin ? "" : join("\n", concat(
    flatten([for i, name in ["Origin", "origin"] : [
      "#${i == 0 ? "if" : "elseif"}(${join(" || ", [for o in local.cors_origins : "$input.params().header.get('${name}') == '${o}'"])})",
      "#set($context.responseOverride.header.Access-Control-Allow-Origin = $input.params().header.get('${name}'))",
    ]]),
    ["#end"],
  ))

  # Errors API Gateway itself answers (4XX/5XX gateway responses) have no
  # templates that could choose among origins, and echoing any Origin would
  # let every site read them with credentials. So: one origin is sent as it
  # is (with credentials when configured); several get "*" without
  # credentials, which lets a page on any origin read those generic errors
  # (401, 403, 429, ...) when it sends no cookies, and never otherwise.
  cors_error_headers = local.cors_enabled ? merge(
    {
      "Access-Control-Allow-Origin"  = local.cors_one_origin ? "'${local.cors_origins[0]}'" : "'*'"
      "Access-Control-Allow-Headers" = "'${join(",", var.cors.allow_headers)}'"
    },
    local.cors_one_origin && local.cors_credentials ? { "Access-Control-Allow-Credentials" = "'true'" } : {},
    length(local.cors_expose) > 0 ? { "Access-Control-Expose-Headers" = "'${join(",", local.cors_expose)}'" } : {},
  ) : {}

  # What the preflight and the gateway errors answer; part of the
  # deployment's trigger (stage.tf), so that a change here redeploys.
  cors_fingerprint = local.cors_enabled ? sha1(jsonencode([local.cors_headers, local.cors_origin_template, local.cors_error_headers])) : ""
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

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = local.resource_ids[each.key]
  http_method = aws_api_gateway_method.cors[each.key].http_method
  status_code = "204"
  response_parameters = {
    for h in distinct(concat(keys(local.cors_headers), ["Access-Control-Allow-Origin"])) : "method.response.header.${h}" => true
  }
}

resource "aws_api_gateway_integration_response" "cors" {
  for_each = local.cors_paths

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.resource_ids[each.key]
  http_method         = aws_api_gateway_method.cors[each.key].http_method
  status_code         = aws_api_gateway_method_response.cors[each.key].status_code
  response_parameters = { for h, v in local.cors_headers : "method.response.header.${h}" => v }
  response_templates  = local.cors_one_origin ? null : { "application/json" = local.cors_origin_template }

  depends_on = [aws_api_gateway_integration.cors]
}

# Errors produced by API Gateway itself (validation, auth, throttling) carry
# CORS headers too, so browsers can read them (see cors_error_headers).
resource "aws_api_gateway_gateway_response" "cors" {
  for_each = local.cors_enabled ? toset(["DEFAULT_4XX", "DEFAULT_5XX"]) : toset([])

  rest_api_id         = aws_api_gateway_rest_api.this.id
  response_type       = each.key
  response_parameters = { for h, v in local.cors_error_headers : "gatewayresponse.header.${h}" => v }
}
