# ---- Authorizers: Lambda TOKEN and REQUEST, Cognito user pools ----
# (AWS_IAM needs no authorizer: methods set authorization = "AWS_IAM".)
# Each Lambda authorizer's function permits invocation from
# <execution_arn>/authorizers/<id> only (see authorizer_ids).

resource "aws_api_gateway_authorizer" "this" {
  for_each = var.authorizers

  rest_api_id                      = aws_api_gateway_rest_api.this.id
  name                             = each.key
  type                             = each.value.type
  authorizer_uri                   = each.value.type == "COGNITO_USER_POOLS" ? null : each.value.function_invoke_arn
  provider_arns                    = each.value.type == "COGNITO_USER_POOLS" ? each.value.provider_arns : null
  identity_source                  = each.value.identity_source
  identity_validation_expression   = each.value.type == "TOKEN" ? each.value.identity_validation_expression : null
  authorizer_result_ttl_in_seconds = each.value.result_ttl_seconds
}
